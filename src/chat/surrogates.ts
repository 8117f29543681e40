/**
 * Lone UTF-16 surrogates. JSON.parse accepts `"\ud83d"` and gives a string that is not valid
 * Unicode; Python's sentencepiece then fails on it (the reference skips the line), so solo reports it.
 */
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(s: string): boolean {
  const f = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (typeof f === 'function') return !f.call(s);
  return LONE.test(s);
}

/** Index of the first lone surrogate, or -1. */
export function findLoneSurrogate(s: string): number {
  const m = LONE.exec(s);
  return m ? m.index : -1;
}

const SURROGATE = /[\ud800-\udfff]/;

/** Python's `len(str)`: code points (a surrogate pair counts once, a lone surrogate once). */
export function codePointLength(s: string): number {
  let n = s.length;
  if (!SURROGATE.test(s)) return n;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
