/**
 * Generated hostile text for the property tests of the API's doors (fast-check): lone
 * surrogates, NUL, non-characters, RTL and zero-width marks, emoji and CJK extension characters,
 * 100 KB strings, and the same text nested deep in objects and arrays.
 */
import fc from 'fast-check';

/** Pieces that text is made of: the bad, the unusual but legitimate, and the plain. */
export const bad = ['\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ufffe', '\uffff', '\ufdd0', '\ufdef', '\u{1fffe}', '\u{10ffff}'];
export const unusual = ['\u200f', '\u200e', '\u202e', '\u202c', '\u2067', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '😀', '👩‍👩‍👧', '🇨🇳', '𠀀', '𪚥', '\u{2b820}', '\t', '\n', '\u3000', 'é'];
export const plain = ['张三', '申请', '材料齐全', 'abc', ' ', '123', '-', '（', '）'];

/** A string of about `length` UTF-16 units made of `c`, optionally ending in one bad piece. */
const long = (length: number) => fc.tuple(fc.constantFrom('x', '汉', '😀', '\u200b'), fc.option(fc.constantFrom(...bad))).map(([c, b]) => c.repeat(Math.ceil(length / c.length)) + (b ?? ''));

/** Hostile text, up to `longLength` (default 100,000) UTF-16 units in its long variant. */
export function hostileText(longLength = 100_000): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...bad) }, { weight: 3, arbitrary: fc.constantFrom(...unusual) }, { weight: 4, arbitrary: fc.constantFrom(...plain) }), { minLength: 1, maxLength: 12 }).map((a) => a.join('')) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...unusual, ...plain), { minLength: 2, maxLength: 8 }).map((a) => `申请${a.join('')}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }) },
    { weight: 1, arbitrary: long(longLength) },
  );
}

export const text: fc.Arbitrary<string> = hostileText();

/** `t` wrapped in objects (and arrays, when `arrays`) `depth` levels deep. */
export function nest(t: unknown, depth: number, arrays: boolean): unknown {
  let v: unknown = t;
  for (let i = 0; i < depth; i++) v = arrays && i % 2 ? [v] : { k: v };
  return v;
}

/** The text, or the text wrapped in objects and arrays 1–60 levels deep. */
export const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: fc.tuple(text, fc.integer({ min: 1, max: 60 }), fc.boolean()).map(([t, depth, arrays]) => nest(t, depth, arrays)) },
);
