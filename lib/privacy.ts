/**
 * Masking of personal data (个人信息脱敏) for lists, logs and views of people who do not need
 * the full value: ID numbers and credit codes keep their first 4 and last 4 characters, phone
 * numbers their first 3 and last 4, addresses their first 6 characters. Pure functions.
 */

const idNumberPattern = /^[0-9A-Z]{18}$/;
const mobilePattern = /^1[3-9][0-9]{9}$/;
const landlinePattern = /^0[0-9]{2,3}-?[0-9]{7,8}$/;

export function maskIdNumber(v: string): string {
  return v.length <= 8 ? '*'.repeat(v.length) : `${v.slice(0, 4)}${'*'.repeat(v.length - 8)}${v.slice(-4)}`;
}

export function maskPhone(v: string): string {
  return v.length <= 7 ? '*'.repeat(v.length) : `${v.slice(0, 3)}${'*'.repeat(v.length - 7)}${v.slice(-4)}`;
}

export function maskAddress(v: string): string {
  return v.length <= 6 ? '****' : `${v.slice(0, 6)}****`;
}

const idKeys = /^(idNumber|idCard|idNo|creditCode|.*IdNumber|.*CreditCode|legalRepresentativeId)$/;
const phoneKeys = /^(phone|mobile|tel|telephone|.*Phone|.*Mobile)$/;
const addressKeys = /^(address|.*Address|addr|residence|domicile)$/;

/** A copy of `value` with personal data masked, by field name and by the shape of the value. */
export function maskPersonalData<T>(value: T): T {
  return walk(value, '') as T;
}

function walk(v: unknown, key: string): unknown {
  if (typeof v === 'string') {
    if (idKeys.test(key) || idNumberPattern.test(v) && /[0-9]{17}/.test(v.slice(0, 17))) return maskIdNumber(v);
    if (phoneKeys.test(key) || mobilePattern.test(v) || landlinePattern.test(v)) return maskPhone(v);
    if (addressKeys.test(key)) return maskAddress(v);
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => walk(x, key));
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
  }
  return v;
}

/** Masks ID numbers, credit codes and phone numbers wherever they appear in free text (log lines). */
export function maskText(text: string): string {
  return text
    .replace(/(?<![0-9A-Z])([0-9]{17}[0-9X]|[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Z])/g, (m) => maskIdNumber(m))
    .replace(/(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g, (m) => maskPhone(m));
}
