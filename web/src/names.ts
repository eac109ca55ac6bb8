/**
 * Plain words for the codes the API and the engine use: roles, step ids, supervision causes,
 * special procedures and case events. The zh-CN page never shows the code itself; an unknown
 * code gets a general word, not the code.
 */
import type { Lang } from './i18n';
import type { ProcessStep } from './types';

type Pair = [string, string];
const pick = (p: Pair | undefined, lang: Lang, fallback: Pair): string => (p ?? fallback)[lang === 'zh' ? 0 : 1];

const roles: Record<string, Pair> = {
  clerk: ['综合窗口受理员', 'Window clerk'],
  approver: ['审批人', 'Approver'],
  reviewer: ['审核人', 'Reviewer'],
  head: ['审批负责人', 'Head'],
  inspector: ['现场核查员', 'Inspector'],
  caseworker: ['经办人', 'Caseworker'],
  supervisor: ['电子监察员', 'Supervisor'],
  'catalogue-admin': ['事项管理员', 'Catalogue administrator'],
  'classification-reviewer': ['编办事项审核员', 'Classification reviewer'],
  'legal-reviewer': ['合法性审核员', 'Legality reviewer'],
  'integrity-reviewer': ['廉政风险审核员', 'Integrity reviewer'],
  'platform-admin': ['平台管理员', 'Platform administrator'],
};

export function roleName(role: string | null | undefined, lang: Lang): string {
  return pick(roles[role ?? ''], lang, ['工作人员', 'Staff']);
}

/** Step ids the engine itself uses, and those common in the catalogue. */
const steps: Record<string, Pair> = {
  precheck: ['预审', 'Pre-check'],
  handover: ['窗口发证', 'Hand-over'],
  certificate: ['电子证照签发', 'Certificate'],
  delivery: ['送达', 'Delivery'],
  payment: ['缴费', 'Payment'],
  review: ['审查', 'Review'],
  'accept-review': ['受理审核', 'Acceptance review'],
  'site-inspection': ['现场核查', 'Site inspection'],
  'site-survey': ['现场勘查', 'Site survey'],
  'expert-review': ['专家评审', 'Expert review'],
  decision: ['审批决定', 'Decision'],
  'sign-off': ['审批签发', 'Sign-off'],
  'joint-review': ['并联审查', 'Joint review'],
  'face-check': ['人脸核验', 'Face check'],
  extension: ['延期审批', 'Extension'],
  'follow-up': ['跟进查询', 'Follow-up'],
};

/** The name of a step: from the item's process when known, else the engine's own words. */
export function stepName(id: string | null | undefined, lang: Lang, process?: ProcessStep[]): string {
  if (!id) return lang === 'zh' ? '环节' : 'Step';
  const found = process && findStep(process, id);
  if (found) return found.name;
  return pick(steps[id], lang, ['办理环节', 'Step']);
}

function findStep(list: ProcessStep[], id: string): ProcessStep | undefined {
  for (const s of list) {
    if (s.id === id) return s;
    for (const b of s.branches ?? []) {
      if (b.id === id) return { ...s, id: b.id, name: b.name };
      const inner = findStep(b.steps, id);
      if (inner) return inner;
    }
  }
  return undefined;
}

const causes: Record<string, Pair> = {
  'promised-limit-near': ['临近承诺办结时限', 'Promised limit near'],
  'promised-limit-passed': ['超过承诺办结时限', 'Promised limit passed'],
  'statutory-limit-passed': ['超过法定办结时限', 'Statutory limit passed'],
  'step-limit-near': ['环节临近办理时限', 'Step limit near'],
  'step-limit-passed': ['环节超过办理时限', 'Step limit passed'],
  'deadline-moved': ['期限已延后，撤销预警或超时', 'Deadline moved: level lowered'],
  'statutory-deadline-moved': ['法定期限已延后，撤销超时', 'Statutory deadline moved: alarm lifted'],
  'step-closed-before': ['环节在期限前已办结，撤销预警或超时', 'Step finished before the limit: level lowered'],
};

export function causeName(cause: string, lang: Lang): string {
  // A department's system said when the step truly ended (step-ended-at-<instant>).
  if (cause.startsWith('step-ended-at-')) return pick(['部门系统办结时间早于期限，撤销预警或超时', "The department's system finished the step in time: level lowered"], lang, ['监察提示', 'Supervision notice']);
  return pick(causes[cause], lang, ['监察提示', 'Supervision notice']);
}

