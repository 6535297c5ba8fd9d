import { DEFAULT_CHANGE_PROCESS } from '@steward/config';
import type { ChangeProcessSettings } from '@steward/domain';
import { ChangeProcessOptions } from './change-process.options';

// The options are spread into every change workflow's input: they must carry the settings as given.
describe('ChangeProcessOptions', () => {
  it('carries the default change process settings when none are configured', () => {
    expect({ ...new ChangeProcessOptions() }).toEqual(DEFAULT_CHANGE_PROCESS);
  });

  it('carries configured settings unchanged', () => {
    const configured: ChangeProcessSettings = {
      approvalReminderMs: 1_000,
      approvalEscalationMs: 2_000,
      approvalExpiryMs: 3_000,
      windowClosePolicy: 'hold',
      reviewDueMs: 4_000,
    };
    expect({ ...new ChangeProcessOptions(configured) }).toEqual(configured);
  });
});
