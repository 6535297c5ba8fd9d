import { canonicalJson } from '../change/canonical-json';

/** What the CMDB records of a CI, for the fields discovery can see. */
export interface RecordedCi {
  key: string;
  version: string | null;
  status: string;
  attributes: Record<string, unknown>;
}

/** What a discovery source reported for one CI. Absent fields were not observed. */
export interface DiscoveredCi {
  key: string;
  version?: string | null;
  status?: string;
  attributes?: Record<string, unknown>;
}

/** A completed change's promise about a CI: the values its plan set. */
export interface AuthorizedCiUpdate {
  changeId: string;
  completedAt: Date;
  version?: string;
  status?: string;
  attributes?: Record<string, unknown>;
}

export interface Drift {
  key: string;
  /** `version`, `status` or `attributes.<name>`. */
  field: string;
  recorded: unknown;
  discovered: unknown;
  /** The change that authorized the discovered value, if one did. */
  explainedBy?: string;
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

function explanation(field: string, discovered: unknown, updates: readonly AuthorizedCiUpdate[]): string | undefined {
  // The newest change wins: it is the one whose promise is in force.
  const newestFirst = [...updates].sort((a, b) => b.completedAt.getTime() - a.completedAt.getTime());
  for (const update of newestFirst) {
    const promised =
      field === 'version' ? update.version : field === 'status' ? update.status : update.attributes?.[field.slice('attributes.'.length)];
    if (promised !== undefined) return same(promised, discovered) ? update.changeId : undefined;
  }
  return undefined;
}

/**
 * Every difference between the record and the observation, each explained by an authorized
 * change or not. Only observed fields count: a source that does not report status says
 * nothing about it. Unexplained drift is an unauthorized change (principle 5).
 */
export function classifyDrift(recorded: RecordedCi, discovered: DiscoveredCi, updates: readonly AuthorizedCiUpdate[] = []): Drift[] {
  const drifts: Drift[] = [];
  const compare = (field: string, was: unknown, seen: unknown) => {
    if (same(was, seen)) return;
    const explainedBy = explanation(field, seen, updates);
    drifts.push({ key: recorded.key, field, recorded: was ?? null, discovered: seen ?? null, ...(explainedBy ? { explainedBy } : {}) });
  };
  if (discovered.version !== undefined) compare('version', recorded.version, discovered.version);
  if (discovered.status !== undefined) compare('status', recorded.status, discovered.status);
  for (const [name, value] of Object.entries(discovered.attributes ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    compare(`attributes.${name}`, recorded.attributes[name], value);
  }
  return drifts;
}
