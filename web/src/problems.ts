/**
 * The API's problems (RFC 9457) in plain Chinese, by problem type and by field. The API words
 * its `detail` for integrators, in English; what a person reads here comes from this catalogue:
 * a title per problem type, a label per field, and a sentence per kind of field problem. A
 * problem this page does not know still reads as Chinese ("请求未能完成"), never as the code.
 *
 * `web/e2e/plain-chinese.test.ts` checks that every problem type the API can answer with is here.
 */
/** The page's language (as in i18n.tsx; kept here so this module has no JSX). */
type Lang = 'zh' | 'en';

type Pair = [string, string];

/** Every problem type (the last segment of `type`) with what the person is told. */
export const problemTitles: Record<string, Pair> = {
  'bad-request': ['请求内容不正确', 'The request is not valid'],
  'malformed-json': ['请求内容格式不正确', 'The request body is not valid JSON'],
  'bad-text': ['内容中含有无法保存的字符', 'The text has characters that cannot be stored'],
  'too-deeply-nested': ['内容层级过深', 'The body is nested too deeply'],
  'bad-path-encoding': ['网址编码不正确', 'The address is not well encoded'],
  'bad-content-encoding': ['请求内容压缩格式不正确', 'The body is not encoded as it says'],
  'unsupported-content-encoding': ['不支持该压缩格式', 'Content-Encoding not supported'],
  'unsupported-charset': ['不支持该字符集', 'Charset not supported'],
  'payload-too-large': ['上传内容过大', 'The body is too large'],
  'validation-failed': ['请检查填写的内容', 'Please check what you entered'],
  unauthorised: ['未登录或登录已失效，请重新登录', 'Not signed in'],
  forbidden: ['没有权限进行此操作', 'Not allowed'],
  'password-change-required': ['请先修改初始密码', 'Change your password first'],
  'assurance-too-low': ['该事项需要更高的身份认证等级', 'This item needs a higher identity assurance level'],
  'not-acting-for-legal-person': ['您不是该单位的法定代表人或授权经办人', 'You do not act for this legal person'],
  'not-found': ['未找到', 'Not found'],
  'not-in-service': ['该事项暂停或已取消办理', 'The item is not in service'],
  'not-projected-yet': ['办件正在登记，请稍候再试', 'The case is being registered; try again shortly'],
  'case-closed': ['办件已办结，不能再办理', 'The case is closed'],
  'case-finished': ['办件已办结，不能再办理', 'The case is finished'],
  'case-stopped': ['办件流程已中止，请联系平台管理员恢复后再办理', 'The case\'s workflow has stopped; a platform administrator must revive it'],
  'case-revived': ['办件流程刚刚恢复，请重新提交', 'The case was just revived; send it again'],
  'case-running': ['办件流程正常运行，无需恢复', 'The case\'s workflow is running; nothing to revive'],
  'case-not-revivable': ['该办件流程无法恢复，请重新登记', 'The case cannot be revived; file it again'],
  'task-not-open': ['该任务已办理或已撤销', 'The task is no longer open'],
  'wrong-state': ['办件当前状态不允许此操作', 'Not possible in the case\'s current state'],
  'deadline-passed': ['已超过期限', 'The deadline has passed'],
  'action-not-allowed': ['当前环节不允许此操作', 'This step does not allow that action'],
  'invalid-input': ['填写的内容不符合要求', 'The input is not acceptable'],
  'idempotency-key-reused': ['重复提交的内容与首次不一致', 'The repeated request differs from the first'],
  'request-in-progress': ['上一次提交仍在处理中，请稍候', 'The same request is still being processed'],
  'rate-limited': ['操作过于频繁，请稍后再试', 'Too many requests; try again later'],
  'identity-unavailable': ['统一身份认证平台暂不可用', 'The identity platform is unavailable'],
  'verification-unavailable': ['电子证照验证服务暂不可用', 'Certificate verification is unavailable'],
  'archive-unavailable': ['审批档案库未配置，暂不可用', 'The approval archive store is not configured'],
  'service-unavailable': ['服务暂时不可用，请稍后重试', 'Service unavailable; try again shortly'],
  internal: ['服务器暂时无法完成操作', 'The server could not complete this'],
  'not-a-draft': ['该版本不是草稿，不能修改', 'Not a draft'],
  'not-published': ['该事项没有已发布的版本', 'No published version'],
  'draft-exists': ['该事项已有草稿或正在审核的版本', 'A draft already exists'],
  'change-in-review': ['该事项已有变更正在审核', 'A change is already in review'],
  'version-in-review': ['该版本正在审核中', 'The version is in review'],
  'immutable-version': ['已发布的版本不能修改', 'A published version cannot change'],
  'item-differs': ['事项名称、类型或设定依据与目录不一致', 'The item differs from the catalogue'],
  'department-differs': ['实施部门不一致，调整部门需走下放流程', 'The department differs'],
  'document-not-available': ['该办件没有这种文书', 'The case has no such document'],
  'document-not-issued': ['该文书尚未出具', 'The document has not been issued yet'],
  'pdf-unavailable': ['服务器未安装文书字体，暂不能下载 PDF，请先使用打印', 'The server has no font for the PDF; use Print for now'],
  'too-many-drafts': ['草稿箱已满，请先申报或删除草稿', 'The draft box is full'],
  // The service hall (预约、取号、叫号、自助终端)
  'slot-full': ['该时段预约已满，请选择其他时段', 'This slot is fully booked'],
  'already-booked': ['您在该时段已有预约', 'You already hold an appointment for this slot'],
  'not-booked': ['该预约已取消或已取号', 'The appointment is no longer booked'],
  'slot-begun': ['预约时段已开始，不能取消', 'The slot has begun'],
  'not-a-slot': ['所选时间不是可预约的时段（非工作日或不在办公时间内）', 'Not a bookable slot'],
  'slot-past': ['该时段已开始或已过去', 'The slot has begun or passed'],
  'no-such-hall': ['没有这个办事大厅', 'No such hall'],
  'no-such-category': ['没有这个业务类别', 'No such category'],
  'item-not-in-category': ['该事项不在所选业务类别中', 'The item is not in this category'],
  'category-required': ['请选择业务类别', 'Choose a category'],
  'category-differs': ['预约的业务类别与所选不一致', 'The appointment is for another category'],
  'no-such-appointment': ['预约号不正确，请核对短信中的预约号', 'No such appointment'],
  'appointment-used': ['该预约已取过号', 'This appointment already has a ticket'],
  'appointment-not-today': ['预约日期不是今天，请在预约当天取号', 'The appointment is not for today'],
  'appointment-missed': ['预约时段已过，请现场取号', 'The slot has ended; take an ordinary ticket'],
  'window-busy': ['本窗口还有正在办理的号，请先办结、过号或转窗口', 'A ticket is still at this window'],
  'not-at-a-window': ['该号不在窗口办理中', 'The ticket is not at a window'],
  'ticket-moved': ['该号状态已变化，请刷新', 'The ticket changed meanwhile'],
  'same-window': ['该号已在本窗口', 'The ticket is at this window already'],
  'no-such-window': ['没有这个窗口', 'No such window'],
  'not-served': ['该号尚未办理完毕', 'The ticket has not been served'],
  'already-rated': ['已评价过，感谢您的评价', 'Rated already'],
  'no-such-case': ['没有这个办件', 'No such case'],
  'not-at-kiosk': ['该办件的结果不在自助终端领取，或尚未制证', 'The result does not wait at a kiosk'],
  'no-such-pickup': ['取件码不正确，请核对', 'No such pick-up code'],
  'already-collected': ['该证照已领取', 'Collected already'],
  'materials-missing': ['必需材料不齐，不能受理', 'Required materials are missing'],
  'certificates-unavailable': ['电子证照库暂不可用，请收取纸质材料', 'The e-certificate platform is unavailable'],
  'no-correction-open': ['该办件当前不需要补正', 'The case is not waiting for a correction'],
  'simulation-not-allowed': ['该事项不支持模拟审批，请按正式申请办理', 'The item does not allow simulated approval'],
  'preconditions-present': ['前置条件均已具备，请按正式申请办理', 'Every precondition is met: file a formal case'],
  'not-simulated': ['该办件不是模拟审批办件', 'The case is not a simulated case'],
  network: ['无法连接服务器，请检查网络后重试', 'Cannot reach the server'],
};

