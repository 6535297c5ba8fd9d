/**
 * Two projects: `unit` (pure rules, beside the code, no servers) and `integration` (test/,
 * against a real Temporal dev server and a real PostgreSQL that global setup starts once).
 *
 * TypeScript goes through SWC with decorator metadata (Nest's DI needs it). NestJS 12 ships
 * ES modules, which Jest's CommonJS runtime cannot require on Node 20, so SWC also compiles
 * those packages to CommonJS.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const esm = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } }];
const ESM_PACKAGES = ['@nestjs', 'file-type', 'strtok3', 'token-types', '@tokenizer', 'uint8array-extras', 'load-esm'];

const shared = {
  transform: { '^.+\\.ts$': swc, '^.+\\.m?js$': esm },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper: {
    '^@steward/(config|contracts|domain|identity|observability|persistence|security|temporal)$': '<rootDir>/libs/$1/src',
    '^@steward/domain/calendar$': '<rootDir>/libs/domain/src/calendar',
    '^@steward/domain/change/plan-hash$': '<rootDir>/libs/domain/src/change/plan-hash',
    '^@steward/activities$': '<rootDir>/activities',
    '^@steward/workflows$': '<rootDir>/workflows',
  },
  testEnvironment: 'node',
  testTimeout: 60_000,
};

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps,activities,workflows}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