const procedures: Record<string, Pair> = {
  hearing: ['听证', 'Hearing'], inspection: ['检验检测检疫', 'Inspection'], appraisal: ['鉴定', 'Appraisal'],
  'expert-review': ['专家评审', 'Expert review'], 'public-notice': ['公示', 'Public notice'], tender: ['招标拍卖', 'Tender / auction'],
};

export function procedureName(type: string, lang: Lang): string {
  return pick(procedures[type], lang, ['特别程序', 'Special procedure']);
}

/** What a completed task's action means in the case's history. */
const actionsDone: Record<string, Pair> = {
  accept: ['受理', 'accepted'], reject: ['不予受理', 'refused to accept'], correction: ['要求补正', 'asked for a correction'],
  approve: ['审核通过', 'approved'], refuse: ['不予许可', 'refused'], return: ['退回', 'sent back'], suspend: ['启动特别程序', 'started a special procedure'],
  void: ['作废', 'voided'], handover: ['当面交付', 'handed over'], answer: ['答复', 'answered'], retry: ['重试', 'retried'], skip: ['跳过', 'skipped'],
  confirm: ['确认', 'confirmed'], enter: ['录入结果', 'entered the result'],
};

export function actionDone(action: string, lang: Lang): string {
  return pick(actionsDone[action], lang, ['办理', 'handled']);
}

const events: Record<string, Pair> = {
  filed: ['申报', 'Filed'],
  'precheck-started': ['开始预审', 'Pre-check started'],
  accepted: ['受理', 'Accepted'],
  'auto-accepted': ['逾期未告知，依法视为受理', 'Deemed accepted (no notice within 5 days)'],
  'correction-requested': ['一次性告知补正', 'Correction requested'],
  'correction-replied': ['申请人提交补正', 'Correction supplied'],
  'review-started': ['进入审查', 'Review started'],
  'task-opened': ['转入环节', 'Step opened'],
  'task-completed': ['办理', 'Step done'],
  'task-assigned': ['认领任务', 'Task claimed'],
  returned: ['退回重办', 'Sent back'],
  'step-skipped': ['环节不适用，跳过', 'Step skipped'],
  'condition-decided': ['条件判断', 'Condition decided'],
  'condition-failed': ['条件判断失败，转人工', 'Condition failed'],
  'parallel-started': ['并联审批开始', 'Parallel review started'],
  'parallel-joined': ['并联审批汇总', 'Parallel review joined'],
  'department-dispatched': ['推送部门业务系统', 'Sent to the department system'],
  'department-milestone': ['部门系统办理进度', 'Department milestone'],
  'department-milestone-ignored': ['部门系统进度（已过时）', 'Department milestone (stale)'],
  'department-result': ['部门系统办理结果', 'Department result'],
  'department-result-entered': ['人工录入部门结果', 'Department result entered'],
  'department-result-found': ['查询到部门结果', 'Department result found'],
  'department-result-stale': ['部门结果（已过时）', 'Department result (stale)'],
  'service-called': ['调用共享服务', 'Service called'],
  'special-procedure-started': ['特别程序开始（时间不计入时限）', 'Special procedure started'],
  'special-procedure-ended': ['特别程序结束', 'Special procedure ended'],
  'extension-requested': ['申请延期', 'Extension requested'],
  'extension-approved': ['延期获批', 'Extension approved'],
  'extension-denied': ['延期未获批准', 'Extension denied'],
  decided: ['作出决定', 'Decided'],
  'payment-ordered': ['开具缴款通知', 'Payment ordered'],
  'payment-reminded': ['缴费提醒', 'Payment reminder'],
  'payment-received': ['缴费成功', 'Paid'],
  'payment-expired': ['缴费期限已过', 'Payment expired'],
  'payment-cancelled': ['缴款单撤销', 'Payment cancelled'],
  'payment-refunded': ['退费', 'Refunded'],
  issuing: ['制证', 'Issuing'],
  'certificate-issued': ['签发电子证照', 'Certificate issued'],
  'courier-booked': ['邮寄送达，已交寄', 'Courier booked'],
  'awaiting-pickup': ['待领取', 'Awaiting pick-up'],
  delivered: ['送达', 'Delivered'],
  'delivery-found': ['查询到送达结果', 'Delivery found'],
  'delivery-confirmed-by-hand': ['人工确认送达', 'Delivery confirmed by hand'],
  completed: ['办结', 'Completed'],
  evaluated: ['服务评价', 'Rated'],
  'evaluation-window-closed': ['评价期结束', 'Rating period over'],
  closed: ['归档', 'Closed'],
  urged: ['督办', 'Urged'],
  'urge-answered': ['回复督办', 'Urge answered'],
  'materials-replaced': ['以电子证照替代材料', 'Materials replaced by e-certificates'],
  'face-check-requested': ['发起人脸核验', 'Face check requested'],
  'face-check-passed': ['人脸核验通过', 'Face check passed'],
  'face-check-failed': ['人脸核验未通过', 'Face check failed'],
  'face-check-confirmed-at-window': ['窗口核验身份', 'Identity confirmed at the window'],
  'manual-retried': ['人工重试', 'Retried by hand'],
  'manual-skipped': ['人工跳过', 'Skipped by hand'],
  'platform-refused': ['共享平台拒绝请求', 'Platform refused'],
  'follow-up-answered': ['跟进查询已处理', 'Follow-up answered'],
  'deadlines-recomputed': ['节假日调整，重新计算期限', 'Deadlines recomputed'],
  'identity-verified': ['实名核验通过', 'Identity verified'],
  'identity-check-failed': ['实名核验未通过', 'Identity check failed'],
  'face-check-timed-out': ['人脸核验超时', 'Face check timed out'],
  'simulated-opinion': ['出具模拟审批意见', 'Simulated opinion given'],
  'simulation-lapsed': ['模拟审批意见失效', 'Simulated opinion lapsed'],
  'precondition-reported': ['申请人报告前置条件', 'Precondition reported'],
  'precondition-certificate-found': ['查询到前置条件证照', 'Precondition certificate found'],
  'simulation-converting': ['前置条件具备，转入正式审批', 'Converting to formal review'],
  'step-carried-over': ['沿用模拟审批意见', 'Simulated opinion carried over'],
  'simulation-converted': ['模拟审批转正', 'Simulation converted'],
  'simulation-refused': ['模拟审批不予通过', 'Simulation refused'],
  'simulation-ended': ['模拟审批终止', 'Simulation ended'],
  'simulation-certificate': ['转正后制证', 'Certificate after conversion'],
  'supervision-warning': ['预警（黄牌）', 'Warning (yellow)'],
  'supervision-overdue': ['超时（红牌）', 'Overdue (red)'],
  'supervision-corrected': ['监察更正', 'Supervision corrected'],
  'not-accepted': ['不予受理', 'Not accepted'],
  lapsed: ['模拟审批意见过期，办件终止', 'Lapsed'],
  withdrawn: ['撤回申请', 'Withdrawn'],
  voided: ['作废', 'Voided'],
};

