import { Alert, Badge, Button, Card, Container, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, ApiRefusal, unwrap, useBearer, type DemoUser } from './api/client';
import type { Session } from './session';

/**
 * Under `npm start` (the embedded default) the API mints demo tokens, and this page is a picker
 * of the demo users. Anywhere else that route does not exist (404): sign-in through an OIDC
 * issuer is what such a deployment needs, and the console does not have it yet, so it says so.
 */
export function SignIn({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const users = useQuery({
    queryKey: ['demo-users'],
    queryFn: async () => unwrap(await api.GET('/api/demo/users')),
    retry: false,
  });
  const signIn = useMutation({
    mutationFn: async (user: DemoUser) => {
      const { token } = unwrap(await api.POST('/api/demo/tokens', { body: { userId: user.id } }));
      useBearer(token);
      const me = unwrap(await api.GET('/api/me'));
      return { token, user: me };
    },
    onSuccess: onSignedIn,
    onError: () => useBearer(undefined),
  });
  const noDemo = users.error instanceof ApiRefusal && users.error.status === 404;

  return (
    <Container size="md" py="xl">
      <main>
        <Stack gap="lg">
          <div>
            <Title order={1}>Sign in to Steward</Title>
            <Text c="dimmed">Change and release management: the CAB workbench.</Text>
          </div>
          {users.isPending && <Loader aria-label="Loading the demo users" />}
          {noDemo && (
            <Alert color="yellow" title="No sign-in available on this server" role="status">
              This console can sign you in only on a Steward started the embedded way (<code>npm start</code>), with its demo users. Sign-in through an OIDC
              issuer (authorization code with PKCE) is not built yet: on a server configured with an OIDC issuer there is no way to sign in to the console
              for now. The HTTP API at <code>/api</code> accepts your issuer&apos;s tokens as before.
            </Alert>
          )}
          {users.error && !noDemo && (
            <Alert color="red" title="The demo users could not be loaded" role="alert">
              {users.error.message}
            </Alert>
          )}
          {signIn.error && (
            <Alert color="red" title="Sign-in failed" role="alert">
              {signIn.error.message}
            </Alert>
          )}
          {users.data && (
            <section aria-labelledby="demo-users">
              <Title order={2} size="h3" id="demo-users" mb="xs">
                Demo users
              </Title>
              <Text size="sm" c="dimmed" mb="md">
                Development sign-in of the embedded default: pick who you are. Tokens are signed by this server and valid for 12 hours.
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
                {users.data.map((user) => (
                  <Card key={user.id} withBorder padding="md">
                    <Stack gap={6} h="100%" justify="space-between">
                      <div>
                        <Text fw={600}>{user.name}</Text>
                        <Text size="sm" c="dimmed">
                          {user.id} · {user.roles.join(', ')}
                        </Text>
                        {user.groups.length > 0 && (
                          <Group gap={4} mt={4}>
                            {user.groups.map((g) => (
                              <Badge key={g} size="sm" variant="outline">
                                {g}
                              </Badge>
                            ))}
                          </Group>
                        )}
                      </div>
                      <Button onClick={() => signIn.mutate(user)} loading={signIn.isPending && signIn.variables?.id === user.id} aria-label={`Sign in as ${user.name}`}>
                        Sign in
                      </Button>
                    </Stack>
                  </Card>
                ))}
              </SimpleGrid>
            </section>
          )}
        </Stack>
      </main>
    </Container>
  );
}
