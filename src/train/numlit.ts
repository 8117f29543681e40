/**
 * Numeric literals kept as text (the reference passes `5e-5` verbatim, and the checkpoint
 * directory name embeds it), plus Python's `'%.4f'` formatting for mixture weights.
 *
 * Hand-written because JS `toFixed` rounds exact binary ties half up (0.03125 → "0.0313")
 * while Python rounds them half to even ("0.0312"); the notebook's weight strings are Python's.
 */

/** A decimal or scientific literal, emitted verbatim. */
export type NumLit = string;

export const NUMLIT_RE = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function isNumLit(v: unknown): v is string {
  return typeof v === 'string' && NUMLIT_RE.test(v);
}

/** Exact decimal expansion of a finite double as [integer digits, fraction digits] (no sign). */
function exactDecimal(x: number): { neg: boolean; int: bigint; frac: string } {
  const neg = x < 0 || Object.is(x, -0);
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  if (exp >= 0) return { neg, int: mant << BigInt(exp), frac: '' };
  const k = -exp; // value = mant / 2^k = mant * 5^k / 10^k
  const scaled = mant * 5n ** BigInt(k);
  const s = scaled.toString().padStart(k + 1, '0');
  return { neg, int: BigInt(s.slice(0, s.length - k)), frac: s.slice(s.length - k) };
}

/** Python `format(x, '.Nf')`: correctly rounded, ties (exact in binary) to even. */
export function formatFixedPy(x: number, digits = 4): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot format ${x}`);
  const { neg, int, frac } = exactDecimal(x);
  const padded = frac.padEnd(digits + 1, '0');
  let kept = BigInt(int.toString() + padded.slice(0, digits));
  const rest = padded.slice(digits);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  if (first > 5 || (first === 5 && (tail || kept % 2n === 1n))) kept += 1n;
  let s = kept.toString().padStart(digits + 1, '0');
  if (digits > 0) s = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
  return (neg ? '-' : '') + s; // Python keeps the sign of a value that rounds to zero
}

/** A mixture weight as the blend string shows it: literals verbatim, numbers with 4 decimals. */
export function formatWeight(w: string | number): string {
  return typeof w === 'number' ? formatFixedPy(w, 4) : w;
}
