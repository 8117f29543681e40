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
