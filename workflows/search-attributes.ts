/**
 * Search attributes on every case workflow, so supervisors can use Temporal's own list
 * queries, CLI and Web UI. Never personal data. `npm start` and the test fixtures register
 * them on the dev server with these names and types.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ItemCode = defineSearchAttributeKey('ItemCode', SearchAttributeType.KEYWORD);
export const Department = defineSearchAttributeKey('Department', SearchAttributeType.KEYWORD);
export const CaseStatus = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
/** normal / warning (预警) / overdue (超时) of the case clock against the promised limit. */
export const SupervisionState = defineSearchAttributeKey('SupervisionState', SearchAttributeType.KEYWORD);
/** The promised deadline (承诺办结时限) as it stands. */
export const Deadline = defineSearchAttributeKey('Deadline', SearchAttributeType.DATETIME);

/** A list-query clause for cases of these departments (codes reduced to the characters a code may hold). */
export function departmentIn(codes: string[]): string {
  return `${Department.name} IN (${codes.map((d) => `'${d.replace(/[^A-Za-z0-9._-]/g, '')}'`).join(', ') || "''"})`;
}

export const keywordAttributes = [ItemCode, Department, CaseStatus, SupervisionState] as const;

/** `--search-attribute` arguments for `temporal server start-dev`. */
export const devServerSearchAttributes: readonly string[] = [...keywordAttributes.map((k) => `${k.name}=Keyword`), `${Deadline.name}=Datetime`];
