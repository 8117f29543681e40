/**
 * The Mistral-shaped model dimensions every conversion works from, read from an HF config.json
 * or a Megatron `args` Namespace (never hard-coded: any size works), and validated.
 */
import { SoloError } from '../errors.js';

export interface ModelShape {
  hidden: number;
  ffn: number;
  layers: number;
  heads: number;
  kvHeads: number;
  /** hidden / heads. */
  headDim: number;
  /** Input size of embed_vision_patch (3·patch²; 3072 for 32×32 patches). */
  patchDim: number;
  /** 32 for SOLO. */
  visionPatchSize: number;
  maxPositions: number;
  slidingWindow: number;
  /** Python repr of the float (kept as text so 1e-05 stays 1e-05). */
  rmsEps: string;
  ropeTheta: string;
}

export function checkShape(s: ModelShape, where: string): ModelShape {
  for (const k of ['hidden', 'ffn', 'layers', 'heads', 'kvHeads', 'headDim', 'patchDim'] as const) {
    if (!Number.isSafeInteger(s[k]) || s[k] <= 0) throw new SoloError(`${where}: ${k} must be a positive integer, got ${s[k]}`);
  }
  if (s.hidden !== s.heads * s.headDim) throw new SoloError(`${where}: hidden ${s.hidden} is not heads ${s.heads} × head dim ${s.headDim}`);
  if (s.heads % s.kvHeads !== 0) throw new SoloError(`${where}: ${s.heads} heads are not a multiple of ${s.kvHeads} KV heads`);
  if (s.headDim % 2 !== 0) throw new SoloError(`${where}: head dim ${s.headDim} must be even for rotary embeddings`);
  return s;
}

/** Rows of the fused QKV weight: (heads + 2·kvHeads) · headDim. */
export function qkvRows(s: ModelShape): number {
  return (s.heads + 2 * s.kvHeads) * s.headDim;
}
