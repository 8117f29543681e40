/** Golden: `solo model to-megatron` on the reference solo-hf reproduces megatron-release. */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { modelToMegatron } from '../../src/model/index.js';
import { describeTorchFile } from '../../src/formats/torch/index.js';
import { unpackFixtures, golden, filesJson } from './helpers.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('model to-megatron (golden megatron-release)', () => {
  let root: string;
  beforeAll(() => {
    root = unpackFixtures();
  });

  it.each([
    ['--true-vocab-size 33029 --dtype float32', { trueVocabSize: 33029, dtype: 'float32' as const }],
    ['--compat reference', { compat: ['reference'] }],
  ])('matches the reference object tree, storages and tensors with %s', async (label, flags) => {
    const out = join(root, `out-release-${label.length}`);
    const r = await modelToMegatron({ hf: join(root, 'solo-hf'), out, ...flags });
    expect(r.paddedVocabSize).toBe(33152);
    const g = golden(root, 'megatron-release/release/mp_rank_00/model_optim_rng.pt');
    const d = (await describeTorchFile(join(out, 'release/mp_rank_00/model_optim_rng.pt'))) as unknown as typeof g;
    expect(d.object).toEqual(g.object);
    expect(Object.keys(d.tensors)).toEqual(Object.keys(g.tensors));
    for (const [k, t] of Object.entries(g.tensors)) {
      expect(d.tensors[k], k).toMatchObject({ dtype: t.dtype, shape: t.shape, sha256: t.sha256 });
    }
    // every zip record but data.pkl (pickle memo layout differs, spec §7.3) is byte-identical
    const ge = g.zip!.entries.filter((e) => !e.name.endsWith('data.pkl'));
    const de = d.zip!.entries.filter((e) => !e.name.endsWith('data.pkl'));
    expect(de).toEqual(ge);
    const files = filesJson(root);
    expect(sha(join(out, 'latest_checkpointed_iteration.txt'))).toBe(files['megatron-release/latest_checkpointed_iteration.txt']!.sha256);
    expect(sha(join(out, 'tokenizer.model'))).toBe(files['megatron-release/tokenizer.model']!.sha256);
  });
});
