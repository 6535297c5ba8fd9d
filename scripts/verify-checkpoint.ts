import { readFileSync } from 'node:fs';
import { checkCheckpointExport, type ExportedAuditEvent } from '../libs/security/src/checkpoint-offline';

/**
 * `npm run verify-checkpoint -- checkpoint.json [--events events.json ...] [--public-key key.pem]`
 *
 * `--events` may be given once per exported page of `GET /api/audit` (they are joined).
 *
 * Checks an audit checkpoint exported by `GET /api/audit/checkpoints/latest` offline: no
 * database, no network. Prints what it proved; exits 1 when anything fails, 2 on bad usage.
 */
function main(argv: string[]): number {
  const args = [...argv];
  let file: string | undefined;
  const eventsFiles: string[] = [];
  let keyFile: string | undefined;
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--events') {
      const next = args.shift();
      if (!next) return usage('--events needs a file');
      eventsFiles.push(next);
    }
    else if (arg === '--public-key') keyFile = args.shift();
    else if (!file && !arg.startsWith('--')) file = arg;
    else return usage(`unexpected argument ${arg}`);
  }
  if (!file) return usage('no checkpoint file given');
  let exported: unknown;
  let events: ExportedAuditEvent[] | undefined;
  try {
    exported = JSON.parse(readFileSync(file, 'utf8'));
    for (const eventsFile of eventsFiles) {
      const parsed = JSON.parse(readFileSync(eventsFile, 'utf8')) as unknown;
      if (!Array.isArray(parsed)) return usage(`${eventsFile} must hold a JSON array of audit events (GET /api/audit)`);
      events = [...(events ?? []), ...(parsed as ExportedAuditEvent[])];
    }
  } catch (error) {
    return usage((error as Error).message);
  }
  const result = checkCheckpointExport(exported, { events, publicKeyPem: keyFile ? readFileSync(keyFile, 'utf8') : undefined });
  for (const line of result.lines) process.stdout.write(`${line}\n`);
  process.stdout.write(result.ok ? 'OK\n' : 'NOT VERIFIED\n');
  return result.ok ? 0 : 1;
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\nusage: npm run verify-checkpoint -- checkpoint.json [--events events.json ...] [--public-key key.pem]\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
