import { STANDARD_BUSINESS_CALENDAR, type BusinessCalendar } from './business-calendar';
import type { Priority } from './priority';
import type { SlaTarget } from './sla-clock';

/** The scope of the SLA definitions every service falls back to. */
export const DEFAULT_SLA_SCOPE = 'default';

/** One stored SLA definition: the targets of one priority for a service or for every service. */
export interface SlaDefinitionFacts {
  /** `default` or a service (CI key). */
  scope: string;
  priority: Priority;
  version: number;
  /** Targets in milliseconds; null: the priority has no such target. */
  responseMs: number | null;
  resolutionMs: number | null;
  businessHours: boolean;
  calendar: BusinessCalendar | null;
}

/** The SLA an incident is held to (the shape of `IncidentSlaTerms`). */
export interface SlaTerms {
  response: SlaTarget | null;
  resolution: SlaTarget | null;
  calendar: BusinessCalendar | null;
  definition: string;
}

/**
 * The SLA in force for a service and priority: the latest version of the service's own
 * definition, else the latest default one. Business-hours targets run on the definition's
 * calendar, else the standard business calendar; other targets run around the clock.
 * Undefined when no definition applies (the defaults are missing: nothing to hold anyone to).
 */
export function slaTermsFor(service: string, priority: Priority, definitions: readonly SlaDefinitionFacts[]): SlaTerms | undefined {
  const latest = (scope: string) =>
    definitions.filter((d) => d.scope === scope && d.priority === priority).reduce<SlaDefinitionFacts | undefined>((best, d) => (!best || d.version > best.version ? d : best), undefined);
  const definition = latest(service) ?? latest(DEFAULT_SLA_SCOPE);
  if (!definition) return undefined;
  const target = (ms: number | null): SlaTarget | null => (ms === null ? null : { targetMs: ms, businessHours: definition.businessHours });
  return {
    response: target(definition.responseMs),
    resolution: target(definition.resolutionMs),
    calendar: definition.businessHours ? (definition.calendar ?? STANDARD_BUSINESS_CALENDAR) : null,
    definition: `${definition.scope}/${priority}@${definition.version}`,
  };
}