export function eventName(type: string, lang: Lang): string {
  return pick(events[type], lang, ['办理记录', 'Recorded']);
}

const delivery: Record<string, Pair> = { window: ['窗口领取', 'Window pick-up'], courier: ['邮寄送达', 'By courier'], kiosk: ['自助终端', 'Kiosk'] };

export function deliveryName(method: string | null | undefined, lang: Lang): string {
  return pick(delivery[method ?? ''], lang, ['送达', 'Delivery']);
}

const assurance: Record<string, Pair> = { anonymous: ['匿名', 'anonymous'], basic: ['初级', 'basic'], intermediate: ['中级', 'intermediate'], advanced: ['高级', 'advanced'] };
export const assuranceOrder = ['anonymous', 'basic', 'intermediate', 'advanced'];

export function assuranceName(level: string | null | undefined, lang: Lang): string {
  return pick(assurance[level ?? ''], lang, ['初级', 'basic']);
}

/**
 * Who did something, as people say it: a staff member by name (`staffNames`, from the case view),
 * the platform's own parts by what they are, an applicant as 申请人; an id no name is known for as it is.
 */
export function actorName(actor: string | null | undefined, lang: Lang, staffNames: Record<string, string> = {}): string | null | undefined {
  if (!actor) return actor;
  if (Object.hasOwn(staffNames, actor)) return staffNames[actor];
  if (actor === 'supervision') return lang === 'zh' ? '电子监察' : 'Supervision';
  if (actor === 'system') return lang === 'zh' ? '系统' : 'System';
  if (actor.startsWith('applicant:')) return `${lang === 'zh' ? '申请人' : 'Applicant'} ${actor.slice('applicant:'.length)}`;
  return actor;
}
