/**
 * HF q/k/v ⇄ Megatron fused QKV (spec §3.3): rows grouped per KV group (G query heads, then the
 * k head, then the v head) and, inside every q and k head, the rotary halves interleaved
 * (Megatron row 2j+h ← HF row h·D/2 + j). v heads are not permuted. Also the SwiGLU fusion
 * `dense_h_to_4h = [up ; gate]`. Pure row permutations: bit-exact both ways.
 */
import { SoloError } from '../errors.js';
import { concatRows, permuteRows, sliceRows, type Tensor } from './tensor.js';
import type { ModelShape } from './shape.js';

/** Source of Megatron QKV row r: which HF tensor (0 q, 1 k, 2 v) and which row. */
export function qkvSource(s: ModelShape, r: number): [0 | 1 | 2, number] {
  const D = s.headDim;
  const G = s.heads / s.kvHeads;
  const half = D / 2;
  const block = (G + 2) * D;
  const g = Math.floor(r / block);
  const sub = Math.floor((r % block) / D);
  const d = r % D;
  const j = d >> 1;
  const h = d & 1;
  if (sub < G) return [0, (G * g + sub) * D + h * half + j];
  if (sub === G) return [1, g * D + h * half + j];
  return [2, g * D + d];
}

/** HF q, k, v → Megatron fused QKV. */
export function fuseQkv(s: ModelShape, q: Tensor, k: Tensor, v: Tensor): Tensor {
  const kvRows = s.kvHeads * s.headDim;
  if (q.shape[0] !== s.hidden || k.shape[0] !== kvRows || v.shape[0] !== kvRows) throw new SoloError(`q/k/v shapes [${q.shape}] [${k.shape}] [${v.shape}] do not match ${s.heads}/${s.kvHeads} heads of ${s.headDim}`);
  const all = concatRows([q, k, v]);
  const base = [0, s.hidden, s.hidden + kvRows];
  return permuteRows(all, s.hidden + 2 * kvRows, (r) => {
    const [w, row] = qkvSource(s, r);
    return base[w]! + row;
  });
}

/** Megatron fused QKV → HF [q, k, v]. */
export function splitQkv(s: ModelShape, qkv: Tensor): [Tensor, Tensor, Tensor] {
  const kvRows = s.kvHeads * s.headDim;
  const total = s.hidden + 2 * kvRows;
  if (qkv.shape[0] !== total) throw new SoloError(`QKV has ${qkv.shape[0]} rows, expected ${total}`);
  // inverse permutation: HF-concatenated row → Megatron row
  const inv = new Int32Array(total);
  const base = [0, s.hidden, s.hidden + kvRows];
  for (let r = 0; r < total; r++) {
    const [w, row] = qkvSource(s, r);
    inv[base[w]! + row] = r;
  }
  const all = permuteRows(qkv, total, (r) => inv[r]!);
  return [sliceRows(all, 0, s.hidden), sliceRows(all, s.hidden, s.hidden + kvRows), sliceRows(all, s.hidden + kvRows, total)];
}

/** HF gate, up → Megatron dense_h_to_4h = [up ; gate]. */
export function fuseGlu(gate: Tensor, up: Tensor): Tensor {
  return concatRows([up, gate]);
}

/** Megatron dense_h_to_4h → HF [gate, up]. */
export function splitGlu(h4h: Tensor): [Tensor, Tensor] {
  const f = h4h.shape[0]! / 2;
  return [sliceRows(h4h, f, 2 * f), sliceRows(h4h, 0, f)];
}
