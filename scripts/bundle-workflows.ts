import { workflowBundleOptions } from '@steward/temporal';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Production workers load this pre-built bundle instead of bundling at every start. */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  const target = resolve(__dirname, '..', 'workflow-bundle.js');
  writeFileSync(target, code);
  process.stdout.write(`workflow bundle: ${target} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
