/** The environment whose failures hurt users: only a failed change there opens an incident. */
export const PRODUCTION_ENVIRONMENT = 'production';

/**
 * How a failed change's incident is classified before anyone looks at it: impact 2 (a service
 * is degraded) and urgency 2 (it needs attention soon). The priority matrix and the CMDB's
 * impact rules may raise it from there.
 */
export const FAILED_CHANGE_IMPACT = 2;
export const FAILED_CHANGE_URGENCY = 2;

/**
 * The service a failed change's incident is opened on: the first of the change's CIs (in the
 * order the change names them) that is in production; null when none is, and then no incident.
 */
export function failedChangeService(ciKeys: readonly string[], cis: ReadonlyArray<{ key: string; environment: string }>): string | null {
  const production = new Set(cis.filter((ci) => ci.environment === PRODUCTION_ENVIRONMENT).map((ci) => ci.key));
  return ciKeys.find((key) => production.has(key)) ?? null;
}

/** A change's failure as recorded, with what opening its incident needs. */
export interface ChangeFailureFacts {
  changeId: string;
  title: string;
  endState: string;
  reason: string;
  failedStep: string | null;
  /** The first production CI of the change (`failedChangeService`); null: none is in production. */
  productionCi: string | null;
  /** The incident already opened for this failure, if any. */
  incidentId: string | null;
}

/**
 * The incident a failed change opens, or undefined when it opens none: no CI of the change is
 * in production, or the incident was opened already. Its fingerprint makes a repeat find the
 * incident opened before instead of opening a second.
 */
export function failedChangeIncident(failure: ChangeFailureFacts) {
  if (!failure.productionCi || failure.incidentId) return undefined;
  return {
    title: `Change ${failure.changeId} ended ${failure.endState}`,
    description: [`"${failure.title}" ended ${failure.endState}: ${failure.reason}`, failure.failedStep ? `Failed step: ${failure.failedStep}.` : null]
      .filter((line): line is string => line !== null)
      .join('\n'),
    service: failure.productionCi,
    impact: FAILED_CHANGE_IMPACT,
    urgency: FAILED_CHANGE_URGENCY,
    reportedBy: 'steward',
    source: 'failed_change' as const,
    changeId: failure.changeId,
    alertFingerprint: `change-failure:${failure.changeId}`,
  };
}
