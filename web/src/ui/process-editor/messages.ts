/**
 * The catalogue's validation problems in plain Chinese. The server's `detail` is English for
 * integrators (lib/catalogue/validate-entry.ts words each semantic check; ajv words the schema's);
 * the editor shows each on its step in these words, never a code or a step id.
 */
import type { Lang } from '../../i18n';
import { validationMessage } from '../../forms/messages';

const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^the promised limit \((\d+)\) exceeds the statutory limit \((\d+)\)$/, (m) => `承诺时限（${m[1]} 个工作日）超过了法定时限（${m[2]} 个工作日）`],
  [/^an instant item .* promised limit is 0$/, () => '即办件当场办结，承诺时限应为 0'],
  [/^an instant item .* exactly one task step/, () => '即办件只能有一个在窗口办理的审查环节'],
  [/^a certificate result names its certificate type$/, () => '办理结果为证照时须填写证照类型'],
  [/^a warning with (\d+) days left would come at or before the start of a (\d+)-day limit$/, (m) => `剩余 ${m[1]} 个工作日时预警，但时限只有 ${m[2]} 个工作日，预警会在开始时就发出`],
  [/^the step limits add up to (\d+) working days, more than the statutory limit of (\d+)$/, (m) => `各环节时限合计 ${m[1]} 个工作日，超过法定时限 ${m[2]} 个工作日`],
  [/^the step limit \((\d+)\) exceeds the statutory limit \((\d+)\)$/, (m) => `环节时限（${m[1]} 个工作日）超过了法定时限（${m[2]} 个工作日）`],
  [/^role ".*" does not exist$/, () => '所选角色不存在，请从列表中选择'],
  [/^department ".*" does not exist$/, () => '所选部门不存在，请从列表中选择'],
  [/^a step that allows "return" lists the earlier steps it may return to$/, () => '允许“退回”的环节须选择可退回到的前序环节'],
  [/^returnTo is given but the step does not allow the "return" action$/, () => '选了可退回的环节，但本环节没有允许“退回”操作'],
  [/is not an earlier step: a return may only go back/, () => '只能退回到本环节之前的环节，不能退回到之后的环节或本环节'],
  [/is not a step of this process$/, () => '可退回的环节已不在流程中'],
  [/^special procedures need the "suspend" action$/, () => '设置特别程序须允许“挂起”操作'],
  [/^a branch may take (\d+) working days, more than the parallel step's limit of (\d+)$/, (m) => `有分支最长需 ${m[1]} 个工作日，超过并联环节时限 ${m[2]} 个工作日`],
  [/^parallel approval involves at least two departments$/, () => '并联审批至少涉及两个部门：请让各分支由不同部门办理'],
  [/^step id ".*" is already used at/, () => '环节编号与其他环节重复'],
  [/^the condition has more than (\d+) parts/, (m) => `条件过于复杂（超过 ${m[1]} 个部分），请拆分或简化`],
  [/^the condition is (\d+) characters long, more than (\d+)$/, (m) => `条件过长（${m[1]} 个字符，上限 ${m[2]}）`],
  [/^the condition may take up to (\d+) steps to evaluate/, () => '条件计算量可能超过上限，请少比较列表字段'],
  [/^the condition nests deeper than (\d+) levels/, (m) => `条件嵌套超过 ${m[1]} 层`],
  [/^a condition is an object with exactly one operator$/, () => '每个条件只能有一个运算'],
  [/is not a supported condition operator/, () => '条件使用了不支持的运算'],
  [/^var names a field as a string/, () => '条件中的字段名应为文字'],
  [/^var takes a field name and at most one default value$/, () => '条件中的字段最多带一个默认值'],
  [/is not case data: use/, () => '条件只能引用表单字段或申请人类型'],
  [/is a name every JavaScript object has/, () => '条件引用的不是表单字段'],
  [/^the form has no field ".*"$/, () => '条件引用的字段不在本事项的表单中'],
  [/^form .* is not stored$/, () => '所选表单版本不存在'],
  [/^rule (\d+) has no value$/, (m) => `条件 ${m[1]} 还没有填写比较的值`],
  [/^rule (\d+) compares a number field with text$/, (m) => `条件 ${m[1]} 的字段是数字，请填写数字`],
];

/** A problem's sentence as the editor shows it. */
export function problemText(detail: string, lang: Lang): string {
  if (lang === 'en') return detail;
  for (const [re, zh] of rules) {
    const m = detail.match(re);
    if (m) return zh(m);
  }
  const ajv = validationMessage(detail, lang);
  return ajv !== detail ? ajv : '此处内容不符合要求';
}

/** What part of a step a problem's field (the rest of its pointer) names, in words. */
export function fieldWords(field: string): string {
  const first = field.split('/')[0];
  const words: Record<string, string> = {
    id: '环节编号', name: '环节名称', department: '办理部门', role: '办理角色', actions: '允许的操作', limitDays: '环节时限', returnTo: '可退回环节',
    specialProcedures: '特别程序', when: '适用条件', lead: '牵头部门', join: '汇总规则', branches: '分支', system: '部门系统', adapter: '接口',
    operation: '接口操作', milestones: '办理节点', supervision: '预警规则', type: '环节类型',
  };
  if (first === 'branches' && /^branches\/\d+\/(id|name)$/.test(field)) return '分支';
  return words[first] ?? '本环节';
}