/** Labels of the fields problems point at (the last segment of the pointer). */
const fieldLabels: Record<string, Pair> = {
  username: ['账号', 'Username'], password: ['密码', 'Password'], currentPassword: ['原密码', 'Current password'], newPassword: ['新密码', 'New password'],
  idNumber: ['身份证号码', 'ID number'], name: ['姓名', 'Name'], phone: ['手机号码', 'Phone'], code: ['验证码', 'Code'],
  opinion: ['审批意见', 'Opinion'], reason: ['理由', 'Reason'], problems: ['补正内容', 'What to supply'], note: ['补正说明', 'Note'], answer: ['督办回复', 'Answer'],
  message: ['督办内容', 'Message'], result: ['结果', 'Result'], comment: ['评价内容', 'Comment'], level: ['评价等级', 'Rating'],
  promisedLimitDays: ['承诺办结时限', 'Promised limit'], statutoryLimitDays: ['法定办结时限', 'Statutory limit'], limitDays: ['环节办理时限', 'Step limit'],
  role: ['办理角色', 'Role'], department: ['实施部门', 'Department'], returnTo: ['可退回的环节', 'Return to'], specialProcedures: ['特别程序', 'Special procedures'],
  steps: ['办理流程', 'Process steps'], branches: ['并联分支', 'Branches'], warnDaysLeft: ['预警提前天数', 'Warning days'], certificateType: ['证照类型', 'Certificate type'],
  materials: ['申请材料', 'Materials'], fee: ['收费', 'Fee'], implementationCode: ['办理事项', 'Item'], fileName: ['文件名', 'File name'], contentType: ['文件类型', 'File type'],
  filedFrom: ['申报起始日期', 'Filed from'], filedTo: ['申报截止日期', 'Filed to'], page: ['页码', 'Page'], applicant: ['申请人', 'Applicant'], formData: ['申请表', 'Form'],
  preconditions: ['模拟审批前置条件', 'Preconditions'], conversionDays: ['模拟审批转正期限', 'Conversion deadline'], materialId: ['申请材料', 'Material'],
  reviews: ['环节审查内容', 'Reviewed content'], files: ['上传的材料', 'Files'],
  missingMaterialsReason: ['缺少材料先行受理的理由', 'Why accept with materials missing'], certificateNo: ['电子证照编号', 'Certificate number'], state: ['材料状态', 'Material state'],
};

