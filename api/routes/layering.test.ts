/**
 * Routes are thin: they validate, identify the caller and call services (api/services/); no
 * route file builds a query or holds a transaction. Read as text, so a new `db('table')` in a
 * route fails here before review.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

/** Files still to be moved (owned by another change at the time of writing); empty this list as they are. */
const pending = new Set(['materials.ts']);

/** What using the database handle looks like in TypeScript with knex. */
const databaseUse: [string, RegExp][] = [
  ['a table query: db(…) / deps.db(…) / trx(…)', /\b(?:db|trx|knex)\s*\(|\.db\s*\(/],
  ['db.raw / db.fn / db.transaction', /\b(?:db|trx)\.(?:raw|fn|transaction|schema|select|from|table)\b/],
  ['a query builder call', /\.(?:where|whereIn|whereNull|whereNot|whereRaw|orWhere|andWhere|select|insert|update|del|leftJoin|innerJoin|orderBy|orderByRaw|groupBy|pluck|first|returning|onConflict|count)\s*\(/],
  ['an import of knex', /from ['"]knex['"]/],
];

/** Every line of a source text that uses the database, with what it does. */
export function databaseLines(source: string): string[] {
  const found: string[] = [];
  source.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
    for (const [what, re] of databaseUse) if (re.test(code)) found.push(`${i + 1}: ${what}: ${line.trim()}`);
  });
  return found;
}

describe('routes hold no SQL', () => {
  const dir = __dirname;
  const routes = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it('when a route file is read, then it never uses the database handle itself (services do)', () => {
    expect(routes.length).to.be.greaterThan(5);
    const offences = routes.filter((f) => !pending.has(f)).flatMap((f) => databaseLines(fs.readFileSync(path.join(dir, f), 'utf8')).map((l) => `${f}:${l}`));
    expect(offences).to.deep.equal([]);
  });

  it('when the check reads lines that query, then it finds each (so a clean result means something)', () => {
    const samples = [
      "const row = await db('cases').where({ case_no: caseNo }).first();",
      'await deps.db(\'staff_users\').where({ id }).first();',
      'await db.transaction(async (trx) => {',
      "res.json({ rows: await q.select('id') });",
      "import type { Knex } from 'knex';",
    ];
    for (const s of samples) expect(databaseLines(s), s).to.have.length.greaterThan(0);
    expect(databaseLines("res.status(201).location(`/api/cases/${caseNo}`).json(await caseSearch(db, p, { q }));")).to.deep.equal([]);
  });
});
