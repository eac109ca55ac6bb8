/**
 * Step conditions: JsonLogic over the case data, never `eval`. Pure, deterministic, usable in
 * workflow code. The data a condition sees is `{ form, applicant: { kind } }`.
 */
import jsonLogic from 'json-logic-js';

export interface ConditionData {
  form: Record<string, unknown>;
  applicant: { kind: string };
}

/** True when the step applies; a step without a condition always applies. */
export function applies(when: Record<string, unknown> | undefined, data: ConditionData): boolean {
  if (!when) return true;
  return Boolean(jsonLogic.apply(when as jsonLogic.RulesLogic, data));
}
