import { DEFAULT_CHANGE_PROCESS, type ChangeProcessConfig } from '@steward/config';
import type { ChangeProcessSettings } from '@steward/contracts';

/** The change process settings every new change workflow starts with, injectable by type. */
export class ChangeProcessOptions implements ChangeProcessSettings {
  readonly approvalReminderMs: number;
  readonly approvalEscalationMs: number;
  readonly approvalExpiryMs: number;
  readonly windowClosePolicy: 'rollback' | 'hold';
  readonly reviewDueMs: number;

  constructor(config: ChangeProcessConfig = DEFAULT_CHANGE_PROCESS) {
    this.approvalReminderMs = config.approvalReminderMs;
    this.approvalEscalationMs = config.approvalEscalationMs;
    this.approvalExpiryMs = config.approvalExpiryMs;
    this.windowClosePolicy = config.windowClosePolicy;
    this.reviewDueMs = config.reviewDueMs;
  }

  toJSON(): ChangeProcessSettings {
    return { ...this };
  }
}
