import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ChangeState, PlanStep } from '@steward/contracts';
import type { Principal } from '@steward/identity';
import { AesGcmPayloadCodec, DecisionSigner, parseDecisionSigningKey } from '@steward/security';
import { defaultPayloadConverter } from '@temporalio/common';
import { createApi } from '../apps/api/src/create-api';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { BENCH_DECISION_KEYS, BENCH_PAYLOAD_CODEC_KEYS, BENCH_SECRET, BENCH_WORKER_SECRET, inPool, pollUntil, summarise, type BenchEnvironment } from './support';

/**
 * The payload codec's cost on the path a CAB member waits on: POST /decisions (the API signs
 * and sends the update, the worker verifies, records and answers) until GET shows the change
 * scheduled. Two Steward stacks in this process on the same servers, one with the codec and
 * one without, measured alternately so that both see the same load; plus the codec alone on a
 * decision-sized payload.
 */
const WARM_UP = 5;
const SAMPLES = 40;
const POLL_MS = 5;
const CI = 'bench-codec-app';
const AFTER_APPROVAL: ReadonlySet<ChangeState> = new Set(['scheduled', 'implementing', 'verifying', 'completed']);
const FINAL: ReadonlySet<ChangeState> = new Set(['completed', 'rolled_back', 'rejected', 'cancelled', 'failed']);

const requester: Principal = { id: 'bench-codec-requester', name: 'Bench Requester', roles: ['requester'], groups: ['team-codec'] };
const owner: Principal = { id: 'bench-codec-owner', name: 'Bench Owner', roles: ['cab_member'], groups: ['team-codec'] };

const step: PlanStep = {
  id: 'deploy',
  name: 'Deploy',
  kind: 'automated',
  action: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  rollback: { executor: 'simulated', outcome: 'succeed', durationMs: 20 },
  estimatedMinutes: 5,
};

let started = performance.now();
const progress = (message: string) => process.stderr.write(`[codec +${Math.round((performance.now() - started) / 1000)}s] ${message}\n`);

interface Stack {
  name: 'withCodec' | 'withoutCodec';
  api: NestExpressApplication;
  worker: INestApplicationContext;
  base: string;
}

async function startStack(env: BenchEnvironment, name: Stack['name'], codec: boolean): Promise<Stack> {
  const taskQueue = `bench-codec-${codec ? 'on' : 'off'}`;
  const payloadCodecKeys = codec ? BENCH_PAYLOAD_CODEC_KEYS : undefined;
  const temporal = { address: env.temporalAddress, namespace: 'default', taskQueue };
  const worker = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ databaseUrl: env.postgresUrl, temporal, decisionVerifyKey: BENCH_DECISION_KEYS.verifyKey, workerSecret: BENCH_WORKER_SECRET, payloadCodecKeys, logLevel: 'silent' }),
    { logger: false },
  );
  const api = await createApi(
    { databaseUrl: env.postgresUrl, temporal, auth: { jwtSecret: BENCH_SECRET }, logLevel: 'silent', decisionSigningKey: BENCH_DECISION_KEYS.signingKey, payloadCodecKeys },
    { shutdownHooks: false },
  );
  await api.listen(0, '127.0.0.1');
  return { name, api, worker, base: `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}` };
}

/** The codec alone: encode and decode of a signed decision's payload, in microseconds. */
async function codecAlone(): Promise<Record<string, unknown>> {
  const codec = new AesGcmPayloadCodec(BENCH_PAYLOAD_CODEC_KEYS);
  const signer = new DecisionSigner(parseDecisionSigningKey(BENCH_DECISION_KEYS.signingKey));
  const decision = signer.sign({ changeId: 'CHG-000123', planHash: 'a'.repeat(64), approver: { ...owner, roles: ['cab_member'] }, decision: 'approve', comment: 'looks good', at: new Date().toISOString() });
  const payload = defaultPayloadConverter.toPayload(decision);
  const rounds = 20_000;
  for (let i = 0; i < 2_000; i += 1) await codec.decode(await codec.encode([payload]));
  const e0 = performance.now();
  let encoded = payload;
  for (let i = 0; i < rounds; i += 1) [encoded] = await codec.encode([payload]);
  const e1 = performance.now();
  for (let i = 0; i < rounds; i += 1) await codec.decode([encoded]);
  const d1 = performance.now();
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    measures: `encode and decode of one SignedDecision payload, ${rounds} times each, in this process`,
    payloadBytes: { plain: payload.data!.length, encrypted: encoded.data!.length },
    encodeMicroseconds: round(((e1 - e0) * 1000) / rounds),
    decodeMicroseconds: round(((d1 - e1) * 1000) / rounds),
  };
}

