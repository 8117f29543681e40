/**
 * `solo model verify <a> <b>`: compares two checkpoints of any kind (HF dir, Megatron release /
 * sharded / trained dir) tensor by tensor under HF names, one tensor pair in memory at a time.
 * Reports per tensor: max |a − b| over the common rows, whether the bytes are identical (same
 * dtype), and for vocabulary tensors the extra (padding) rows of the longer one and whether they
 * are all zero. A mismatch (missing tensor, shape or value difference above `atol`, or — with
 * `strictVocab` — different vocabulary row counts) makes `ok` false.
 */
import type { ProgressFn } from '../progress.js';
import { openAnySource } from './any-source.js';
import { ITEMSIZE, numel, type DType, type Tensor } from './tensor.js';
import { bf16BitsToF32, f16BitsToF32 } from '../formats/fp16.js';

export interface VerifyOptions {
  a: string;
  b: string;
  iterationA?: number | 'release';
  iterationB?: number | 'release';
  /** Largest accepted |a − b| (default 0: exact values). */
  atol?: number;
  /** Fail when vocabulary tensors have different row counts (default: report only). */
  strictVocab?: boolean;
  onProgress?: ProgressFn;
}

export interface TensorDiff {
  name: string;
  shapeA?: number[];
  shapeB?: number[];
  dtypeA?: DType;
  dtypeB?: DType;
  maxAbsDiff?: number;
  bitIdentical?: boolean;
  /** Extra vocabulary rows of the longer tensor (ignored in maxAbsDiff). */
  extraRows?: { in: 'a' | 'b'; rows: number; allZero: boolean };
  ok: boolean;
  problem?: string;
}

export interface VerifyResult {
  ok: boolean;
  a: string;
  b: string;
  tensors: TensorDiff[];
  mismatches: number;
  maxAbsDiff: number;
  notes: string[];
}

function reader(dtype: DType, buf: Buffer): (i: number) => number {
  switch (dtype) {
    case 'float32': return (i) => buf.readFloatLE(i * 4);
    case 'float64': return (i) => buf.readDoubleLE(i * 8);
    case 'bfloat16': return (i) => bf16BitsToF32(buf.readUInt16LE(i * 2));
    case 'float16': return (i) => f16BitsToF32(buf.readUInt16LE(i * 2));
    case 'int64': return (i) => Number(buf.readBigInt64LE(i * 8));
    case 'int32': return (i) => buf.readInt32LE(i * 4);
    case 'int16': return (i) => buf.readInt16LE(i * 2);
    case 'int8': return (i) => buf.readInt8(i);
    default: return (i) => buf[i]!;
  }
}

const VOCAB = new Set(['model.embed_tokens.weight', 'lm_head.weight']);

function compare(name: string, a: Tensor, b: Tensor, atol: number, strictVocab: boolean): TensorDiff {
  const d: TensorDiff = { name, shapeA: a.shape, shapeB: b.shape, dtypeA: a.dtype, dtypeB: b.dtype, ok: true };
  let rows = a.shape[0] ?? 1;
  if (a.shape.slice(1).join() !== b.shape.slice(1).join() || (a.shape[0] !== b.shape[0] && !VOCAB.has(name))) {
    return { ...d, ok: false, problem: `shape [${a.shape}] vs [${b.shape}]` };
  }
  if (a.shape[0] !== b.shape[0]) {
    rows = Math.min(a.shape[0]!, b.shape[0]!);
    const longer = a.shape[0]! > b.shape[0]! ? a : b;
    const rb = numel(longer.shape.slice(1)) * ITEMSIZE[longer.dtype];
    const extra = longer.data.subarray(rows * rb);
    const rd = reader(longer.dtype, extra);
    let allZero = true;
    for (let i = 0; i < extra.length / ITEMSIZE[longer.dtype]; i++) if (rd(i) !== 0) { allZero = false; break; }
    d.extraRows = { in: longer === a ? 'a' : 'b', rows: longer.shape[0]! - rows, allZero };
    if (strictVocab) { d.ok = false; d.problem = `vocabulary rows ${a.shape[0]} vs ${b.shape[0]}`; }
  }
  const n = rows * numel(a.shape.slice(1));
  const ra = reader(a.dtype, a.data);
  const rbd = reader(b.dtype, b.data);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = ra(i);
    const y = rbd(i);
    const diff = Number.isNaN(x) || Number.isNaN(y) ? (Number.isNaN(x) && Number.isNaN(y) ? 0 : Infinity) : Math.abs(x - y);
    if (diff > max) max = diff;
  }
  d.maxAbsDiff = max;
  if (a.dtype === b.dtype) {
    const len = n * ITEMSIZE[a.dtype];
    d.bitIdentical = a.data.subarray(0, len).equals(b.data.subarray(0, len));
  }
  if (max > atol) { d.ok = false; d.problem ??= `max |a − b| = ${max}`; }
  return d;
}

export async function modelVerify(o: VerifyOptions): Promise<VerifyResult> {
  const A = await openAnySource(o.a, { iteration: o.iterationA });
  try {
    const B = await openAnySource(o.b, { iteration: o.iterationB });
    try {
      const names = [...new Set([...A.names, ...B.names])];
      const out: TensorDiff[] = [];
      let i = 0;
      for (const name of names) {
        i++;
        if (!A.names.includes(name) || !B.names.includes(name)) {
          out.push({ name, ok: false, problem: `only in ${A.names.includes(name) ? 'a' : 'b'}` });
          continue;
        }
        const ta = await A.read(name);
        const tb = await B.read(name);
        out.push(compare(name, ta, tb, o.atol ?? 0, !!o.strictVocab));
        o.onProgress?.({ stage: 'verify', done: i, total: names.length, unit: 'tensors', detail: name });
      }
      const mismatches = out.filter((d) => !d.ok).length;
      return {
        ok: mismatches === 0, a: o.a, b: o.b, tensors: out, mismatches,
        maxAbsDiff: out.reduce((m, d) => Math.max(m, d.maxAbsDiff ?? 0), 0),
        notes: [...A.notes.map((n) => `a: ${n}`), ...B.notes.map((n) => `b: ${n}`)],
      };
    } finally {
      await B.close();
    }
  } finally {
    await A.close();
  }
}
