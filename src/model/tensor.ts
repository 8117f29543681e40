/**
 * An in-memory tensor (one parameter, or one slice of it) and the bit-exact operations the
 * conversions need: dtype casts (fp32 → bf16/fp16 round-to-nearest-even, widening exact), row and
 * column slices, concatenation, row padding (zeros or last-row copies) and row permutations.
 * Hand-written (no tensor library): every op is a byte copy or a per-element cast, and these are
 * the only ones checkpoint conversion uses.
 */
import { SoloError } from '../errors.js';
import { f32ToBf16Bits, f32ToF16Bits, f16BitsToF32 } from '../formats/fp16.js';

export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const ITEMSIZE: Readonly<Record<DType, number>> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16'];

export interface Tensor {
  dtype: DType;
  shape: number[];
  /** Row-major little-endian bytes. */
  data: Buffer;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function makeTensor(dtype: DType, shape: number[], data: Buffer): Tensor {
  const want = numel(shape) * ITEMSIZE[dtype];
  if (data.length !== want) throw new SoloError(`tensor ${dtype}[${shape.join(',')}] needs ${want} bytes, got ${data.length}`);
  return { dtype, shape, data };
}

export function parseDType(s: string): DType {
  const alias: Record<string, DType> = { fp32: 'float32', float: 'float32', bf16: 'bfloat16', fp16: 'float16', half: 'float16', f32: 'float32' };
  const d = (alias[s] ?? s) as DType;
  if (!(d in ITEMSIZE)) throw new SoloError(`unknown dtype ${s}`);
  return d;
}

/** Bytes per row for dim-0 slicing. */
function rowBytes(t: Tensor): number {
  return (numel(t.shape.slice(1)) || (t.shape.length > 1 ? 0 : 1)) * ITEMSIZE[t.dtype];
}

/** Converts a float tensor to another float dtype (RNE when narrowing, exact when widening). */
export function castTensor(t: Tensor, to: DType): Tensor {
  if (t.dtype === to) return t;
  const n = numel(t.shape);
  const from = t.dtype;
  if (!FLOAT_DTYPES.includes(from) || !FLOAT_DTYPES.includes(to)) throw new SoloError(`cannot cast ${from} to ${to}`);
  // Fast paths for the conversions of the SOLO chain.
  const src = t.data;
  if (from === 'float32' && to === 'bfloat16') {
    const u32 = new Uint32Array(src.buffer, src.byteOffset, n);
    const aligned = src.byteOffset % 4 === 0 ? u32 : new Uint32Array(Buffer.from(src).buffer, 0, n);
    const out = Buffer.allocUnsafe(n * 2);
    const o16 = new Uint16Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const x = aligned[i]!;
      if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) o16[i] = ((x >>> 16) | 0x40) & 0xffff;
      else o16[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
    }
    return { dtype: to, shape: [...t.shape], data: out };
  }
  if (from === 'bfloat16' && to === 'float32') {
    const out = Buffer.allocUnsafe(n * 4);
    const o32 = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) o32[i] = src.readUInt16LE(i * 2) << 16;
    return { dtype: to, shape: [...t.shape], data: out };
  }
  const vals = toFloat64(t);
  return fromFloat64(vals, to, [...t.shape]);
}

/** Element values as float64 (for comparisons and statistics). */
export function toFloat64(t: Tensor): Float64Array {
  const n = numel(t.shape);
  const out = new Float64Array(n);
  const b = t.data;
  switch (t.dtype) {
    case 'float32': for (let i = 0; i < n; i++) out[i] = b.readFloatLE(i * 4); break;
    case 'float64': for (let i = 0; i < n; i++) out[i] = b.readDoubleLE(i * 8); break;
    case 'bfloat16': {
      const f = new Float32Array(1); const u = new Uint32Array(f.buffer);
      for (let i = 0; i < n; i++) { u[0] = b.readUInt16LE(i * 2) << 16; out[i] = f[0]!; }
      break;
    }
    case 'float16': for (let i = 0; i < n; i++) out[i] = f16BitsToF32(b.readUInt16LE(i * 2)); break;
    case 'int64': for (let i = 0; i < n; i++) out[i] = Number(b.readBigInt64LE(i * 8)); break;
    case 'int32': for (let i = 0; i < n; i++) out[i] = b.readInt32LE(i * 4); break;
    case 'int16': for (let i = 0; i < n; i++) out[i] = b.readInt16LE(i * 2); break;
    case 'int8': for (let i = 0; i < n; i++) out[i] = b.readInt8(i); break;
    case 'uint8': case 'bool': for (let i = 0; i < n; i++) out[i] = b[i]!; break;
  }
  return out;
}

