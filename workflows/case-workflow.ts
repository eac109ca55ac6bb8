/**
 * caseWorkflow: one per case (办件), workflow id = the unified case number.
 *
 * Cases started before the second engine replay and finish on the first (workflows/legacy/);
 * every new case runs the second (workflows/case/, starting at run-case.ts). The choice is made
 * once, before the first command, and recorded in the history (patch `engine-second-design`,
 * see workflows/patches.ts for when the first engine can go).
 */
import { patched } from '@temporalio/workflow';
import type { CaseInput } from './definitions';
import type { CaseResult } from './case/context';
import { runCase } from './case/run-case';
import { legacyCaseWorkflow } from './legacy/case-workflow-2026-11-29';
import { Patches } from './patches';

export type { CaseResult } from './case/context';

export async function caseWorkflow(input: CaseInput): Promise<CaseResult> {
  if (!patched(Patches.secondEngine)) return legacyCaseWorkflow(input);
  return runCase(input);
}
