/**
 * Which configuration items a maintenance window or freeze covers: those listed by key, and
 * those carrying one of the tags. A scope that names neither covers every CI.
 */
export interface CalendarScope {
  cis?: readonly string[];
  tags?: readonly string[];
}

/** The part of a configuration item that calendar scopes match on. */
export interface CiRef {
  key: string;
  tags: readonly string[];
}

/** Whether a window's or freeze's scope covers the CI. No scope, or an empty one, covers all. */
export function appliesTo(scope: CalendarScope | undefined, ci: CiRef): boolean {
  const cis = scope?.cis ?? [];
  const tags = scope?.tags ?? [];
  if (cis.length === 0 && tags.length === 0) return true;
  return cis.includes(ci.key) || ci.tags.some((tag) => tags.includes(tag));
}
