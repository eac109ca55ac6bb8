/**
 * Identity assurance levels (身份认证等级), weakest first. Pure, so workflows may import it.
 * anonymous 匿名: browse only. basic 初级: ID + name checked against the population base and the
 * phone by SMS code. intermediate 中级: checked at a window, by bank card or face. advanced 高级:
 * live face or video check during the case.
 */
export const assuranceLevels = ['anonymous', 'basic', 'intermediate', 'advanced'] as const;

export type AssuranceLevel = (typeof assuranceLevels)[number];

export const assuranceLevelNames: Record<AssuranceLevel, string> = {
  anonymous: '匿名',
  basic: '初级',
  intermediate: '中级',
  advanced: '高级',
};

export function isAssuranceLevel(v: unknown): v is AssuranceLevel {
  return typeof v === 'string' && (assuranceLevels as readonly string[]).includes(v);
}

/** Whether a user at level `have` may do what needs level `need`. */
export function meetsLevel(have: AssuranceLevel, need: AssuranceLevel): boolean {
  return assuranceLevels.indexOf(have) >= assuranceLevels.indexOf(need);
}
