import { CreateCmdbAndChangeTables1764493200000 } from './1764493200000-create-cmdb-and-change-tables';

/** In order. A migration, once released, is never edited: add a new one. */
export const STEWARD_MIGRATIONS = [CreateCmdbAndChangeTables1764493200000];
