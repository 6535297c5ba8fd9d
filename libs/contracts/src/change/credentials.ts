/**
 * An `http` step names the credential it needs (`"credential": "deploy-bot"`); the worker holds
 * the values (EXECUTOR_CREDENTIALS) and the plan, the API and the workflow history never do.
 * The API checks the name's shape only, since it cannot know which names a worker holds.
 */
export const CREDENTIAL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
export const CREDENTIAL_NAME_RULE = '1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit';
