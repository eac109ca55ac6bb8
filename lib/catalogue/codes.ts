/**
 * The coding rule of the catalogue (同一编码): an item code is
 * `<type code>-<6-digit administrative division code>-<5-digit serial>`, e.g. XK-330000-00001,
 * where the type code is fixed by the item's type; an implementation entry's code is the item
 * code, a dot, and the implementing department's code, e.g. XK-330000-00001.xh-scjg.
 */
import type { FieldProblem } from '../errors';

/** The ten power types and public services, with their two-letter codes. */
export const itemTypes = {
  行政许可: 'XK',
  行政给付: 'JF',
  行政确认: 'QR',
  行政征收: 'ZS',
  行政裁决: 'CJ',
  行政奖励: 'JL',
  行政处罚: 'CF',
  行政强制: 'QZ',
  行政检查: 'JC',
  其他行政权力: 'QT',
  公共服务: 'GG',
} as const;

export type ItemType = keyof typeof itemTypes;

export const itemTypeNames = Object.keys(itemTypes) as ItemType[];

const itemCodePattern = /^([A-Z]{2})-([1-8][0-9]{5})-([0-9]{5})$/;

export function checkItemCode(code: string, type: string, pointer: string): FieldProblem[] {
  const m = itemCodePattern.exec(code);
  if (!m) return [{ pointer, detail: `item code "${code}" does not follow the rule <type code>-<6-digit division code>-<5-digit serial>, e.g. XK-330000-00001` }];
  const expected = itemTypes[type as ItemType] as string | undefined;
  if (expected && m[1] !== expected) return [{ pointer, detail: `item code "${code}" starts with ${m[1]}, but a ${type} item's code starts with ${expected}` }];
  if (!Object.values(itemTypes).includes(m[1] as never)) return [{ pointer, detail: `"${m[1]}" is not a type code` }];
  if (m[3] === '00000') return [{ pointer, detail: 'the serial of an item code starts at 00001' }];
  return [];
}

export function implementationCode(itemCode: string, departmentCode: string): string {
  return `${itemCode}.${departmentCode}`;
}

export function checkImplementationCode(code: string, itemCode: string, departmentCode: string, pointer: string): FieldProblem[] {
  const expected = implementationCode(itemCode, departmentCode);
  return code === expected ? [] : [{ pointer, detail: `implementation code must be "${expected}" (item code, a dot, the department code)` }];
}