/** Float values → a float tensor of `dtype` (RNE for narrow types). */
export function fromFloat64(vals: ArrayLike<number>, dtype: DType, shape: number[]): Tensor {
  const n = vals.length;
  const out = Buffer.allocUnsafe(n * ITEMSIZE[dtype]);
  switch (dtype) {
    case 'float32': for (let i = 0; i < n; i++) out.writeFloatLE(vals[i]!, i * 4); break;
    case 'float64': for (let i = 0; i < n; i++) out.writeDoubleLE(vals[i]!, i * 8); break;
    case 'bfloat16': for (let i = 0; i < n; i++) out.writeUInt16LE(f32ToBf16Bits(vals[i]!), i * 2); break;
    case 'float16': for (let i = 0; i < n; i++) out.writeUInt16LE(f32ToF16Bits(vals[i]!), i * 2); break;
    default: throw new SoloError(`fromFloat64: ${dtype} is not a float type`);
  }
  return { dtype, shape, data: out };
}

/** Rows [a, b) of dim 0: a view sharing `t`'s bytes (tensors are never mutated in place). */
export function sliceRows(t: Tensor, a: number, b: number): Tensor {
  if (a < 0 || b > t.shape[0]! || a > b) throw new SoloError(`row slice [${a}, ${b}) outside ${t.shape[0]} rows`);
  const rb = rowBytes(t);
  return { dtype: t.dtype, shape: [b - a, ...t.shape.slice(1)], data: t.data.subarray(a * rb, b * rb) };
}

/** Columns [a, b) of a 2-D tensor. */
export function sliceCols(t: Tensor, a: number, b: number): Tensor {
  if (t.shape.length !== 2) throw new SoloError('column slice needs a 2-D tensor');
  const [rows, cols] = t.shape as [number, number];
  if (a < 0 || b > cols || a > b) throw new SoloError(`column slice [${a}, ${b}) outside ${cols} columns`);
  const es = ITEMSIZE[t.dtype];
  const w = (b - a) * es;
  const out = Buffer.allocUnsafe(rows * w);
  for (let r = 0; r < rows; r++) t.data.copy(out, r * w, (r * cols + a) * es, (r * cols + b) * es);
  return { dtype: t.dtype, shape: [rows, b - a], data: out };
}

export function concatRows(ts: readonly Tensor[]): Tensor {
  const first = ts[0]!;
  for (const t of ts) {
    if (t.dtype !== first.dtype || t.shape.slice(1).join() !== first.shape.slice(1).join()) throw new SoloError(`cannot concatenate rows of ${t.dtype}[${t.shape}] and ${first.dtype}[${first.shape}]`);
  }
  return { dtype: first.dtype, shape: [ts.reduce((a, t) => a + t.shape[0]!, 0), ...first.shape.slice(1)], data: Buffer.concat(ts.map((t) => t.data)) };
}

export function concatCols(ts: readonly Tensor[]): Tensor {
  const first = ts[0]!;
  const rows = first.shape[0]!;
  for (const t of ts) {
    if (t.shape.length !== 2 || t.shape[0] !== rows || t.dtype !== first.dtype) throw new SoloError(`cannot concatenate columns of ${t.dtype}[${t.shape}] and ${first.dtype}[${first.shape}]`);
  }
  const es = ITEMSIZE[first.dtype];
  const cols = ts.reduce((a, t) => a + t.shape[1]!, 0);
  const out = Buffer.allocUnsafe(rows * cols * es);
  for (let r = 0; r < rows; r++) {
    let c = 0;
    for (const t of ts) {
      const w = t.shape[1]! * es;
      t.data.copy(out, (r * cols + c) * es, r * w, (r + 1) * w);
      c += t.shape[1]!;
    }
  }
  return { dtype: first.dtype, shape: [rows, cols], data: out };
}

/** Resize dim 0 to `rows`: truncate, or append zero rows / copies of the last row. */
export function resizeRows(t: Tensor, rows: number, fill: 'zero' | 'last'): Tensor {
  const have = t.shape[0]!;
  if (rows === have) return t;
  if (rows < have) return sliceRows(t, 0, rows);
  const rb = rowBytes(t);
  const out = Buffer.alloc(rows * rb);
  t.data.copy(out, 0, 0, have * rb);
  if (fill === 'last') {
    if (have === 0) throw new SoloError('cannot replicate the last row of an empty tensor');
    const last = t.data.subarray((have - 1) * rb, have * rb);
    for (let r = have; r < rows; r++) last.copy(out, r * rb);
  }
  return { dtype: t.dtype, shape: [rows, ...t.shape.slice(1)], data: out };
}

/** Output row r = input row src(r). */
export function permuteRows(t: Tensor, rows: number, src: (r: number) => number): Tensor {
  const rb = rowBytes(t);
  const out = Buffer.allocUnsafe(rows * rb);
  for (let r = 0; r < rows; r++) {
    const s = src(r);
    t.data.copy(out, r * rb, s * rb, (s + 1) * rb);
  }
  return { dtype: t.dtype, shape: [rows, ...t.shape.slice(1)], data: out };
}
