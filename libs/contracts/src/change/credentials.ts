// The credential-name rule lives in libs/domain (plan rules check it); it stays importable from here.
export { CREDENTIAL_NAME, CREDENTIAL_NAME_RULE } from '@steward/domain';
