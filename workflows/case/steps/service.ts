/** A service step: an adapter's check (e.g. the population base), approved or refused by its answer. */
import type { ServiceStep } from '../../definitions';
import type { Case, StepOutcome } from '../context';

export async function runService(c: Case, step: ServiceStep): Promise<StepOutcome> {
  const r = await c.call(() => c.remote.callService({ caseNo: c.caseNo, adapter: step.adapter, operation: step.operation, applicant: c.input.applicant, formData: c.state.formData }));
  c.record('service-called', { payload: { stepId: step.id, adapter: step.adapter, operation: step.operation, ok: r.ok, detail: r.detail } });
  const by = `${step.adapter}.${step.operation}`;
  return r.ok ? { outcome: 'approved', opinion: r.detail, by } : { outcome: 'refused', opinion: `${step.name}未通过：${r.detail}`, by };
}
