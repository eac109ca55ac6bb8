/** The State Council's holiday arrangements shipped with the repo (db/calendar/<year>.json). */
import fs from 'node:fs';
import path from 'node:path';
import { expandArrangement, type CalendarYear } from './working-days';

const dir = path.resolve(__dirname, '..', '..', 'db', 'calendar');

export interface Arrangement {
  year: number;
  source: string;
  holidays: { name: string; from: string; to: string }[];
  workdays: { name: string; date: string }[];
}

export function officialArrangements(): Arrangement[] {
  return fs.readdirSync(dir).filter((f) => /^\d{4}\.json$/.test(f)).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Arrangement);
}

export function officialYears(): (CalendarYear & { source: string })[] {
  return officialArrangements().map((a) => ({ year: a.year, source: a.source, days: expandArrangement(a) }));
}
