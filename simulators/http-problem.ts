/**
 * A refusal a simulator answers with: an HTTP status and the `{ code, message }` body that the
 * clients turn into an AdapterRefusal. Plus small checks of request bodies that throw one.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

export function object(v: unknown, where = '请求体'): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpProblem(400, 'bad-request', `${where}应为 JSON 对象`);
  return v as Json;
}

export function str(o: Json, key: string, opts: { pattern?: RegExp } = {}): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw new HttpProblem(400, 'bad-request', `缺少字段 ${key}`);
  if (opts.pattern && !opts.pattern.test(v)) throw new HttpProblem(400, 'bad-request', `字段 ${key} 格式不正确`);
  return v;
}

export function optStr(o: Json, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new HttpProblem(400, 'bad-request', `字段 ${key} 应为字符串`);
  return v;
}

export function int(o: Json, key: string, min = 0): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new HttpProblem(400, 'bad-request', `字段 ${key} 应为不小于 ${min} 的整数`);
  return v;
}

export function list(o: Json, key: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new HttpProblem(400, 'bad-request', `字段 ${key} 应为数组`);
  return v;
}

export const notFound = (what: string) => new HttpProblem(404, 'not-found', `${what}不存在`);
