import { DEFAULT_CMDB_SETTINGS, type CmdbSettings as Settings } from '@steward/config';

/** The CMDB's configurable periods, injectable by type. */
export class CmdbSettings implements Settings {
  constructor(
    readonly staleAfterDays = DEFAULT_CMDB_SETTINGS.staleAfterDays,
    readonly discoveryExplainDays = DEFAULT_CMDB_SETTINGS.discoveryExplainDays,
  ) {}

  staleBefore(now: Date): Date {
    return new Date(now.getTime() - this.staleAfterDays * 86_400_000);
  }
}
