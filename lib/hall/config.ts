/**
 * How a hall is configured: one JSON file per hall in db/halls/<department code>.json, applied by
 * the seed at every start (changed categories and windows take effect then). A hall is a
 * department that runs a service hall; its categories (window groups, 业务类别) each take a set of
 * implementation entries, keep the opening hours of one of the entries' windows, and offer
 * `slotCapacity` appointments per half-hour; each window serves one or more categories.
 */
import Ajv from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

export interface HallConfig {
  code: string;
  name: string;
  address: string;
  categories: { code: string; name: string; items: string[]; entryWindow: string; slotCapacity: number }[];
  windows: { number: number; name: string; categories: string[] }[];
}

const schema = {
  type: 'object', additionalProperties: false, required: ['code', 'name', 'address', 'categories', 'windows'],
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 32 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    address: { type: 'string', minLength: 1, maxLength: 300 },
    categories: {
      type: 'array', minItems: 1, maxItems: 26,
      items: {
        type: 'object', additionalProperties: false, required: ['code', 'name', 'items', 'entryWindow', 'slotCapacity'],
        properties: {
          code: { type: 'string', pattern: '^[A-Z]$' }, name: { type: 'string', minLength: 1, maxLength: 100 },
          items: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1, maxLength: 64 } },
          entryWindow: { type: 'string', minLength: 1, maxLength: 200 }, slotCapacity: { type: 'integer', minimum: 0, maximum: 100 },
        },
      },
    },
    windows: {
      type: 'array', minItems: 1, maxItems: 200,
      items: {
        type: 'object', additionalProperties: false, required: ['number', 'name', 'categories'],
        properties: { number: { type: 'integer', minimum: 1, maximum: 999 }, name: { type: 'string', minLength: 1, maxLength: 100 }, categories: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Z]$' } } },
      },
    },
  },
};
const validate = new Ajv({ allErrors: true }).compile<HallConfig>(schema);

const dir = path.resolve(__dirname, '..', '..', 'db', 'halls');

/** The halls shipped with the repo (db/halls/*.json). */
export function hallConfigs(): HallConfig[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as HallConfig);
}

/**
 * What is wrong with a hall's configuration, as sentences (none: it is good): its shape, its
 * department, categories and windows. An entry that is not (or no longer) published is not an
 * error (the catalogue changes under review while the hall's file stays): it is offered as long
 * as it is in the file, and a category whose `entryWindow` no entry names has no opening hours,
 * so no appointment slots; `hallWarnings` lists both.
 */
export async function checkHallConfig(db: Knex | Knex.Transaction, cfg: unknown): Promise<string[]> {
  if (!validate(cfg)) return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  const problems: string[] = [];
  if (!(await db('departments').where({ code: cfg.code }).first('code'))) problems.push(`no department ${cfg.code}`);
  const codes = new Set<string>();
  for (const c of cfg.categories) {
    if (codes.has(c.code)) problems.push(`category ${c.code} is listed twice`);
    codes.add(c.code);
  }
  const numbers = new Set<number>();
  for (const w of cfg.windows) {
    if (numbers.has(w.number)) problems.push(`window ${w.number} is listed twice`);
    numbers.add(w.number);
    for (const c of w.categories) if (!codes.has(c)) problems.push(`window ${w.number}: no category ${c}`);
  }
  return problems;
}

/** What a valid hall configuration lacks in today's catalogue: entries not published, opening hours not found. */
export async function hallWarnings(db: Knex | Knex.Transaction, cfg: HallConfig): Promise<string[]> {
  const warnings: string[] = [];
  for (const c of cfg.categories) {
    const versions = await db('implementation_versions').whereIn('implementation_code', c.items).where({ state: 'published' }).select<{ implementation_code: string; entry: { windows: { name: string }[] } }[]>('implementation_code', 'entry');
    for (const item of c.items) if (!versions.some((v) => v.implementation_code === item)) warnings.push(`category ${c.code}: no published entry ${item}`);
    if (!versions.some((v) => v.entry.windows.some((w) => w.name === c.entryWindow))) warnings.push(`category ${c.code}: none of its entries has a window named ${c.entryWindow}, so it offers no appointments`);
  }
  return warnings;
}

/** Writes a checked hall configuration: the hall, its categories and windows (replacing the ones it had). */
export async function applyHallConfig(trx: Knex.Transaction, cfg: HallConfig): Promise<void> {
  await trx('halls').insert({ code: cfg.code, name: cfg.name, address: cfg.address }).onConflict('code').merge();
  for (const c of cfg.categories) {
    await trx('hall_categories').insert({ hall_code: cfg.code, code: c.code, name: c.name, implementation_codes: JSON.stringify(c.items), entry_window: c.entryWindow, slot_capacity: c.slotCapacity })
      .onConflict(['hall_code', 'code']).merge();
  }
  await trx('hall_windows').where({ hall_code: cfg.code }).del();
  await trx('hall_windows').insert(cfg.windows.map((w) => ({ hall_code: cfg.code, number: w.number, name: w.name, categories: JSON.stringify(w.categories) })));
}
