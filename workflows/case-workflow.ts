/**
 * caseWorkflow: one per case (办件), workflow id = the unified case number.
 *
 * Cases started before the second engine replay and finish on the first (workflows/legacy/);
 * every new case runs the second (workflows/case/, starting at run-case.ts). The choice is made
 * once, before the first command, and recorded in the history (patch `engine-second-design`,
 * see workflows/patches.ts for when the first engine can go; a case begun since
 * `baseline-2026-12-02` records that one marker instead, for this patch and every other before it).
 */
import { patched } from '@temporalio/workflow';
import type { CaseInput } from './definitions';
import type { CaseResult } from './case/context';
import { runCase } from './case/run-case';
import { legacyCaseWorkflow } from './legacy/case-workflow-2026-11-29';
import { Patches } from './patches';

export type { CaseResult } from './case/context';

export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  // Asked first: a case begun since the baseline takes the new path of every patch before it,
  // with this one marker; a case begun before has no such marker and asks each, as it did.
  const baseline = patched(Patches.baseline20261202);
  if (!baseline && !patched(Patches.secondEngine)) return legacyCaseWorkflow(input);
  return runCase(input, baseline);
}