/** Field problems as the API words them (ajv's messages and the catalogue's checks), in Chinese. */
const details: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^must have required property '(.+)'$/, () => '此项为必填项'],
  [/^must NOT have fewer than (\d+) characters$/, (m) => `至少填写 ${m[1]} 个字符`],
  [/^must NOT have more than (\d+) characters$/, (m) => `最多 ${m[1]} 个字符`],
  [/^must NOT have fewer than (\d+) items$/, (m) => `至少 ${m[1]} 项`],
  [/^must NOT have more than (\d+) items$/, (m) => `最多 ${m[1]} 项`],
  [/^must match pattern/, () => '格式不正确'],
  [/^must match format "date"$/, () => '请填写有效日期（年-月-日）'],
  [/^must match format/, () => '格式不正确'],
  [/^must be >= (.+)$/, (m) => `不能小于 ${m[1]}`],
  [/^must be <= (.+)$/, (m) => `不能大于 ${m[1]}`],
  [/^must be integer$/, () => '请填写整数'],
  [/^must be (number|string|boolean|object|array)$/, () => '填写的类型不正确'],
  [/^must be equal to one of the allowed values$/, () => '请从选项中选择'],
  [/^must NOT have additional properties$/, () => '包含未定义的字段'],
  [/^must not be after filedTo$/, () => '起始日期不能晚于截止日期'],
  [/promised limit \((\d+)\) exceeds the statutory limit \((\d+)\)/, (m) => `承诺时限（${m[1]} 个工作日）不能超过法定时限（${m[2]} 个工作日）`],
  [/step limits add up to (\d+) working days, more than the statutory limit of (\d+)/, (m) => `各环节时限合计 ${m[1]} 个工作日，超过法定时限 ${m[2]} 个工作日`],
  [/step limit \((\d+)\) exceeds the statutory limit \((\d+)\)/, (m) => `环节时限（${m[1]} 个工作日）不能超过法定时限（${m[2]} 个工作日）`],
  [/instant item .* promised limit is 0/, () => '即办件当场办结，承诺时限应为 0'],
  [/instant item .* exactly one task step/, () => '即办件只能有一个在窗口办理的环节'],
  [/^role ".*" does not exist$/, () => '该角色不存在'],
  [/^department ".*" does not exist$/, () => '该部门不存在'],
  [/^step id ".*" is already used/, () => '环节编号重复'],
  [/lists the earlier steps it may return to/, () => '允许退回的环节须列出可退回的前序环节'],
  [/returnTo is given but the step does not allow/, () => '该环节不允许退回，不应设置可退回环节'],
  [/special procedures need the "suspend" action/, () => '设置特别程序须允许“特别程序”操作'],
  [/at least two departments/, () => '并联审批至少涉及两个部门'],
  [/certificate result names its certificate type/, () => '结果为证照时须填写证照类型'],
  [/warning with .* days left would come at or before the start/, () => '预警提前天数过多，预警将早于时限开始'],
  [/either an e-certificate type \(certificateType\) or a material/, () => '前置条件须为电子证照类型或本事项的一项申请材料（二选一）'],
  [/^precondition id ".*" is used twice$/, () => '前置条件编号重复'],
  [/is not a material of this entry$/, () => '不是本事项的申请材料'],
  [/^the form has no field "/, () => '申请表中没有该字段'],
  [/cannot be reviewed as a simulation/, () => '即办件不能模拟审批'],
  [/password may not contain your user id or name/, () => '密码不能包含账号或姓名'],
  [/password is too common/, () => '密码过于常见，请换一个'],
  [/at least 5 different characters/, () => '密码至少包含 5 个不同字符'],
  [/at least 12 characters|fewer than 12/, () => '密码至少 12 位'],
  [/check character|not a valid (citizen )?ID|ID number/i, () => '身份证号码不正确'],
  [/file name/, () => '文件名不符合要求'],
  [/does not match its content|not a whole|content/, () => '文件内容与类型不符'],
];

