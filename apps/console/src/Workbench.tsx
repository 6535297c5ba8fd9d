import { Alert, Badge, Button, Card, Code, Group, List, Loader, Modal, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, unwrap, type ApprovalRecord, type ChangeView, type Decision, type PlanStep, type PolicyRef, type Principal, type RiskFactor, type RuleProgress } from './api/client';

const VOTING_ROLES = ['cab_member', 'change_manager'];
const RISK_COLOR: Record<string, string> = { low: 'green', medium: 'yellow', high: 'orange', critical: 'red' };
const DECISION_WORDS: Record<Decision, { verb: string; done: string; color: string }> = {
  approve: { verb: 'Approve', done: 'approved', color: 'green' },
  request_changes: { verb: 'Request changes', done: 'requested changes', color: 'yellow' },
  reject: { verb: 'Reject', done: 'rejected', color: 'red' },
};

const approvalsOf = (change: ChangeView): ApprovalRecord[] => change.approvals;
const rulesOf = (change: ChangeView): RuleProgress[] => change.requiredApprovals;

/**
 * Awaiting MY decision: I may vote (a voting role), I did not request it, and I have not decided
 * on its current plan. Whether my groups satisfy one of its rules is the API's to say (the rules
 * come as descriptions); a vote from the wrong group is refused with the API's reason, shown.
 */
function awaitsMe(change: ChangeView, me: Principal): boolean {
  if (!me.roles.some((r) => VOTING_ROLES.includes(r))) return false;
  if (change.requester.id === me.id) return false;
  return !approvalsOf(change).some((a) => a.approver === me.id && !a.voided && a.planHash === change.planHash);
}

export function Workbench({ me }: { me: Principal }) {
  const awaiting = useQuery({
    queryKey: ['changes', 'awaiting_approval'],
    queryFn: async () => unwrap(await api.GET('/api/changes', { params: { query: { state: 'awaiting_approval', limit: 200 } } })),
    // A decision lands in the read model a moment after the API answers; other voters act too.
    refetchInterval: 5_000,
  });
  // The list answers without votes and policy progress: each change is read whole.
  const details = useQueries({
    queries: (awaiting.data?.items ?? []).map((item) => ({
      queryKey: ['change', item.id],
      queryFn: async () => unwrap(await api.GET('/api/changes/{id}', { params: { path: { id: item.id } } })),
    })),
  });
  const changes = details.flatMap((d) => (d.data && d.data.state === 'awaiting_approval' ? [d.data] : []));
  const mine = changes.filter((c) => awaitsMe(c, me));
  const others = changes.filter((c) => !awaitsMe(c, me));
  const loading = awaiting.isPending || details.some((d) => d.isPending);

  return (
    <main>
      <Stack gap="lg" maw={1100} mx="auto">
        <Title order={1} size="h2">
          CAB workbench
        </Title>
        {awaiting.error && (
          <Alert color="red" title="Changes could not be loaded" role="alert">
            {awaiting.error.message}
          </Alert>
        )}
        {loading && <Loader aria-label="Loading changes" />}
        {awaiting.data && awaiting.data.total > awaiting.data.items.length && (
          <Alert color="yellow" role="status">
            Showing the newest {awaiting.data.items.length} of {awaiting.data.total} changes awaiting approval.
          </Alert>
        )}
        <section aria-labelledby="awaiting-me">
          <Title order={2} size="h3" id="awaiting-me" mb="sm">
            Awaiting my decision ({mine.length})
          </Title>
          {!loading && mine.length === 0 && <Text c="dimmed">Nothing awaits your decision.</Text>}
          <Stack>
            {mine.map((change) => (
              <ChangeCard key={change.id} change={change} me={me} />
            ))}
          </Stack>
        </section>
        <section aria-labelledby="awaiting-others">
          <Title order={2} size="h3" id="awaiting-others" mb="sm">
            Other changes awaiting approval ({others.length})
          </Title>
          {!loading && others.length === 0 && <Text c="dimmed">No other change awaits approval.</Text>}
          <Stack>
            {others.map((change) => (
              <ChangeCard key={change.id} change={change} me={me} />
            ))}
          </Stack>
        </section>
      </Stack>
    </main>
  );
}

