/**
 * Local checks of identity numbers. Citizen ID numbers (公民身份号码, GB 11643): 17 digits and a
 * check character by ISO 7064 MOD 11-2; unified social credit codes (统一社会信用代码, GB 32100):
 * 17 characters of the code alphabet and a MOD 31 check character.
 */

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idChecks = '10X98765432';

/** Null when valid, else why not. */
export function checkCitizenId(id: string): string | null {
  if (!/^\d{17}[\dX]$/.test(id)) return '公民身份号码应为17位数字加1位校验码（数字或X）';
  const birth = id.slice(6, 14);
  const y = Number(birth.slice(0, 4)), m = Number(birth.slice(4, 6)), d = Number(birth.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < 1900) return '公民身份号码中的出生日期无效';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * idWeights[i];
  return idChecks[sum % 11] === id[17] ? null : '公民身份号码校验码不正确';
}

const codeAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const codeWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function checkCreditCode(code: string): string | null {
  if (!/^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/.test(code)) return '统一社会信用代码应为18位（数字或不含I、O、Z、S、V的大写字母）';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += codeAlphabet.indexOf(code[i]) * codeWeights[i];
  const check = codeAlphabet[(31 - (sum % 31)) % 31];
  return check === code[17] ? null : '统一社会信用代码校验码不正确';
}
