/**
 * Text is clean at the door: one check of every request, after the body is parsed and before any
 * route, so nothing further in (validators, the workflow, its projection into PostgreSQL) ever
 * sees text that cannot be stored. Refused with a 400 that names the field:
 * - NUL (U+0000), which PostgreSQL's text and jsonb cannot hold;
 * - lone UTF-16 surrogates (U+D800–U+DFFF not in a pair), which are not text at all;
 * - the other non-characters: U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two code points of
 *   every plane (U+1FFFE, U+1FFFF, … U+10FFFF);
 * - bodies nested deeper than `maxDepth` objects and arrays.
 * in the JSON body (names and values), the query string and the path (a malformed `%` escape in
 * the path is refused here too). Everything else passes and is stored as given: RTL and
 * zero-width marks, emoji, CJK extension characters, control characters such as tab and newline.
 *
 * The walk is iterative, so a deep body cannot overflow the stack here (V8's JSON.parse is
 * iterative as well).
 */
import type { RequestHandler } from 'express';
import { AppError, type FieldProblem } from '../lib/errors';
import { matchOperation } from './openapi';

/** Objects and arrays inside one another, the body itself being level 1. */
export const maxDepth = 32;

/** At most this many problems are listed; the first ones are enough to fix a request. */
const maxProblems = 20;

// With the `u` flag a surrogate range matches only a surrogate that is not half of a pair.
const badChar = /[\0\p{Noncharacter_Code_Point}\uD800-\uDFFF]/u;

/** What is wrong with a string, or undefined when it is clean. */
export function textProblem(s: string): string | undefined {
  const m = badChar.exec(s);
  if (!m) return undefined;
  const cp = m[0].codePointAt(0)!;
  const at = `at character ${m.index + 1}`;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0) return `contains U+0000 (NUL) ${at}, which cannot be stored`;
  if (cp >= 0xd800 && cp <= 0xdfff) return `contains a lone surrogate ${hex} ${at}: not valid Unicode text`;
  return `contains the non-character ${hex} ${at}`;
}

export const badText = (errors: FieldProblem[]) =>
  new AppError(400, 'bad-text', 'The request contains text that cannot be accepted', 'NUL, lone surrogates and Unicode non-characters are not accepted', errors);

export const tooDeep = (pointer: string) =>
  new AppError(400, 'too-deeply-nested', 'The request body is nested too deeply', `objects and arrays may be nested at most ${maxDepth} levels deep`, [
    { pointer, detail: `nested deeper than ${maxDepth} levels` },
  ]);

const escapeToken = (t: string) => t.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The problems of a parsed JSON value: the first too-deep container (the walk does not go into
 * it), and up to `maxProblems` bad strings. A bad field name is reported at its object, with
 * the name escaped in the detail, so the answer never carries the bad text itself.
 */
export function bodyProblems(value: unknown, root = ''): { tooDeepAt?: string; text: FieldProblem[] } {
  const text: FieldProblem[] = [];
  const stack: { v: unknown; p: string; depth: number }[] = [{ v: value, p: root, depth: 1 }];
  while (stack.length) {
    const { v, p, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const why = textProblem(v);
      if (why) text.push({ pointer: p, detail: why });
    } else if (v !== null && typeof v === 'object') {
      if (depth > maxDepth) return { tooDeepAt: p, text };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], p: `${p}/${i}`, depth: depth + 1 });
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i];
          const why = textProblem(k);
          if (why) text.push({ pointer: p, detail: `the field name ${JSON.stringify(k)} ${why}` });
          else stack.push({ v: (v as Record<string, unknown>)[k], p: `${p}/${escapeToken(k)}`, depth: depth + 1 });
        }
      }
    }
    if (text.length >= maxProblems) break;
  }
  return { text: text.slice(0, maxProblems) };
}

/** Names of the path's segments: the operation's parameter names where the path matches one. */
function segmentNames(path: string): string[] {
  const segments = path.split('/');
  if (!path.startsWith('/api/')) return segments.map((_s, i) => String(i));
  const op = matchOperation('get', path.slice(4)) ?? matchOperation('post', path.slice(4)) ?? matchOperation('put', path.slice(4)) ?? matchOperation('delete', path.slice(4));
  const template = op ? ['', 'api', ...op.path.split('/').slice(1)] : [];
  return segments.map((_s, i) => /^\{(\w+)\}$/.exec(template[i] ?? '')?.[1] ?? String(i));
}

function pathProblems(path: string): { malformed: FieldProblem[]; text: FieldProblem[] } {
  const malformed: FieldProblem[] = [];
  const text: FieldProblem[] = [];
  if (!/%|[^\x20-\x7e]/.test(path)) return { malformed, text };
  const names = segmentNames(path);
  path.split('/').forEach((raw, i) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      malformed.push({ pointer: `/path/${names[i]}`, detail: 'has a malformed % escape (each % must start the UTF-8 bytes of a character)' });
      return;
    }
    const why = textProblem(decoded);
    if (why) text.push({ pointer: `/path/${names[i]}`, detail: why });
  });
  return { malformed, text };
}

function queryProblems(query: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [name, value] of Object.entries(query)) {
    const nameProblem = textProblem(name);
    if (nameProblem) {
      problems.push({ pointer: '/query', detail: `the parameter name ${JSON.stringify(name)} ${nameProblem}` });
      continue;
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      const why = typeof v === 'string' ? textProblem(v) : undefined;
      if (why) problems.push({ pointer: `/query/${escapeToken(name)}`, detail: why });
    }
  }
  return problems.slice(0, maxProblems);
}

/** The middleware: mounted once, after body parsing and before every route. */
export function cleanText(): RequestHandler {
  return (req, _res, next) => {
    const path = pathProblems(req.path);
    if (path.malformed.length) {
      return next(new AppError(400, 'bad-path-encoding', 'The request path is not well encoded', 'a % escape in the path does not decode to UTF-8 text', path.malformed));
    }
    const problems = [...path.text, ...queryProblems(req.query)];
    if (req.body !== undefined && req.body !== null && typeof req.body === 'object') {
      const body = bodyProblems(req.body);
      if (body.tooDeepAt !== undefined) return next(tooDeep(body.tooDeepAt));
      problems.push(...body.text);
    }
    if (problems.length) return next(badText(problems.slice(0, maxProblems)));
    next();
  };
}
