/**
 * The supervision benchmark's workflows: the platform's own, except that a case is not handed the
 * calendar the API read at its start, so it asks the worker for one (the calendarSnapshot local
 * activity), and the supervision worker answers with its compressed calendar.
 */
import { caseWorkflow as platformCaseWorkflow } from '../workflows/case-workflow';
import type { CaseInput } from '../workflows/definitions';

export { calendarChangeWorkflow, catalogueChangeWorkflow, reconciliationWorkflow, retentionWorkflow, supervisionSweepWorkflow } from '../workflows';

export async function caseWorkflow(input: CaseInput): ReturnType<typeof platformCaseWorkflow> {
  const { calendar: _ignored, ...rest } = input;
  return platformCaseWorkflow(rest);
}
