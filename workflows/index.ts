/** Every workflow the worker registers. One workflow per kebab-case file. */
export { calendarChangeWorkflow } from './calendar-change-workflow';
export { caseWorkflow } from './case-workflow';
export { catalogueChangeWorkflow } from './catalogue-change-workflow';
export { reconciliationWorkflow } from './reconciliation-workflow';
export { retentionWorkflow } from './retention-workflow';
export { supervisionSweepWorkflow } from './supervision-sweep-workflow';
