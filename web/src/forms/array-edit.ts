/**
 * Editing lists in forms (repeatable groups, multi-select): pure, immutable operations on the
 * form data's arrays, tested in array-edit.test.ts. Each returns a new array; an index out of
 * range leaves the list as it was.
 */

/** The list with `item` appended (an absent list counts as empty). */
export function addItem<T>(list: readonly T[] | undefined, item: T): T[] {
  return [...(list ?? []), item];
}

/** The list without the item at `index`; undefined when nothing is left, so an optional list is dropped. */
export function removeItem<T>(list: readonly T[] | undefined, index: number): T[] | undefined {
  const l = list ?? [];
  if (index < 0 || index >= l.length) return l.length ? [...l] : undefined;
  const next = l.filter((_x, i) => i !== index);
  return next.length ? next : undefined;
}

/** The list with the item at `from` moved to `to` (up or down). */
export function moveItem<T>(list: readonly T[] | undefined, from: number, to: number): T[] {
  const l = [...(list ?? [])];
  if (from < 0 || from >= l.length || to < 0 || to >= l.length || from === to) return l;
  const [x] = l.splice(from, 1);
  l.splice(to, 0, x);
  return l;
}

/**
 * A multi-select's values with `value` switched on or off, in the order of the options (so the
 * same choice is always stored the same way); undefined when none is left.
 */
export function toggleValue<T>(selected: readonly T[] | undefined, value: T, on: boolean, options: readonly T[]): T[] | undefined {
  const set = new Set(selected ?? []);
  if (on) set.add(value);
  else set.delete(value);
  const next = options.filter((o) => set.has(o));
  // Values the options do not know (an old form's data) stay, after the known ones.
  for (const v of selected ?? []) if (!options.includes(v) && set.has(v)) next.push(v);
  return next.length ? next : undefined;
}

/** An ajv error's place as a JSON Pointer. */
interface PointedError {
  instancePath: string;
  keyword: string;
  params?: Record<string, unknown>;
}

/** How many errors fall inside row `index` of the list at `pointer` (e.g. /members), counting missing fields. */
export function rowErrorCount(errors: readonly PointedError[], pointer: string, index: number): number {
  const row = `${pointer}/${index}`;
  return errors.filter((e) => e.instancePath === row || e.instancePath.startsWith(`${row}/`)).length;
}

/** A JSON Forms data path ("members.0.name") as a JSON Pointer ("/members/0/name"). */
export function pathToPointer(path: string): string {
  return path ? `/${path.split('.').join('/')}` : '';
}
