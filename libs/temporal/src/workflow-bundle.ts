import type { BundleOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

// dist/ mirrors the source tree, so these relative paths hold from source and from dist alike.
const ROOT = resolve(__dirname, '../../..');

/**
 * Where the workflow code is, and how the bundler resolves our path aliases. From source the
 * aliases point at `libs/<name>/src`; in dist `tsc-alias` has already made them relative.
 */
export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'webpackConfigHook'> {
  const aliases: Record<string, string> = {};
  for (const lib of ['contracts', 'domain']) aliases[`@steward/${lib}`] = resolve(ROOT, 'libs', lib, 'src');
  return {
    workflowsPath: require.resolve(resolve(ROOT, 'workflows')),
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as Record<string, string> | undefined), ...aliases } },
    }),
  };
}

/** The bundle `npm run build` writes into dist/, used by production workers when present. */
export function prebuiltWorkflowBundlePath(): string | undefined {
  const path = resolve(ROOT, 'workflow-bundle.js');
  return existsSync(path) ? path : undefined;
}
