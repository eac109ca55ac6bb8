/**
 * Search attributes on every case workflow, so supervisors can use Temporal's own list
 * queries, CLI and Web UI. Never personal data. `npm start` and the test fixtures register
 * them on the dev server with these names and types.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ItemCode = defineSearchAttributeKey('ItemCode', SearchAttributeType.KEYWORD);
export const Department = defineSearchAttributeKey('Department', SearchAttributeType.KEYWORD);
export const CaseStatus = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);

/** `--search-attribute` arguments for `temporal server start-dev`. */
export const devServerSearchAttributes: string[] = [ItemCode, Department, CaseStatus].map(
  (k) => `${k.name}=Keyword`,
);
