/**
 * A trained-run layout (spec §6): `iter_0000050/mp_rank_0X/model_rng.pt` (distributed optimizer,
 * tensors tagged cuda:N, integer iteration, consumed samples) plus `mp_rank_0X_00Y/optim.pt`
 * directories that must never be read (here they are garbage). `to-hf` and `shard` read it
 * directly; `--iter` picks an iteration other than the tracker's.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { modelToMegatron, modelShard, modelToHf, modelInfo, modelVerify } from '../../src/model/index.js';
import { loadTorchFile, saveTorchFile, PyDict, PyNamespace } from '../../src/formats/torch/index.js';
import { unpackFixtures } from './helpers.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('trained checkpoints (distributed optimizer)', () => {
  let root: string;
  let trained: string;
  beforeAll(async () => {
    root = unpackFixtures();
    await modelToMegatron({ hf: join(root, 'solo-hf'), out: join(root, 'release') });
    await modelShard({ in: join(root, 'release'), out: join(root, 'tp2'), tp: 2, pp: 1 });
    trained = join(root, 'run');
    for (const it of [50, 100]) {
      for (let r = 0; r < 2; r++) {
        const f = await loadTorchFile(join(root, `tp2/release/mp_rank_0${r}/model_optim_rng.pt`));
        const obj = f.root as PyDict;
        obj.set('iteration', it);
        (obj.get('args') as PyNamespace).set('consumed_train_samples', it * 8);
        const dir = join(trained, `iter_${String(it).padStart(7, '0')}`, `mp_rank_0${r}`);
        mkdirSync(dir, { recursive: true });
        await saveTorchFile(join(dir, 'model_rng.pt'), obj, { location: `cuda:${r}` });
        await f.close();
        for (let dp = 0; dp < 2; dp++) {
          const od = join(trained, `iter_${String(it).padStart(7, '0')}`, `mp_rank_0${r}_00${dp}`);
          mkdirSync(od, { recursive: true });
          writeFileSync(join(od, 'optim.pt'), 'not a torch file: must never be opened');
        }
      }
    }
    writeFileSync(join(trained, 'latest_checkpointed_iteration.txt'), '100');
    cpSync(join(root, 'solo-hf/tokenizer.model'), join(trained, 'tokenizer.model'));
  });

  it('info sees the layout, iteration and consumed samples', async () => {
    const i = await modelInfo(trained);
    expect(i.megatron).toMatchObject({ iteration: 100, iterations: ['iter_0000050', 'iter_0000100'], tp: 2, pp: 1, distributedOptimizer: true, consumedTrainSamples: 800 });
  });

  it('to-hf straight from the trained TP2 run matches the fp32 SOLO HF input up to bf16 rounding, and the two-step path bit for bit', async () => {
    const out = join(root, 'hf50');
    const r = await modelToHf({ in: trained, out, iteration: 50 });
    expect(r.iteration).toBe(50);
    const v = await modelVerify({ a: join(root, 'solo-hf'), b: out, atol: 0.001 });
    expect(v.ok).toBe(true);
    const again = join(root, 'hf-from-tp1');
    await modelShard({ in: trained, out: join(root, 'tp1'), tp: 1, pp: 1, iteration: 50 });
    await modelToHf({ in: join(root, 'tp1'), out: again });
    expect(sha(join(again, 'model.safetensors'))).toBe(sha(join(out, 'model.safetensors')));
  });

  it('shard keeps the iteration and consumed samples', async () => {
    const out = join(root, 'resharded');
    const r = await modelShard({ in: trained, out, tp: 1, pp: 2 });
    expect(r.files).toEqual(['iter_0000100/mp_rank_00_000/model_optim_rng.pt', 'iter_0000100/mp_rank_00_001/model_optim_rng.pt']);
    expect(readFileSync(join(out, 'latest_checkpointed_iteration.txt'), 'utf8')).toBe('100');
    const f = await loadTorchFile(join(out, r.files[1]!));
    const root_ = f.root as PyDict;
    expect(root_.get('iteration')).toBe(100);
    expect((root_.get('args') as PyNamespace).get('consumed_train_samples')).toBe(800);
    await f.close();
  });
});
