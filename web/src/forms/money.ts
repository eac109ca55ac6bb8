/**
 * Money in forms: people type 元 (yuan, up to two decimals, thousands separators allowed), the
 * form data keeps 分 (fen) as an integer, so no amount is ever a binary fraction. Pure functions,
 * tested in money.test.ts.
 */

/** What a typed amount is: empty, an exact number of 分, or text that is no amount. */
export type ParsedYuan = { kind: 'empty' } | { kind: 'fen'; fen: number } | { kind: 'invalid' };

/** Parses what was typed in 元 ("1,234.5", "￥12", "0.05") into 分, exactly (no floating point). */
export function parseYuan(text: string): ParsedYuan {
  const t = text.trim().replace(/^[¥￥]\s*/, '').replace(/[,，]/g, '').replace(/\s*元$/, '');
  if (t === '') return { kind: 'empty' };
  const m = /^(-?)(\d{1,13})(?:\.(\d{0,2}))?$/.exec(t);
  if (!m) return { kind: 'invalid' };
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0') || '0');
  return { kind: 'fen', fen: m[1] === '-' ? -fen : fen };
}

/** 分 as 元 for an input: "1234.50", "0.05", "-3.00"; integers only. */
export function fenToYuanText(fen: number): string {
  if (!Number.isSafeInteger(fen)) return '';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 分 as 元 to read: "¥1,234.50". */
export function fenToYuanDisplay(fen: number): string {
  const text = fenToYuanText(fen);
  if (!text) return '';
  const [whole, cents] = text.replace('-', '').split('.');
  return `${fen < 0 ? '-' : ''}¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}
