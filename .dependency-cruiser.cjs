/**
 * The layers of the tree, checked by `npm run lint:deps` (part of `npm test`).
 *
 *   apps/worker  ->  activities  ->  libs (persistence, temporal, config, security, ...)
 *   apps/api     ------------------>  libs            (never activities)
 *   workflows    ->  libs/contracts  ->  libs/domain   (and activity types only)
 *   libs         never import apps; libs/domain imports nothing of ours
 *
 * Type-only imports count (tsPreCompilationDeps): a type import between layers is still a
 * dependency a reader has to follow, and a type-only cycle is still a cycle.
 */

/** Test code: Jest specs beside the code and everything under test/. */
const TEST_CODE = ['^test/', '\\.(spec|test)\\.ts$'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle means neither side can be read, tested or moved without the other; ' +
        'it is how contracts and domain ended up importing each other (issue 13).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-import-only-deterministic-code',
      comment:
        'Workflow code is bundled and replayed in the deterministic sandbox: it may use the workflow ' +
        'SDK (and @temporalio/common, which the SDK re-exports), the message definitions in ' +
        'libs/contracts and the pure rules in libs/domain. Anything else may do I/O or read the clock, ' +
        'and breaks replay or the bundle.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^libs/contracts/', '^libs/domain/', '^activities/', 'node_modules/@temporalio/(workflow|common)/'],
      },
    },
    {
      name: 'workflows-import-only-activity-types',
      comment:
        'A workflow knows its activities by their interface (ActivityInterfaceOf<...>); a value import ' +
        'would pull the activity classes, their database and HTTP clients into the workflow bundle.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'api-never-imports-activities',
      comment:
        'Activities run in the worker. Importing them loads the executors and @temporalio/activity into ' +
        'the API process; the API starts and signals workflows through libs/temporal instead. ' +
        'Known violations until the shared launcher lands: the four IncidentLauncher imports (issue 13).',
      severity: 'error',
      from: { path: '^apps/api/' },
      to: { path: '^activities/' },
    },
    {
      name: 'libs-never-import-apps',
      comment: 'Libraries sit below the applications: an app may be replaced or split without touching libs.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-is-pure',
      comment:
        'libs/domain holds the rules and the vocabularies every other layer speaks, and the workflows ' +
        'run it inside the sandbox: it imports only itself and pure libraries (luxon, rrule), never ' +
        "node's I/O, TypeORM, Nest, Temporal or another package of ours. Node's crypto is allowed for " +
        'hashing (the plan hash an approval binds to is a rule, not I/O); the file that uses it stays ' +
        "out of the domain barrel, and the workflow bundler refuses node's modules in any case.",
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: ['^libs/domain/', 'node_modules/(luxon|rrule)/', '^crypto$'] },
    },
    {
      name: 'contracts-depend-only-on-domain',
      comment:
        'libs/contracts is what workflows, API, activities and tests exchange: payloads over the domain ' +
        'vocabularies and message definitions built with the workflow SDK. It depends on domain and never ' +
        'the reverse, so the rules can be read and tested without the wire format.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { pathNot: ['^libs/contracts/', '^libs/domain/', 'node_modules/@temporalio/(workflow|common)/'] },
    },
    {
      name: 'console-imports-no-server-code',
      comment:
        'The console (apps/console) is a browser bundle that speaks only the public HTTP contract: its ' +
        'types come from the OpenAPI document (apps/console/src/api, generated). Importing the API, a ' +
        'library, an activity or a workflow would bundle server code into the browser and make a second ' +
        'source of truth beside the contract.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { path: '^(apps/(?!console/)|libs/|activities/|workflows/|scripts/|bench/|test/)' },
    },
    {
      name: 'no-test-code-in-production',
      comment:
        'Test helpers (test/support) and specs are not built (tsconfig.build.json excludes them); ' +
        'production code that imports them breaks the build output or drags fixtures into it.',
      severity: 'error',
      from: { path: '^(apps|libs|workflows|activities|scripts|bench)/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'no-dev-dependencies-in-production',
      comment:
        'Test libraries (jest, supertest, @nestjs/testing, ...) are devDependencies: a production ' +
        'install (npm ci --omit=dev, the Dockerfile) does not have them, so production code that ' +
        'imports one fails only when deployed.',
      severity: 'error',
      // The console is bundled at build time (Vite): its libraries are build inputs, not runtime ones.
      from: { path: '^(apps|libs|workflows|activities|scripts)/', pathNot: [...TEST_CODE, '^apps/console/'] },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^\\.data/'] },
    // Type-only imports are dependencies too (see the header).
    tsPreCompilationDeps: true,
    // Resolves the @steward/* aliases exactly as tsc does.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
