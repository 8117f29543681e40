/**
 * Unit checks of the conversion rules at 7B head geometry (the golden tiny model has head dim 4):
 * the QKV closed form of spec §3.3 for D=128, G=4 (rows 0…6143), the fuse/split inverse pair,
 * Megatron's vocabulary padding table (spec §4.4), and sharded to-hf output read back.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { qkvSource, fuseQkv, splitQkv, megatronPaddedVocab, modelToHf, openHfSource } from '../../src/model/index.js';
import type { SoloModelShape } from '../../src/model/index.js';
import { unpackFixtures } from './helpers.js';

const S7B: SoloModelShape = {
  hidden: 4096, ffn: 14336, layers: 32, heads: 32, kvHeads: 8, headDim: 128, patchDim: 3072, visionPatchSize: 32,
  maxPositions: 32768, slidingWindow: 4096, rmsEps: '1e-05', ropeTheta: '10000.0',
};

describe('conversion rules', () => {
  it('QKV rows follow the closed form of spec §3.3 for 7B', () => {
    expect(qkvSource(S7B, 0)).toEqual([0, 0]);
    expect(qkvSource(S7B, 1)).toEqual([0, 64]); // interleaved rotary halves
    expect(qkvSource(S7B, 127)).toEqual([0, 127]);
    expect(qkvSource(S7B, 128)).toEqual([0, 128]); // q head 1
    expect(qkvSource(S7B, 4 * 128 + 3)).toEqual([1, 65]); // k head 0, j=1, h=1
    expect(qkvSource(S7B, 5 * 128 + 3)).toEqual([2, 3]); // v head 0, not permuted
    expect(qkvSource(S7B, 768 + 2)).toEqual([0, 4 * 128 + 1]); // group 1 starts with q head 4
    expect(qkvSource(S7B, 6143)).toEqual([2, 7 * 128 + 127]);
    const seen = new Set<string>();
    for (let r = 0; r < 6144; r++) seen.add(qkvSource(S7B, r).join());
    expect(seen.size).toBe(6144); // a permutation
  });

  it('fuseQkv and splitQkv are inverse (bit-exact)', () => {
    const s = { ...S7B, hidden: 64, heads: 4, kvHeads: 2, headDim: 16 };
    const mk = (rows: number, seed: number) => ({ dtype: 'bfloat16' as const, shape: [rows, 64], data: Buffer.from(Array.from({ length: rows * 128 }, (_, i) => (i * 31 + seed) & 255)) });
    const q = mk(64, 1);
    const k = mk(32, 2);
    const v = mk(32, 3);
    const [q2, k2, v2] = splitQkv(s, fuseQkv(s, q, k, v));
    expect([q2.data.equals(q.data), k2.data.equals(k.data), v2.data.equals(v.data)]).toEqual([true, true, true]);
  });

  it('pads the vocabulary as Megatron (spec §4.4 table)', () => {
    expect([1, 2, 4, 8].map((t) => megatronPaddedVocab(33029, t))).toEqual([33152, 33280, 33280, 33792]);
    expect(megatronPaddedVocab(33031, 2)).toBe(33280);
  });
});

describe('to-hf --max-shard-size', () => {
  let root: string;
  beforeAll(() => {
    root = unpackFixtures();
  });
  it('writes transformers-style shards + index that read back', async () => {
    const out = join(root, 'sharded-hf');
    const r = await modelToHf({ in: join(root, 'megatron-tp2-pp2'), out, tokenizer: join(root, 'solo-hf/tokenizer.model'), maxShardSize: 1_000_000 });
    expect(r.files).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
    const idx = JSON.parse(readFileSync(join(out, 'model.safetensors.index.json'), 'utf8')) as { metadata: { total_size: number }; weight_map: Record<string, string> };
    expect(Object.keys(idx.weight_map)).toHaveLength(40);
    expect(idx.weight_map['model.embed_tokens.weight']).toBe('model-00001-of-00003.safetensors');
    const src = await openHfSource(out);
    expect(src.tensors).toHaveLength(40);
    expect(idx.metadata.total_size).toBe(src.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1) * 2, 0));
    await src.close();
  });
});
