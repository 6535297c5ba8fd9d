import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DEFAULT_AUDIT_CHECKPOINTS, type AuditCheckpointSettings } from '@steward/config';
import { AuditCheckpoints } from '@steward/persistence';
import { AuditCheckpointKeys } from '@steward/security';

/** The worker's checkpoint settings (injected; defaults from libs/config). */
export class AuditCheckpointSchedule {
  constructor(readonly settings: AuditCheckpointSettings = DEFAULT_AUDIT_CHECKPOINTS) {}
}

/**
 * Signs a checkpoint of the audit chain's head when it is due (AUDIT_CHECKPOINT_EVERY since the
 * last one, or AUDIT_CHECKPOINT_EVENTS appended since). Beside the Temporal worker, not a
 * workflow: it needs no history, and several workers may run it (the chain lock orders them;
 * the second finds nothing due). Without AUDIT_SIGNING_KEY it does nothing and says so.
 */
@Injectable()
export class AuditCheckpointWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditCheckpointWriter.name);
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly checkpoints: AuditCheckpoints,
    private readonly keys: AuditCheckpointKeys,
    private readonly schedule: AuditCheckpointSchedule,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.keys.canSign) {
      this.logger.warn('AUDIT_SIGNING_KEY is not set: no signed audit checkpoints will be written');
      return;
    }
    this.next(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** Looks often enough for the event threshold, at most once a minute, at least every 250 ms. */
  private get pollMs(): number {
    return Math.max(250, Math.min(this.schedule.settings.everyMs, 60_000));
  }

  private next(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => {
        this.inFlight = undefined;
        this.next(this.pollMs);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    try {
      const row = await this.checkpoints.createIfDue(this.keys, this.schedule.settings);
      if (row) this.logger.log(`audit checkpoint #${row.id} signed at head ${row.headSeq} (key ${row.keyId})`);
    } catch (error) {
      this.logger.error({ err: error }, 'could not write an audit checkpoint');
    }
  }
}
