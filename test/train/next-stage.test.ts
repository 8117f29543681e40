/**
 * `solo train next-stage`: the hand-off chain's paths (stage 1 → the stage-2 preset's
 * loadModelCkpts exactly), the calls it makes, and one real run of the chain through the model
 * toolkit on the tiny SOLO model fixture.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { deriveTrain, planHandoff, resolveTrainConfig, runHandoff, TRAIN_PRESETS, formatHandoffPlan, type ModelToolkit } from '../../src/train/index.js';
import { modelShard, modelToMegatron, modelVerify } from '../../src/model/index.js';
import { tempDir } from './helpers.js';

describe('next-stage plan', () => {
  it('stage 1 at 1525 hands off to exactly the stage-2 preset\'s loadModelCkpts (and 2 → 3)', async () => {
    const root = tempDir('handoff');
    for (const [from, iter, to] of [['solo-stage1', 1525, 'solo-stage2'], ['solo-stage2', 3481, 'solo-stage3']] as const) {
      const cfg = await resolveTrainConfig({ preset: from });
      const d = deriveTrain(cfg, { root });
      const h = planHandoff(cfg, d, root);
      expect(h.iteration).toBe(iter); // nothing saved yet: the run's final iteration
      expect(h.nextPreset).toBe(to);
      expect(h.loadModelCkpts).toBe(TRAIN_PRESETS[to].loadModelCkpts);
      expect(h.steps[0]).toEqual({ op: 'to-hf', in: d.ckptDir, out: `${d.ckptDir}/hf/model_iter_${iter}`, iteration: iter, tokenizer: d.tokenizerPath });
      expect(formatHandoffPlan(h)).toContain(`loadModelCkpts=${TRAIN_PRESETS[to].loadModelCkpts}`);
    }
  });

  it('calls the toolkit in order with root-resolved paths; the tracker picks the iteration', async () => {
    const root = tempDir('handoff-calls');
    const cfg = await resolveTrainConfig({ preset: 'solo-stage1' });
    const d = deriveTrain(cfg, { root });
    mkdirSync(join(root, d.ckptDir), { recursive: true });
    writeFileSync(join(root, d.ckptDir, 'latest_checkpointed_iteration.txt'), '1500');
    const calls: [string, Record<string, unknown>][] = [];
    const tk: ModelToolkit = {
      modelToHf: async (o) => void calls.push(['to-hf', o]),
      modelToMegatron: async (o) => void calls.push(['to-megatron', o]),
      modelShard: async (o) => void calls.push(['shard', o]),
    };
    const h = planHandoff(cfg, d, root);
    expect(h.iteration).toBe(1500);
    await runHandoff(h, root, { toolkit: tk });
    expect(calls.map((c) => c[0])).toEqual(['to-hf', 'to-megatron', 'shard']);
    expect(calls[0]![1]).toMatchObject({ in: join(root, d.ckptDir), out: join(root, d.ckptDir, 'hf/model_iter_1500'), iteration: 1500 });
    expect(calls[1]![1]).toMatchObject({ hf: join(root, d.ckptDir, 'hf/model_iter_1500'), out: join(root, 'data/models/raw/MultimodalMistral-7B-dproj-megatron-imagenet21k-1500') });
    expect(calls[2]![1]).toMatchObject({ in: join(root, 'data/models/raw/MultimodalMistral-7B-dproj-megatron-imagenet21k-1500'), out: join(root, 'data/models/sharded/MultimodalMistral-7B-dproj-megatron-imagenet21k-1500-tp2-pp1'), tp: 2, pp: 1 });
  });

  it('runs the real chain (src/model) on the tiny SOLO model', async () => {
    const root = tempDir('handoff-real');
    const fx = join(__dirname, '../fixtures/model/solo-hf');
    const hf = join(root, 'hf0');
    mkdirSync(hf);
    for (const f of ['config.json', 'generation_config.json', 'special_tokens_map.json', 'tokenizer_config.json']) copyFileSync(join(fx, f), join(hf, f));
    for (const f of ['model.safetensors', 'tokenizer.model']) writeFileSync(join(hf, f), gunzipSync(readFileSync(join(fx, `${f}.gz`))));
    const cfg = await resolveTrainConfig({ input: { expDataNote: 'tiny', modelName: 'Tiny', ckptRoot: 'ckpts', tokenizerPath: 'hf0/tokenizer.model', handoffTag: 'stageA' } });
    const d = deriveTrain(cfg, { root });
    // the "finished stage": a TP2/PP1 release checkpoint in the run's ckptDir
    await modelToMegatron({ hf, out: join(root, 'raw0') });
    await modelShard({ in: join(root, 'raw0'), out: join(root, d.ckptDir), tp: 2, pp: 1 });
    const h = planHandoff(cfg, d, root);
    expect(h.iteration).toBe('release');
    await runHandoff(h, root);
    const out = join(root, h.loadModelCkpts);
    expect(h.loadModelCkpts).toBe('data/models/sharded/Tiny-megatron-stageA-release-tp2-pp1');
    expect(readFileSync(join(out, 'latest_checkpointed_iteration.txt'), 'utf8').trim()).toBe('release');
    expect(existsSync(join(out, 'release/mp_rank_00/model_optim_rng.pt'))).toBe(true);
    expect(existsSync(join(out, 'release/mp_rank_01/model_optim_rng.pt'))).toBe(true);
    expect(existsSync(join(root, d.ckptDir, 'hf/model_iter_release/config.json'))).toBe(true);
    // the weights carry over unchanged: the next stage's shards equal this stage's, value for value
    const v = await modelVerify({ a: join(root, d.ckptDir), b: out });
    expect(v.mismatches, JSON.stringify(v.tensors.filter((t) => (t as { equal?: boolean }).equal === false).slice(0, 3))).toBe(0);
    expect(v.maxAbsDiff).toBe(0);
    expect(v.ok).toBe(true);
    expect(v.tensors.length).toBeGreaterThan(10);
  });
});
