/** `solo plan`: the notebook's arithmetic on synthetic prefixes, every number checked. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatFixedPy, formatMixtureTable, planMixture, planTrainRun, writeMixtureToConfig } from '../../src/train/index.js';
import { tempDir, writePrefix } from './helpers.js';

const img = { n_tokens: 1000, n_image_tokens: 600, n_images: 2 };
const txt = { n_tokens: 2000, n_image_tokens: 0, n_images: 0 };

describe('python-style 4-decimal weights', () => {
  it('rounds exact binary ties half to even, everything else correctly', () => {
    expect(formatFixedPy(0.03125)).toBe('0.0312'); // JS toFixed gives 0.0313
    expect(formatFixedPy(0.96875)).toBe('0.9688');
    expect(formatFixedPy(0.3)).toBe('0.3000');
    expect(formatFixedPy(0.175)).toBe('0.1750');
    expect(formatFixedPy(0.00005)).toBe('0.0001'); // 0.00005 is slightly above the tie in binary
    expect(formatFixedPy(1)).toBe('1.0000');
    expect(formatFixedPy(0.021949999)).toBe('0.0219');
  });
});

describe('planMixture (natural weights, stages 2/3)', () => {
  const root = tempDir('plan-nat');
  const a0 = join(root, 'mmistral_aaa_shard_000_pack32k/data');
  const a1 = join(root, 'mmistral_aaa_shard_001_pack32k/data');
  const b = join(root, 'mmistral_bbb_pack32k/data');
  writePrefix(a0, { packs: 300, row: img });
  writePrefix(a1, { packs: 100, row: img });
  writePrefix(b, { packs: 600, row: txt });

  it('weights by pack count, N_TRAIN_DATA = total packs, iterations floor(N/GBS)+1', async () => {
    const plan = await planMixture({ inputs: [a0, a1, b] });
    expect(plan.mode).toBe('natural');
    expect(plan.trainData.map((e) => e.weight)).toEqual(['0.3000', '0.1000', '0.6000']);
    expect(plan.trainDataPath).toBe(`0.3000 ${a0} 0.1000 ${a1} 0.6000 ${b}`);
    expect(plan.nTrainData).toBe(1000);
    expect(plan.trainIters).toBe(8); // floor(1000/128) + 1
    expect(plan.trainSamples).toBe(1024);
    // Megatron: ceil(1024 · w · 1.005)
    expect(plan.files.map((f) => f.requested)).toEqual([309, 103, 618]);
    const [sa, sb] = plan.sources;
    expect(sa).toMatchObject({ name: 'aaa', shards: 2, packs: 400, tokens: 400000, textTokens: 160000, imageTokens: 240000, images: 800 });
    expect(sb).toMatchObject({ name: 'bbb', shards: 1, packs: 600, tokens: 1200000, textTokens: 1200000, imageTokens: 0, images: 0 });
    expect(sa!.weight).toBeCloseTo(0.4, 12);
    expect(sa!.epochs).toBeCloseTo(412 / 400, 12);
    expect(sb!.epochs).toBeCloseTo(618 / 600, 12);
    expect(sa!.tokenShare).toBeCloseTo(412000 / 1648000, 12);
    const table = formatMixtureTable(plan);
    expect(table).toContain('aaa');
    expect(table).toContain('N_TRAIN_DATA (instances) = 1000');
    expect(table).toContain('train_iters = 8');
  });

  it('finds prefixes in a directory (sorted) and groups by name pattern or rule', async () => {
    const plan = await planMixture({ inputs: [root] });
    expect(plan.files.map((f) => f.prefix)).toEqual([a0, a1, b]);
    const ruled = await planMixture({ inputs: [root], groups: ['everything=mmistral_'] });
    expect(ruled.sources.map((s) => s.name)).toEqual(['everything']);
    // inputs given as a file of the prefix
    const viaFile = await planMixture({ inputs: [`${b}-text.idx`] });
    expect(viaFile.files[0]!.prefix).toBe(b);
  });

  it('python tie rounding in weights (1/32 → 0.0312)', async () => {
    const r = tempDir('plan-tie');
    writePrefix(join(r, 'x/data'), { packs: 1, row: txt });
    writePrefix(join(r, 'y/data'), { packs: 31, row: txt });
    const plan = await planMixture({ inputs: [join(r, 'x/data'), join(r, 'y/data')] });
    expect(plan.trainData.map((e) => e.weight)).toEqual(['0.0312', '0.9688']);
  });

  it('declared subsample counts round(frac·n) rows (stage 3) and is recorded', async () => {
    const r = tempDir('plan-sample');
    writePrefix(join(r, 'mmistral_slim_shard_000_pack32k/data'), { packs: 1000, row: txt });
    writePrefix(join(r, 'mmistral_vqa_pack32k/data'), { packs: 100, row: img });
    const plan = await planMixture({ inputs: [r], sample: ['slim=0.1'] });
    expect(plan.sources.map((s) => [s.name, s.counted, s.packs])).toEqual([['slim', 100, 1000], ['vqa', 100, 100]]);
    expect(plan.nTrainData).toBe(200);
    expect(plan.trainData.map((e) => e.weight)).toEqual(['0.5000', '0.5000']);
    expect(plan.trainData[0]!.sampleFraction).toBe(0.1);
    expect(plan.trainIters).toBe(2);
    // T = 256: slim asks ceil(256·0.5·1.005) = 129 of its 1000 packs
    expect(plan.files[0]!.requested).toBe(129);
    expect(plan.sources[0]!.epochs).toBeCloseTo(0.129, 12);
  });
});

describe('planMixture (token proportions per source, stage 1)', () => {
  it('file weight = file tokens / source tokens × target', async () => {
    const r = tempDir('plan-tok');
    const i0 = join(r, 'mmistral_imagenet21k_shard_000_pack32k/data');
    const i1 = join(r, 'mmistral_imagenet21k_shard_001_pack32k/data');
    const s = join(r, 'mmistral_slimpajama_shard_002_pack32k/data');
    writePrefix(i0, { packs: 100, row: { n_tokens: 3000, n_image_tokens: 2500, n_images: 3 } });
    writePrefix(i1, { packs: 50, row: { n_tokens: 2000, n_image_tokens: 1500, n_images: 2.5 } });
    writePrefix(s, { packs: 200, row: { n_tokens: 1000, n_image_tokens: 0, n_images: 0 } });
    const plan = await planMixture({ inputs: [i0, i1, s], sources: ['imagenet21k=0.7', 'slimpajama=0.3'] });
    expect(plan.mode).toBe('tokens');
    // 300000 / 400000 · 0.7 = 0.525 ; 100000 / 400000 · 0.7 = 0.175 ; 0.3
    expect(plan.trainData.map((e) => e.weight)).toEqual(['0.5250', '0.1750', '0.3000']);
    expect(plan.nTrainData).toBe(350); // instances, not weight-adjusted
    expect(plan.trainIters).toBe(3);
    expect(plan.sources[0]).toMatchObject({ name: 'imagenet21k', shards: 2, packs: 150, tokens: 400000, textTokens: 75000, imageTokens: 325000, images: 425, target: 0.7 });
    // T = 384: ceil(384·0.525·1.005)=203, ceil(384·0.175·1.005)=68, ceil(384·0.3·1.005)=116
    expect(plan.files.map((f) => f.requested)).toEqual([203, 68, 116]);
    expect(plan.sources[0]!.epochs).toBeCloseTo(271 / 150, 12);
    expect(plan.sources[1]!.epochs).toBeCloseTo(116 / 200, 12);
    await expect(planMixture({ inputs: [i0, s], sources: ['imagenet21k=0.7'] })).rejects.toThrow(/cover every source/);
    await expect(planMixture({ inputs: [i0, s], sources: ['imagenet21k=0.7', 'slimpajama=0.4'] })).rejects.toThrow(/sum to/);
  });
});

describe('incomplete prefixes and writing the run config', () => {
  it('refuses prefixes without _DONE unless allowed', async () => {
    const r = tempDir('plan-done');
    writePrefix(join(r, 'a/data'), { packs: 10, row: txt }, { done: false });
    await expect(planMixture({ inputs: [join(r, 'a/data')] })).rejects.toThrow(/_DONE/);
    const plan = await planMixture({ inputs: [join(r, 'a/data')], allowIncomplete: true });
    expect(plan.nTrainData).toBe(10);
  });

  it('writes trainData and nTrainData into a JSON config that solo train then renders', async () => {
    const r = tempDir('plan-write');
    writePrefix(join(r, 'data/p1/data'), { packs: 130, row: img });
    writePrefix(join(r, 'data/p2/data'), { packs: 70, row: txt });
    const cfgPath = join(r, 'run.json');
    const plan = await planMixture({ inputs: [join(r, 'data/p1/data'), join(r, 'data/p2/data')] });
    writeMixtureToConfig(plan, cfgPath);
    const written = JSON.parse(readFileSync(cfgPath, 'utf8'));
    expect(written.nTrainData).toBe(200);
    expect(written.trainData.map((e: { weight: string }) => e.weight)).toEqual(['0.6500', '0.3500']);
    const run = await planTrainRun({ config: cfgPath, dryRun: true, root: r, set: ['expDataNote=test', 'warmupIters=1'] });
    expect(run.derived.trainIters).toBe(2);
    const argv = run.launch.argv;
    expect(argv.slice(argv.indexOf('--train_data_path') + 1, argv.indexOf('--train_iters'))).toEqual(['0.6500', join(r, 'data/p1/data'), '0.3500', join(r, 'data/p2/data')]);
    expect(run.issues.map((i) => i.code)).not.toContain('W-NTRAIN-MISMATCH');
    expect(run.issues.map((i) => i.code)).not.toContain('E-BLEND-FILES');
    rmSync(r, { recursive: true });
    expect(existsSync(r)).toBe(false);
  });
});

describe('Megatron blend sample counts on the presets (spec B.3 "Data sampling")', () => {
  it('stage 1 asks ≈137.4K ImageNet-21k packs and ≈58.8K SlimPajama packs', async () => {
    const { blendSampleCounts, TRAIN_PRESETS } = await import('../../src/train/index.js');
    const data = TRAIN_PRESETS['solo-stage1'].trainData!;
    const n = blendSampleCounts(data.map((e) => e!.weight as string), 1525 * 128);
    const imagenet = n.slice(0, 32).reduce((a, b) => a + b, 0);
    expect(Math.round(imagenet / 100) / 10).toBe(137.4);
    expect(Math.round(n[32]! / 100) / 10).toBe(58.8);
    // ≈1.85 passes over ImageNet-21k's 74,283 packs; ≈49% of SlimPajama 002's 120,839
    expect((imagenet / 74283).toFixed(2)).toBe('1.85');
    expect(Math.round((n[32]! / 120839) * 100)).toBe(49);
  });
});

describe('nTrainData from the mixture stats', () => {
  it('counts the listed prefixes\' packs, a declared subsample as round(f·packs)', async () => {
    const r = tempDir('plan-fromstats');
    writePrefix(join(r, 'a/data'), { packs: 1000, row: txt });
    writePrefix(join(r, 'b/data'), { packs: 300, row: txt });
    const run = await planTrainRun({
      root: r, dryRun: true,
      input: { expDataNote: 'x', warmupIters: 1, nTrainData: { fromMixtureStats: true }, trainData: [{ weight: '0.25', prefix: 'a/data', sampleFraction: 0.1 }, { weight: '0.75', prefix: 'b/data' }] },
    });
    expect(run.derived.nTrainData).toBe(400);
    expect(run.derived.trainIters).toBe(4);
  });
});
