/** A structural diff of two JSON values, as a list of changes located by JSON Pointers. */

export interface Change {
  pointer: string;
  op: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const esc = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

export function diffJson(from: unknown, to: unknown, pointer = ''): Change[] {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => {
      const at = `${pointer}/${esc(k)}`;
      if (!(k in to)) return [{ pointer: at, op: 'removed' as const, from: from[k] }];
      if (!(k in from)) return [{ pointer: at, op: 'added' as const, to: to[k] }];
      return diffJson(from[k], to[k], at);
    });
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const out: Change[] = [];
    for (let i = 0; i < Math.max(from.length, to.length); i++) {
      const at = `${pointer}/${i}`;
      if (i >= to.length) out.push({ pointer: at, op: 'removed', from: from[i] });
      else if (i >= from.length) out.push({ pointer: at, op: 'added', to: to[i] });
      else out.push(...diffJson(from[i], to[i], at));
    }
    return out;
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ pointer: pointer || '/', op: 'changed', from, to }];
}
