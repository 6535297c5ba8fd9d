/** A change as the calendar sees it: what it touches and when. */
export interface ScheduledChange {
  id: string;
  cis: readonly string[];
  start: Date;
  end: Date;
}

/** Two changes that would run at the same time on the same or related CIs. `a` sorts before `b`. */
export interface ChangeConflict {
  a: string;
  b: string;
  /** The CIs through which they collide: shared ones, and both ends of each related pair. */
  cis: string[];
}

const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/**
 * Every pair of changes whose intervals overlap and that share a CI or touch CIs that depend
 * on one another. `related` is asked both ways round, so a one-way "depends on" lookup is
 * enough. Each pair is reported once, sorted by change id.
 */
export function findConflicts(changes: readonly ScheduledChange[], related: (a: string, b: string) => boolean): ChangeConflict[] {
  const sorted = [...changes].sort((x, y) => byText(x.id, y.id));
  const conflicts: ChangeConflict[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const [a, b] = [sorted[i], sorted[j]];
      if (a.id === b.id) continue;
      if (!(a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime())) continue;
      const cis = new Set<string>();
      for (const x of a.cis) {
        for (const y of b.cis) {
          if (x === y) cis.add(x);
          else if (related(x, y) || related(y, x)) cis.add(x).add(y);
        }
      }
      if (cis.size > 0) conflicts.push({ a: a.id, b: b.id, cis: [...cis].sort(byText) });
    }
  }
  return conflicts;
}
