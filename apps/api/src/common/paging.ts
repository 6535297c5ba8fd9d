/**
 * The largest offset a list accepts. `@IsInt()` holds for 1e283 (a float with no fraction), which
 * PostgreSQL's OFFSET refuses with an error: a bound keeps such a query a 400.
 */
export const MAX_OFFSET = 1_000_000_000;