function ChangeCard({ change, me }: { change: ChangeView; me: Principal }) {
  const headingId = useId();
  const risk = change.risk;
  const factors: RiskFactor[] = risk.factors ?? [];
  const steps: PlanStep[] = change.plan.steps;
  const policy: PolicyRef | null = change.policy ?? null;
  const approvals = approvalsOf(change);
  const myVote = approvals.find((a) => a.approver === me.id && !a.voided && a.planHash === change.planHash);
  return (
    <Card withBorder padding="lg" component="article" aria-labelledby={headingId} data-change={change.id}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h4" id={headingId}>
              {change.id}: {change.title}
            </Title>
            <Text size="sm" c="dimmed">
              {change.type} change requested by {change.requester.name} ({change.requester.id})
            </Text>
          </div>
          <Badge size="lg" tt="none" color={RISK_COLOR[risk.level ?? ''] ?? 'gray'} variant="filled" aria-label={`Risk ${risk.level ?? 'not assessed'}, score ${risk.score ?? 'none'}`}>
            Risk {risk.level ?? 'not assessed'} · {risk.score ?? '–'}
          </Badge>
        </Group>
        {change.description && <Text size="sm">{change.description}</Text>}

        <div>
          <Title order={4} size="h5">
            Why this risk
          </Title>
          <Table.ScrollContainer minWidth={400}>
            <Table striped withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Factor</Table.Th>
                  <Table.Th scope="col">Points</Table.Th>
                  <Table.Th scope="col">Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {factors.map((f) => (
                  <Table.Tr key={f.name}>
                    <Table.Td>{f.name}</Table.Td>
                    <Table.Td>{f.points}</Table.Td>
                    <Table.Td>{f.detail}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </div>

        <div>
          <Title order={4} size="h5">
            Affected configuration items
          </Title>
          <Group gap={6} mt={4}>
            {change.cis.map((ci) => (
              <Badge key={ci} variant="outline" tt="none">
                {ci}
              </Badge>
            ))}
          </Group>
        </div>

        <div>
          <Title order={4} size="h5">
            Plan
          </Title>
          <List type="ordered" size="sm" mt={4}>
            {steps.map((s) => (
              <List.Item key={s.id}>
                {s.name} <Text span c="dimmed" size="sm">({s.kind}{s.estimatedMinutes !== undefined ? `, ${s.estimatedMinutes} min` : ''})</Text>
              </List.Item>
            ))}
          </List>
          <Title order={4} size="h5" mt="sm">
            Backout plan
          </Title>
          <Text size="sm">{change.backoutPlan}</Text>
        </div>

        <div>
          <Title order={4} size="h5">
            Approval policy{policy ? `: ${policy.name} (v${policy.version})` : ''}
          </Title>
          <List size="sm" mt={4} spacing={4}>
            {rulesOf(change).map((rule) => (
              <List.Item key={rule.id}>
                <Badge size="sm" tt="none" color={rule.satisfied ? 'green' : 'gray'} variant="filled" mr={6}>
                  {rule.satisfied ? 'met' : `missing ${rule.required - rule.approvedBy.length}`}
                </Badge>
                {rule.description} — {rule.approvedBy.length} of {rule.required}
                {rule.approvedBy.length > 0 ? ` (approved by ${rule.approvedBy.join(', ')})` : ''}
              </List.Item>
            ))}
          </List>
          <Title order={4} size="h5" mt="sm">
            Votes
          </Title>
          {approvals.length === 0 ? (
            <Text size="sm" c="dimmed">
              No votes yet.
            </Text>
          ) : (
            <List size="sm" mt={4} spacing={4}>
              {approvals.map((a) => (
                <List.Item key={`${a.approver}-${a.at}`}>
                  <Text span fw={600} td={a.voided ? 'line-through' : undefined}>
                    {a.approverName}
                  </Text>{' '}
                  {DECISION_WORDS[a.decision]?.done ?? a.decision}
                  {a.voided ? ' (voided: the plan changed)' : ''} — “{a.comment}”
                </List.Item>
              ))}
            </List>
          )}
        </div>

        {myVote ? (
          <Text size="sm">
            You {DECISION_WORDS[myVote.decision]?.done ?? myVote.decision} this plan.
          </Text>
        ) : me.roles.some((r) => VOTING_ROLES.includes(r)) ? (
          <DecisionActions change={change} />
        ) : (
          <Text size="sm" c="dimmed">
            Deciding needs the role cab_member or change_manager.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function DecisionActions({ change }: { change: ChangeView }) {
  const queries = useQueryClient();
  const [decision, setDecision] = useState<Decision | undefined>();
  const [comment, setComment] = useState('');
  // The plan hash as it was when the dialog opened: what the voter saw is what they decide on.
  const [planHash, setPlanHash] = useState('');
  const decide = useMutation({
    mutationFn: async (input: { decision: Decision; comment: string; planHash: string }) =>
      unwrap(await api.POST('/api/changes/{id}/decisions', { params: { path: { id: change.id } }, body: input }) as { data?: unknown; error?: unknown; response: Response }),
    onSuccess: async () => {
      setDecision(undefined);
      setComment('');
      await queries.invalidateQueries({ queryKey: ['change', change.id] });
      await queries.invalidateQueries({ queryKey: ['changes'] });
    },
  });
  const open = (d: Decision) => {
    decide.reset();
    setPlanHash(change.planHash);
    setDecision(d);
  };
  const words = decision ? DECISION_WORDS[decision] : undefined;
  return (
    <>
      <Group gap="sm">
        {(Object.keys(DECISION_WORDS) as Decision[]).map((d) => (
          <Button key={d} color={DECISION_WORDS[d].color} variant={d === 'approve' ? 'filled' : 'default'} onClick={() => open(d)} aria-label={`${DECISION_WORDS[d].verb} ${change.id}`}>
            {DECISION_WORDS[d].verb}
          </Button>
        ))}
      </Group>
      <Modal opened={decision !== undefined} onClose={() => setDecision(undefined)} title={words ? `${words.verb}: ${change.id}` : ''} centered size="lg" closeButtonProps={{ 'aria-label': 'Close the dialog' }}>
        {words && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              decide.mutate({ decision: decision!, comment: comment.trim(), planHash });
            }}
          >
            <Stack>
              <Text size="sm">
                {change.title}, requested by {change.requester.name}.
              </Text>
              <div>
                <Text size="sm" fw={600}>
                  Plan hash you are deciding on
                </Text>
                <Code block data-testid="plan-hash">
                  {planHash}
                </Code>
                <Text size="xs" c="dimmed">
                  Your decision binds to this plan: if the plan changed since you opened it, the API refuses the vote.
                </Text>
              </div>
              <Textarea label="Comment" description="Recorded with your decision in the audit trail" required minRows={3} value={comment} onChange={(e) => setComment(e.currentTarget.value)} />
              {decide.error && (
                <Alert color="red" title="The API refused the decision" role="alert" data-testid="refusal">
                  {decide.error.message}
                </Alert>
              )}
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setDecision(undefined)}>
                  Cancel
                </Button>
                <Button type="submit" color={words.color} loading={decide.isPending} disabled={comment.trim() === ''}>
                  Confirm: {words.verb.toLowerCase()}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}
