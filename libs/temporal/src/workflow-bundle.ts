import type { BundleOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FAILURE_CONVERTER_PATH } from './data-converter';

// dist/ mirrors the source tree, so these relative paths hold from source and from dist alike.
const ROOT = resolve(__dirname, '../../..');

/**
 * Where the workflow code is, and how the bundler resolves our path aliases. From source the
 * aliases point at `libs/<name>/src`; in dist `tsc-alias` has already made them relative.
 */
export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'webpackConfigHook' | 'failureConverterPath'> {
  const aliases: Record<string, string> = {};
  for (const lib of ['contracts', 'domain']) aliases[`@steward/${lib}`] = resolve(ROOT, 'libs', lib, 'src');
  return {
    workflowsPath: require.resolve(resolve(ROOT, 'workflows')),
    // Failures raised inside workflows carry their message and stack in an (encrypted) payload too.
    failureConverterPath: FAILURE_CONVERTER_PATH,
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
