/** Every rule of the validation table (spec B.11.4) has a test that triggers it. */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deriveTrain, resolveTrainConfig, validateTrain, TRAIN_CHECKS, type TrainConfigInput, type TrainIssue } from '../../src/train/index.js';
import { tempDir, writeCheckpoint, writePrefix } from './helpers.js';

const FIXTURES = join(__dirname, '../fixtures/train');
const INIT = 'data/models/sharded/MultimodalMistral-7B-dproj-megatron-tp2-pp1';
const TOKENIZER = 'data/models/raw/MultimodalMistral-7B-dproj-megatron/tokenizer.model';

/** A clean run: one complete prefix of 200 packs, a release init checkpoint, W&B key present. */
function makeRoot(): string {
  const root = tempDir('validate');
  writePrefix(join(root, 'data/p/data'), { packs: 200, row: { n_tokens: 30000, n_image_tokens: 100, n_images: 1 } });
  writeCheckpoint(join(root, INIT), 'release', { mp_rank_00: ['model_optim_rng.pt'], mp_rank_01: ['model_optim_rng.pt'] });
  return root;
}

const base: TrainConfigInput = {
  expDataNote: 'unit',
  trainData: [{ weight: '1.0', prefix: 'data/p/data' }],
  nTrainData: 200,
  warmupIters: 1,
};

