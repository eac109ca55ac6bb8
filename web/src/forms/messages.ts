/**
 * Validation messages. The browser validates with the same ajv options as the server (JSON
 * Forms' createAjv), so both produce the same English ajv message for the same problem; this
 * one function turns that text into what the user reads, whether the message came from the
 * form before submission or from the API's 422 after it.
 */
import type { Lang } from '../i18n';

const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^must have required property '(.+)'$/, () => '此项为必填项'],
  [/^must NOT have fewer than (\d+) characters$/, (m) => `至少填写 ${m[1]} 个字符`],
  [/^must NOT have more than (\d+) characters$/, (m) => `最多 ${m[1]} 个字符`],
  [/^must NOT have fewer than (\d+) items$/, (m) => `至少 ${m[1]} 项`],
  [/^must NOT have more than (\d+) items$/, (m) => `最多 ${m[1]} 项`],
  [/^must match pattern "(.*)"$/, () => '格式不正确'],
  [/^must match format "date"$/, () => '请填写有效日期（年-月-日）'],
  [/^must match format "date-time"$/, () => '请填写有效的日期时间'],
  [/^must match format "email"$/, () => '请填写有效的电子邮箱'],
  [/^must match format "(.+)"$/, (m) => `格式应为 ${m[1]}`],
  [/^must be >= (.+)$/, (m) => `不能小于 ${m[1]}`],
  [/^must be <= (.+)$/, (m) => `不能大于 ${m[1]}`],
  [/^must be > (.+)$/, (m) => `应大于 ${m[1]}`],
  [/^must be < (.+)$/, (m) => `应小于 ${m[1]}`],
  [/^must be integer$/, () => '请填写整数'],
  [/^must be number$/, () => '请填写数字'],
  [/^must be string$/, () => '请填写文字'],
  [/^must be boolean$/, () => '请选择是或否'],
  [/^must be object$/, () => '格式不正确'],
  [/^must be equal to one of the allowed values$/, () => '请从选项中选择'],
  [/^must be equal to constant$/, () => '取值不符合要求'],
  [/^must NOT have additional properties$/, () => '包含表单未定义的字段'],
  [/^must match "then" schema$/, () => '请补全相关信息'],
  [/^must be multiple of (.+)$/, (m) => `应为 ${m[1]} 的倍数`],
];

/** The user-facing text of an ajv message (also the `detail` of an API field problem). */
export function validationMessage(message: string, lang: Lang): string {
  if (lang === 'en') return message;
  for (const [re, zh] of rules) {
    const m = message.match(re);
    if (m) return zh(m);
  }
  return message;
}