export async function benchCodec(env: BenchEnvironment): Promise<Record<string, unknown>> {
  started = performance.now();
  await env.db.query(
    `INSERT INTO configuration_item (key, name, type, environment, criticality, owner_group, users_affected, version) VALUES ($1, $1, 'application', 'staging', 4, 'team-codec', 0, '1.0') ON CONFLICT DO NOTHING`,
    [CI],
  );
  const [asRequester, asOwner] = await Promise.all(
    [requester, owner].map(async (p) => ({ Authorization: `Bearer ${await env.token(p)}`, 'Content-Type': 'application/json' })),
  );
  // A window weeks away: approved changes wait `scheduled` and run nothing during the bench.
  const windowStart = new Date(Math.ceil((Date.now() + 30 * 86_400_000) / 3_600_000) * 3_600_000);
  const body = JSON.stringify({
    title: 'Codec bench change',
    description: 'submitted by the codec benchmark',
    type: 'normal',
    cis: [CI],
    justification: 'benchmark',
    plan: { steps: [step] },
    backoutPlan: 'Redeploy the previous release from the artifact store, then verify health.',
    testEvidence: 'staging run green',
    requestedWindow: { start: windowStart.toISOString(), end: new Date(windowStart.getTime() + 3_600_000).toISOString() },
  });

  const stacks: Stack[] = [];
  const created: Array<{ stack: Stack; id: string }> = [];
  try {
    stacks.push(await startStack(env, 'withCodec', true), await startStack(env, 'withoutCodec', false));
    progress('two stacks running (payload codec on and off)');
    const stateOf = async (stack: Stack, id: string) => {
      const response = await fetch(`${stack.base}/api/changes/${id}`, { headers: asRequester });
      const change = (await response.json()) as { state: ChangeState; planHash: string };
      if (!response.ok) throw new Error(`GET ${id}: ${response.status} ${JSON.stringify(change)}`);
      return change;
    };
    const submit = async (stack: Stack) => {
      const response = await fetch(`${stack.base}/api/changes`, { method: 'POST', headers: asRequester, body });
      const answer = (await response.json()) as { id: string };
      if (response.status !== 201) throw new Error(`POST /api/changes: ${response.status} ${JSON.stringify(answer)}`);
      created.push({ stack, id: answer.id });
      const seen = await pollUntil(`${answer.id} awaiting approval`, () => stateOf(stack, answer.id), (c) => c.state === 'awaiting_approval', { timeoutMs: 30_000, intervalMs: POLL_MS });
      return { id: answer.id, planHash: seen.value.planHash };
    };

    const samples = { withCodec: { response: [] as number[], visible: [] as number[] }, withoutCodec: { response: [] as number[], visible: [] as number[] } };
    for (let i = 0; i < WARM_UP + SAMPLES; i += 1) {
      // Alternate which stack goes first, so neither always follows the other.
      const order = i % 2 === 0 ? stacks : [...stacks].reverse();
      for (const stack of order) {
        const change = await submit(stack);
        const t0 = performance.now();
        const response = await fetch(`${stack.base}/api/changes/${change.id}/decisions`, { method: 'POST', headers: asOwner, body: JSON.stringify({ decision: 'approve', comment: 'bench approval', planHash: change.planHash }) });
        const answered = performance.now();
        const answer = await response.text();
        if (response.status !== 200) throw new Error(`POST decisions ${change.id}: ${response.status} ${answer}`);
        const seen = await pollUntil(`${change.id} after approval`, () => stateOf(stack, change.id).then((c) => c.state), (s) => AFTER_APPROVAL.has(s), { timeoutMs: 30_000, intervalMs: POLL_MS });
        if (FINAL.has(seen.value) && !AFTER_APPROVAL.has(seen.value)) throw new Error(`${change.id} ended ${seen.value}`);
        if (i >= WARM_UP) {
          samples[stack.name].response.push(answered - t0);
          samples[stack.name].visible.push(seen.at - t0);
        }
      }
    }
    progress(`${WARM_UP + SAMPLES} decisions on each stack`);
    const figures = {
      response: { withCodec: summarise(samples.withCodec.response), withoutCodec: summarise(samples.withoutCodec.response) },
      visible: { withCodec: summarise(samples.withCodec.visible), withoutCodec: summarise(samples.withoutCodec.visible) },
    };
    const delta = (a: { p50: number; p95: number }, b: { p50: number; p95: number }) => ({ p50: Math.round((a.p50 - b.p50) * 10) / 10, p95: Math.round((a.p95 - b.p95) * 10) / 10 });
    return {
      setup: { warmUp: WARM_UP, samples: SAMPLES, pollMs: POLL_MS, ci: CI, interleaved: true },
      decisionRoundTripMs: {
        measures: 'POST /api/changes/{id}/decisions (the API signs and sends the update; the worker verifies and records) until its response, and until GET shows scheduled',
        response: { ...figures.response, codecAdds: delta(figures.response.withCodec, figures.response.withoutCodec) },
        visible: { ...figures.visible, codecAdds: delta(figures.visible.withCodec, figures.visible.withoutCodec) },
      },
      codecAlone: await codecAlone(),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    if (process.env.TEMPORAL_ADDRESS) {
      await inPool(created, 10, ({ stack, id }) =>
        fetch(`${stack.base}/api/changes/${id}/cancel`, { method: 'POST', headers: asRequester, body: JSON.stringify({ reason: 'bench done' }) }).catch(() => undefined),
      );
    }
    for (const stack of stacks) {
      await stack.api.close();
      await stack.worker.close();
    }
  }
}
