import type { SodImplementerMode } from '@steward/domain';

/** SOD_IMPLEMENTER as configured: each new change records it and follows it for its whole life. */
export class SodSettings {
  constructor(readonly implementer: SodImplementerMode = 'distinct') {}
}
