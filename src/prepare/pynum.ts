/**
 * Python-typed numbers for the reference's text outputs (`P.jsonl`, `P_stats.json`): the
 * reference distinguishes `1` (int) from `1.0` (float), so every stats value carries an
 * "is float" flag, and floats print with Python's `repr` layout (spec §9.7). Hand-written:
 * JS has no Python-compatible float formatter.
 */

/** A number with its Python type. */
export interface PyNum {
  value: number;
  float: boolean;
}

export const pyInt = (value: number): PyNum => ({ value, float: false });
export const pyFloat = (value: number): PyNum => ({ value, float: true });

/** Python `a + b`: int + int stays int, anything with a float becomes float. */
export function pyAdd(a: PyNum, b: PyNum): PyNum {
  return { value: a.value + b.value, float: a.float || b.float };
}

/** Python `repr(float)`: shortest round-trip digits, scientific when exponent < -4 or >= 16. */
export function formatPyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expStr] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const k = digits.length;
  const e = Number(expStr) + 1; // value = 0.d1d2… × 10^e
  if (e <= -4 || e > 16) {
    const exp = e - 1;
    const expAbs = Math.abs(exp);
    return `${sign}${digits[0]}${k > 1 ? '.' + digits.slice(1) : ''}e${exp < 0 ? '-' : '+'}${expAbs < 10 ? '0' : ''}${expAbs}`;
  }
  if (e <= 0) return `${sign}0.${'0'.repeat(-e)}${digits}`;
  if (e >= k) return `${sign}${digits}${'0'.repeat(e - k)}.0`;
  return `${sign}${digits.slice(0, e)}.${digits.slice(e)}`;
}

/** JSON text of a typed number as Python's `json.dumps` writes it. */
export function formatPyNum(n: PyNum): string {
  if (n.float) return formatPyFloat(n.value);
  return Number.isSafeInteger(n.value) ? String(n.value) : BigInt(Math.trunc(n.value)).toString();
}

/** Python `json.dumps(dict)` with default separators (`", "`, `": "`) for string keys and typed numbers. */
export function pyJsonObject(entries: Iterable<readonly [string, PyNum]>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) parts.push(`${JSON.stringify(k)}: ${formatPyNum(v)}`);
  return `{${parts.join(', ')}}`;
}
