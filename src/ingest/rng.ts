/**
 * Per-sample deterministic random numbers: u ∈ [0,1) from sha1(seed, source, key). Fixes the
 * reference's shared RNG state across forked workers (DEFECT-2): the draw for a sample depends only
 * on the seed and the sample's identity, never on worker count or processing order.
 */
import { createHash } from 'node:crypto';

export function sampleUniform(seed: number, source: string, key: string, salt = ''): number {
  const h = createHash('sha1').update(`${seed}\0${source}\0${key}\0${salt}`).digest();
  // 53 random bits → double in [0,1)
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}
