/** Variables through which global setup hands its servers to the test files. */
export const TEST_ENV = {
  postgresUrl: 'STEWARD_TEST_POSTGRES_URL',
  temporalAddress: 'STEWARD_TEST_TEMPORAL_ADDRESS',
  workflowBundle: 'STEWARD_TEST_WORKFLOW_BUNDLE',
} as const;

export function testEnv(name: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[name]];
  if (!value) throw new Error(`${TEST_ENV[name]} is not set: run integration tests through jest (global setup starts the servers)`);
  return value;
}