function pair(p: Pair, lang: Lang): string {
  return lang === 'zh' ? p[0] : p[1];
}

/** The last segment of a problem `type` URI, e.g. `validation-failed`. */
export function problemCode(type: string): string {
  return type.split('/').filter(Boolean).pop() ?? '';
}

export function problemTitle(type: string, status: number, lang: Lang): string {
  const known = problemTitles[problemCode(type)];
  if (known) return pair(known, lang);
  if (status === 401) return pair(problemTitles.unauthorised, lang);
  if (status === 403) return pair(problemTitles.forbidden, lang);
  if (status === 404) return pair(problemTitles['not-found'], lang);
  if (status === 409) return pair(problemTitles['wrong-state'], lang);
  if (status >= 500) return pair(problemTitles.internal, lang);
  return lang === 'zh' ? '请求未能完成' : 'The request could not be completed';
}

/** The label of the field a JSON Pointer names (`/query/filedFrom` → 申报起始日期). */
export function fieldLabel(pointer: string, lang: Lang): string {
  const parts = pointer.split('/').filter((s) => s && !/^\d+$/.test(s) && s !== 'query' && s !== 'path');
  for (let i = parts.length - 1; i >= 0; i--) {
    const l = fieldLabels[parts[i]];
    if (l) return pair(l, lang);
  }
  return lang === 'zh' ? '填写内容' : (parts.at(-1) ?? 'field');
}

/** A field problem's sentence; in English the API's own words. */
export function fieldDetail(detail: string, lang: Lang): string {
  if (lang === 'en') return detail;
  for (const [re, zh] of details) {
    const m = detail.match(re);
    if (m) return zh(m);
  }
  return '此项内容不符合要求';
}
