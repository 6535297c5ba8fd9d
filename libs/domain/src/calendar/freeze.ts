import type { CalendarScope, CiRef } from './scope';
import { appliesTo } from './scope';

/**
 * An absolute range in which changes to the CIs in scope must not run (quarter close, a peak
 * sales weekend). `allowEmergency` lets emergency changes through; without it even an
 * emergency change waits.
 */
export interface FreezePeriod {
  id: string;
  name: string;
  start: Date;
  end: Date;
  reason: string;
  scope?: CalendarScope;
  allowEmergency: boolean;
}

/**
 * Whether the freeze stops a change to these CIs: it covers at least one of them, and the
 * change is not an emergency that the freeze lets through.
 */
export function freezeBlocks(freeze: FreezePeriod, cis: readonly CiRef[], emergency = false): boolean {
  if (emergency && freeze.allowEmergency) return false;
  return cis.some((ci) => appliesTo(freeze.scope, ci));
}

/**
 * The freezes that forbid changing these CIs at the instant `at`. The workflow asks again when
 * it wakes for its window, because a freeze may have been declared while it slept.
 */
export function freezesAt(freezes: readonly FreezePeriod[], cis: readonly CiRef[], at: Date, emergency = false): FreezePeriod[] {
  const instant = at.getTime();
  return freezes.filter((freeze) => freeze.start.getTime() <= instant && instant < freeze.end.getTime() && freezeBlocks(freeze, cis, emergency));
}
