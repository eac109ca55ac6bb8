/**
 * User text in LIKE patterns. `%` and `_` (and the escape character itself) in what a user
 * typed must match only themselves, so they are escaped, and every pattern names its escape
 * character explicitly rather than relying on the server's default.
 */
import type { Knex } from 'knex';

/** `s` with `\`, `%` and `_` escaped by a backslash. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type LikeMode = 'contains' | 'prefix';

function patternOf(text: string, mode: LikeMode): string {
  return mode === 'prefix' ? `${escapeLike(text)}%` : `%${escapeLike(text)}%`;
}

/** `column [i]like pattern escape '\'` with the user's text escaped. */
export function whereLike(qb: Knex.QueryBuilder, column: string, text: string, o: { mode?: LikeMode; caseInsensitive?: boolean; or?: boolean } = {}): Knex.QueryBuilder {
  const op = o.caseInsensitive ? 'ilike' : 'like';
  const sql = `?? ${op} ? escape '\\'`;
  const bindings = [column, patternOf(text, o.mode ?? 'contains')];
  return o.or ? qb.orWhereRaw(sql, bindings) : qb.whereRaw(sql, bindings);
}
