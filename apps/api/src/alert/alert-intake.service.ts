import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StewardError } from '@steward/domain';
import type { Principal } from '@steward/identity';
import { IncidentEntity, IncidentNoteKeyEntity, insertRows } from '@steward/persistence';
import { IncidentLauncher } from '@steward/temporal';
import { DataSource, IsNull } from 'typeorm';
import { fromTemporalError } from '../common/temporal-errors';
import { DEFAULT_CI_LABELS, incidentTermsOf, instantOf } from './alert-mapping';
import type { AlertIncidentOutcome, AlertmanagerAlertDto, AlertmanagerPayloadDto } from './dtos/alertmanager.dto';

/** Which labels name the affected CI, first match wins. */
export class AlertIntakeSettings {
  constructor(readonly ciLabels: readonly string[] = DEFAULT_CI_LABELS) {}
}

/**
 * Alertmanager's notifications become incidents. Each alert stands alone: one that names no
 * known CI is reported in the answer and the others still go through. A workflow engine that
 * does not answer is different: the whole delivery is answered 503 so that Alertmanager sends
 * it again (it retries 5xx, never 4xx), and every alert is idempotent on that redelivery.
 */
@Injectable()
export class AlertIntakeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly launcher: IncidentLauncher,
    private readonly settings: AlertIntakeSettings,
  ) {}

  async receive(caller: Principal, payload: AlertmanagerPayloadDto): Promise<{ incidents: AlertIncidentOutcome[] }> {
    const incidents: AlertIncidentOutcome[] = [];
    const unavailable: string[] = [];
    for (const [index, alert] of payload.alerts.entries()) {
      try {
        incidents.push(alert.status === 'firing' ? await this.firing(caller, alert, payload.externalURL) : await this.resolved(caller, alert));
      } catch (error) {
        if (!(error instanceof StewardError) || error.code !== 'unavailable') throw error;
        unavailable.push(`alerts.${index} (${alert.fingerprint}): ${error.message}`);
        incidents.push({ id: null, created: false, error: error.message });
      }
    }
    if (unavailable.length > 0) {
      throw new StewardError('unavailable', `not every alert was taken in; send the notification again: ${unavailable.join('; ')}`, { incidents });
    }
    return { incidents };
  }

  private async firing(caller: Principal, alert: AlertmanagerAlertDto, externalURL?: string): Promise<AlertIncidentOutcome> {
    const terms = incidentTermsOf(alert, this.settings.ciLabels, externalURL);
    if (!terms.ok) return { id: null, created: false, error: terms.error };
    let opened: { id: string; created: boolean };
    try {
      opened = await this.launcher.open({
        title: terms.title,
        description: terms.description,
        service: terms.service,
        category: terms.category,
        impact: terms.impact,
        urgency: terms.urgency,
        reportedBy: caller.id,
        source: 'alertmanager',
        alertFingerprint: fingerprintOf(alert),
      });
    } catch (error) {
      // The one refusal an alert can earn: a CI the CMDB does not know. Reported, not thrown.
      if (error instanceof StewardError && error.code === 'invalid') return { id: null, created: false, error: error.message };
      throw error;
    }
    // The start time is part of the key: the same alert firing again after a gap is worth a
    // note; Alertmanager's periodic repeats of one firing are not.
    const startsAt = instantOf(alert.startsAt);
    const key = `alert:${alert.fingerprint}:firing:${startsAt}`;
    const fresh = await this.claim(opened.id, key);
    if (fresh && !opened.created) {
      const problem = await this.note(opened.id, key, caller, `alert firing again since ${startsAt}`, { fingerprint: alert.fingerprint, startsAt });
      if (problem) return { id: opened.id, created: false, error: problem };
    }
    return { id: opened.id, created: opened.created };
  }

  private async resolved(caller: Principal, alert: AlertmanagerAlertDto): Promise<AlertIncidentOutcome> {
    const incident = await this.db.getRepository(IncidentEntity).findOne({ select: { id: true }, where: { alertFingerprint: fingerprintOf(alert), closedAt: IsNull() } });
    if (!incident) return { id: null, created: false };
    // Alertmanager always dates a resolution; a sender that does not gets one note for it, not
    // one per delivery (a key from the time of arrival would never repeat).
    const endsAt = alert.endsAt && Date.parse(alert.endsAt) > 0 ? instantOf(alert.endsAt) : null;
    const key = `alert:${alert.fingerprint}:resolved:${endsAt ?? 'undated'}`;
    if (await this.claim(incident.id, key)) {
      const note = endsAt ? `alert resolved at ${endsAt}` : 'alert resolved (no end time given)';
      const problem = await this.note(incident.id, key, caller, note, { fingerprint: alert.fingerprint, endsAt });
      if (problem) return { id: incident.id, created: false, error: problem };
    }
    return { id: incident.id, created: false };
  }

  /** True the first time a note key is claimed for an incident. */
  private async claim(incidentId: string, noteKey: string): Promise<boolean> {
    const row = Object.assign(new IncidentNoteKeyEntity(), { incidentId, noteKey });
    return (await insertRows(this.db.manager, IncidentNoteKeyEntity, [row], { ignoreConflicts: true })) > 0;
  }

  /**
   * Signals the note. If the signal does not get through, the claim is given back so that the
   * redelivery sends it; an incident whose workflow has ended takes no notes (reported).
   */
  private async note(incidentId: string, key: string, caller: Principal, note: string, data: Record<string, unknown>): Promise<string | null> {
    try {
      await this.launcher.note(incidentId, { key, by: caller.id, note, data });
      return null;
    } catch (error) {
      const release = () => this.db.getRepository(IncidentNoteKeyEntity).delete({ incidentId, noteKey: key });
      let refusal: StewardError;
      try {
        refusal = fromTemporalError(error, `the note on ${incidentId}`);
      } catch {
        await release();
        throw error;
      }
      if (refusal.code !== 'unavailable') return refusal.message;
      await release();
      throw refusal;
    }
  }
}

/** Alertmanager's fingerprints get a namespace of their own next to `change-failure:` and `finding:`. */
function fingerprintOf(alert: AlertmanagerAlertDto): string {
  return `alertmanager:${alert.fingerprint}`;
}
