import { AppShell, Badge, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useSession } from './session';
import { SignIn } from './SignIn';
import { Workbench } from './Workbench';

export function App() {
  const { session, signIn, signOut } = useSession();
  const queries = useQueryClient();
  if (!session) return <SignIn onSignedIn={signIn} />;
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Title order={1} size="h4">
              Steward
            </Title>
            {/* Only pages that exist: the other pages of the console are not built yet. */}
            <nav aria-label="Console">
              <NavLink component="a" href="/" label="CAB workbench" active aria-current="page" />
            </nav>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="sm">
              Signed in as <b>{session.user.name}</b>
            </Text>
            <Badge variant="outline" visibleFrom="md">
              {session.user.roles.join(', ')}
            </Badge>
            <Button
              variant="default"
              size="xs"
              onClick={() => {
                queries.clear();
                signOut();
              }}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Workbench me={session.user} />
      </AppShell.Main>
    </AppShell>
  );
}