async function check(opts: { input?: TrainConfigInput; set?: string[]; compat?: string[]; root?: string; dryRun?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<TrainIssue[]> {
  const root = opts.root ?? makeRoot();
  const cfg = await resolveTrainConfig({ input: { ...base, ...opts.input }, set: opts.set, compat: opts.compat });
  const d = deriveTrain(cfg, { root });
  return validateTrain(cfg, d, { root, dryRun: opts.dryRun ?? false, env: opts.env ?? { WANDB_API_KEY: 'k' } });
}

const codes = (issues: TrainIssue[]) => issues.map((i) => i.code);
function expectIssue(issues: TrainIssue[], code: string, severity: 'error' | 'warning' = code.startsWith('W-') ? 'warning' : 'error') {
  const hit = issues.find((i) => i.code === code);
  expect(hit, `${code} in ${JSON.stringify(codes(issues))}`).toBeDefined();
  expect(hit!.severity).toBe(severity);
  expect(hit!.message.startsWith(`${code}: `)).toBe(true);
}

describe('validation table B.11.4', () => {
  it('a clean configuration only carries the informational W-EXIT-CODE', async () => {
    expect(codes(await check())).toEqual(['W-EXIT-CODE']);
  });

  const cases: [string, Parameters<typeof check>[0]][] = [
    ['E-PARALLEL-DIV', { set: ['nGpuPerNode=6', 'tp=4'] }],
    ['E-ACCUM-ZERO', { set: ['batchBase=2', 'tp=1'] }],
    ['E-BATCH-BASE', { set: ['nGpuPerNode=6'] }],
    ['W-MBS-SCALES-GBS', { set: ['microBatchSize=2'] }],
    ['E-GBS-DIV', { set: ['globalBatchSize=130'] }],
    ['E-WARMUP', { set: ['warmupIters=2'] }],
    ['E-MINLR', { set: ['minLr=1e-4'] }],
    ['E-NUMLIT', { input: { lr: 5e-5 as unknown as string } }],
    ['E-DROPOUT', { set: ['hiddenDropout=1.0'] }],
    ['E-NTRAIN', { set: ['nTrainData=0'] }],
    ['W-NTRAIN-MISMATCH', { set: ['nTrainData=300'] }],
    ['E-BLEND-EMPTY', { input: { trainData: [] } }],
    ['E-BLEND-WEIGHT', { input: { trainData: [{ weight: '0', prefix: 'data/p/data' }] } }],
    ['E-BLEND-COUNT', { input: { trainData: Array.from({ length: 255 }, () => ({ weight: 1 / 255, prefix: 'data/p/data' })) } }],
    ['W-BLEND-SUM', { input: { trainData: [{ weight: '0.5', prefix: 'data/p/data' }] } }],
    ['W-BLEND-DUP', { input: { trainData: [{ weight: '0.5', prefix: 'data/p/data' }, { weight: '0.5', prefix: 'data/p/data' }] } }],
    ['E-BLEND-FILES', { input: { trainData: [{ weight: '1', prefix: 'data/missing/data' }] } }],
    ['W-BLEND-NOTDONE', { input: { trainData: [{ weight: '1', prefix: 'data/missing/data' }] } }],
    ['W-SEQ-PACK', { set: ['seqLength=16384'] }],
    ['E-LOAD-MISSING', { set: ['initModelDir=data/models/nothing-here'] }],
    ['E-EXPID', { set: ['expId=a/b'] }],
    ['E-PATH-SPACE', { set: ['ckptRoot=my ckpts'] }],
    ['E-RECOMPUTE', { set: ['recompute.granularity="selective"'] }],
    ['W-RECOMPUTE', { set: ['recompute.granularity=null'] }],
    ['E-SAVE', { set: ['saveInterval=0'] }],
    ['E-EVAL-MM', { set: ['validDataPath=["data/val/data"]'] }],
    ['E-WANDB-KEY', { env: {} }],
    ['E-DEVICES', { set: ['cudaVisibleDevices=0,1'] }],
    ['E-PORT', { set: ['masterPort=70000'] }],
    ['W-NOLOSS-ID', { set: ['noLossBeyondTokenId=32001'] }],
  ];
  for (const [code, opts] of cases) {
    it(code, async () => expectIssue(await check(opts), code));
  }

  it('E-SEQ-PACK by directory name: pack64k > seqLength', async () => {
    const root = makeRoot();
    writePrefix(join(root, 'data/mmistral_x_pack64k/data'), { packs: 200, row: { n_tokens: 100, n_image_tokens: 0, n_images: 0 } });
    const issues = await check({ root, input: { trainData: [{ weight: '1', prefix: 'data/mmistral_x_pack64k/data' }] } });
    expectIssue(issues, 'W-SEQ-PACK');
    expect(issues.find((i) => i.code === 'W-SEQ-PACK')!.message).toContain('packed for 64k');
  });

  it('missing files are warnings in a dry run, and the W&B key is not checked', async () => {
    const issues = await check({ dryRun: true, env: {}, set: ['initModelDir=data/none'], input: { trainData: [{ weight: '1', prefix: 'data/missing/data' }] } });
    expectIssue(issues, 'E-BLEND-FILES', 'warning');
    expectIssue(issues, 'E-LOAD-MISSING', 'warning');
    expect(codes(issues)).not.toContain('E-WANDB-KEY');
  });

  it('E-SEQ-MAXPOS from the pickled args of the load checkpoint', async () => {
    const root = makeRoot();
    const dir = join(root, 'data/models/sharded/long-tp2-pp1');
    writeCheckpoint(dir, 'release', { mp_rank_00: [], mp_rank_01: [] });
    copyFileSync(join(FIXTURES, 'ckpt-args.pt'), join(dir, 'release/mp_rank_00/model_optim_rng.pt'));
    copyFileSync(join(FIXTURES, 'ckpt-args.pt'), join(dir, 'release/mp_rank_01/model_optim_rng.pt'));
    expect(codes(await check({ root, set: [`initModelDir=data/models/sharded/long-tp2-pp1`] }))).toEqual(['W-EXIT-CODE']);
    const issues = await check({ root, set: ['initModelDir=data/models/sharded/long-tp2-pp1', 'seqLength=65536'] });
    expectIssue(issues, 'E-SEQ-MAXPOS');
    expect(issues.find((i) => i.code === 'E-SEQ-MAXPOS')!.message).toContain('32768');
  });

  it('E-TP-CKPT: suffix or rank directories disagree with tp/pp', async () => {
    const root = makeRoot();
    writeCheckpoint(join(root, 'ck/x-tp4-pp1'), 'release', { mp_rank_00: ['model_optim_rng.pt'], mp_rank_01: ['model_optim_rng.pt'], mp_rank_02: ['model_optim_rng.pt'], mp_rank_03: ['model_optim_rng.pt'] });
    const issues = await check({ root, set: ['loadModelCkpts=ck/x-tp4-pp1'] });
    expectIssue(issues, 'E-TP-CKPT');
    expect(issues.find((i) => i.code === 'E-TP-CKPT')!.message).toMatch(/tp4-pp1.*4 TP × 1 PP/);
  });

  it('E-DISTOPT-RESUME: non-release model_optim_rng.pt with the distributed optimizer', async () => {
    const root = makeRoot();
    writeCheckpoint(join(root, 'ck/old-tp2-pp1'), '100', { mp_rank_00: ['model_optim_rng.pt'], mp_rank_01: ['model_optim_rng.pt'] });
    expectIssue(await check({ root, set: ['loadModelCkpts=ck/old-tp2-pp1'] }), 'E-DISTOPT-RESUME');
    expect(codes(await check({ root, set: ['loadModelCkpts=ck/old-tp2-pp1', 'useDistributedOptimizer=false'] }))).not.toContain('E-DISTOPT-RESUME');
  });

  it('W-HANDOFF: loading a previous stage\'s non-release checkpoint', async () => {
    const root = makeRoot();
    writeCheckpoint(join(root, 'ck/stage1'), '1525', { mp_rank_00: ['model_rng.pt'], mp_rank_01: ['model_rng.pt'], mp_rank_00_000: ['optim.pt'], mp_rank_01_000: ['optim.pt'] });
    const issues = await check({ root, set: ['loadModelCkpts=ck/stage1'] });
    expectIssue(issues, 'W-HANDOFF');
    expect(codes(issues)).not.toContain('E-TP-CKPT');
  });

  it('W-RESUME-ORDER: the stage-1 trap, only with --compat resume-order', async () => {
    const root = makeRoot();
    const cfg = await resolveTrainConfig({ input: base });
    const own = join(root, deriveTrain(cfg, { root }).ckptDir);
    writeCheckpoint(own, '50', { mp_rank_00: ['model_rng.pt'], mp_rank_01: ['model_rng.pt'] });
    const trap = await check({ root, set: [`loadModelCkpts=${INIT}`], compat: ['resume-order'] });
    expectIssue(trap, 'W-RESUME-ORDER');
    // default own-first: resumes the run's checkpoint, no trap
    const cfg2 = await resolveTrainConfig({ input: base, set: [`loadModelCkpts=${INIT}`] });
    const d2 = deriveTrain(cfg2, { root });
    expect([d2.weightDir, d2.weightDirReason]).toEqual([d2.ckptDir, 'resume']);
    const cfg3 = await resolveTrainConfig({ input: base, set: [`loadModelCkpts=${INIT}`], compat: ['reference'] });
    expect(deriveTrain(cfg3, { root }).weightDir).toBe(INIT);
  });

  it('E-NOLOSS-ID: beyond the tokenizer vocabulary (SentencePiece pieces counted)', async () => {
    const root = makeRoot();
    mkdirSync(dirname(join(root, TOKENIZER)), { recursive: true });
    // ModelProto with 100 `pieces` (field 1, length-delimited) and a trainer spec (field 2)
    const piece = Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x61]);
    writeFileSync(join(root, TOKENIZER), Buffer.concat([...Array.from({ length: 100 }, () => piece), Buffer.from([0x12, 0x00])]));
    const issues = await check({ root });
    expectIssue(issues, 'E-NOLOSS-ID');
    expect(issues.find((i) => i.code === 'E-NOLOSS-ID')!.message).toContain('vocab size 100');
  });

  it('W-TOKENIZER: dataset stats record another tokenizer hash', async () => {
    const root = makeRoot();
    mkdirSync(dirname(join(root, TOKENIZER)), { recursive: true });
    writeFileSync(join(root, TOKENIZER), Buffer.from([0x0a, 0x03, 0x0a, 0x01, 0x61]));
    writePrefix(join(root, 'data/q/data'), { packs: 200, row: { n_tokens: 10, n_image_tokens: 0, n_images: 0 } }, { stats: { tokenizer_sha256: 'ab'.repeat(32) } });
    expectIssue(await check({ root, set: ['noLossBeyondTokenId=1', 'cudaVisibleDevices=0,1,2,3,4,5,6,7'], input: { trainData: [{ weight: '1', prefix: 'data/q/data' }] } }), 'W-TOKENIZER');
  });

  it('covers every code of the table', () => {
    const tested = new Set([...cases.map((c) => c[0]), 'E-SEQ-MAXPOS', 'E-TP-CKPT', 'E-DISTOPT-RESUME', 'W-HANDOFF', 'W-RESUME-ORDER', 'E-NOLOSS-ID', 'W-TOKENIZER', 'W-EXIT-CODE']);
    expect(Object.keys(TRAIN_CHECKS).filter((c) => !tested.has(c))).toEqual([]);
    expect(Object.keys(TRAIN_CHECKS).length).toBe(38);
  });
});

describe('config files', () => {
  it('YAML keeps numeric-text fields as written (lr: 5e-5 stays "5e-5")', async () => {
    const { parseYamlConfig } = await import('../../src/train/index.js');
    expect(parseYamlConfig('lr: 5e-5\nminLr: 5.0e-6\nclipGrad: 1.0\nwarmupIters: 10\n')).toEqual({ lr: '5e-5', minLr: '5.0e-6', clipGrad: '1.0', warmupIters: 10 });
  });
});
