/** `solo runs show` on a log in the fork's format, and `solo runs ls` on checkpoint trees. */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { formatRunList, listRuns, parseIterationLine, showRun } from '../../src/train/index.js';
import { tempDir, writeCheckpoint } from './helpers.js';

const LOG = join(__dirname, '../fixtures/train/sample-train.log');

describe('training log', () => {
  it('parses one training_log line field by field', () => {
    const p = parseIterationLine(readFileSync(LOG, 'utf8').split('\n')[4]!)!;
    expect(p).toMatchObject({ iteration: 1, trainIters: 12, consumedSamples: 128, elapsedMs: 40010.5, tokensPerSec: 101000.25, lr: 1.25e-5, globalBatchSize: 128, lossScale: 1, gradNorm: 1, skipped: 0, nan: 0 });
    expect(p.losses).toEqual({ 'lm loss': 2.9, 'img lm loss': 3.1, 'txt lm loss': 2.7 });
  });

  it('show: table, CSV, SVG and a PNG of the expected size; skipped iterations and the crash', async () => {
    const out = tempDir('runs-show');
    const r = await showRun({ log: LOG, outDir: out, name: 'run' });
    expect(r.log.points.map((p) => p.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.log.skippedIterations).toEqual([5]);
    expect(r.log.skippedTotal).toBe(1);
    expect(r.log.saves).toEqual([10, 10]);
    expect(r.log.crashes).toHaveLength(1);
    expect(r.log.crashes[0]).toMatchObject({ error: 'AssertionError: text and role lengths differ', afterIteration: 10 });
    expect(r.log.crashes[0]!.traceback).toHaveLength(6);
    expect(r.log.lossKeys).toEqual(['lm loss', 'img lm loss', 'txt lm loss']);
    expect(r.table).toContain('skipped 1 (at 5)');
    expect(r.table).toContain('crash at log line');
    expect(r.table).toContain('AssertionError');
    const csv = readFileSync(r.csv, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('iteration,train_iters,consumed_samples,elapsed_ms,tokens_per_sec,lr,global_batch_size,lm_loss,img_lm_loss,txt_lm_loss,loss_scale,grad_norm,skipped,nan');
    expect(csv).toHaveLength(11);
    expect(csv[1]).toBe('1,12,128,40010.5,101000.25,0.0000125,128,2.9,3.1,2.7,1,1,0,0');
    expect(csv[5]).toBe('5,12,640,40052.5,105001.25,0.00004829,128,,,,1,,1,0');
    const svg = readFileSync(r.svg, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(4); // three losses + lr
    const meta = await sharp(r.png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 900, 640]);
    expect(r.pngSize).toEqual({ width: 900, height: 640 });
  });
});

describe('runs ls', () => {
  it('lists runs, checkpoints, sizes, latest, completeness and finished state', () => {
    const root = tempDir('runs-ls');
    const a = join(root, 'runA');
    writeCheckpoint(a, '100', { mp_rank_00: ['model_rng.pt'], mp_rank_01: ['model_rng.pt'], mp_rank_00_000: ['optim.pt'], mp_rank_01_000: ['optim.pt'] });
    writeCheckpoint(a, '50', { mp_rank_00: ['model_rng.pt'], mp_rank_01: [] });
    writeFileSync(join(a, 'latest_checkpointed_iteration.txt'), '100');
    writeFileSync(join(a, 'solo-run.json'), JSON.stringify({ launcher: 'local', config: { tp: 2, pp: 1, useDistributedOptimizer: true }, derived: { dp: 1, trainIters: 100 }, outcome: { jobId: undefined } }));
    const b = join(root, 'runB');
    writeCheckpoint(b, 'release', { mp_rank_00: ['model_optim_rng.pt'] });
    writeFileSync(join(root, 'not-a-run.txt'), '');
    const runs = listRuns([root]);
    expect(runs.map((r) => r.name)).toEqual(['runA', 'runB']);
    const [ra, rb] = runs;
    expect(ra!.checkpoints.map((c) => [c.name, c.complete, c.bytes])).toEqual([['iter_0000050', false, 1], ['iter_0000100', true, 4]]);
    expect(ra!.checkpoints[0]!.problem).toBe('mp_rank_01 has no .pt file');
    expect([ra!.latest, ra!.trainIters, ra!.finished, ra!.bytes]).toEqual([100, 100, true, 5]);
    expect(rb!.latest).toBe('release');
    const text = formatRunList(runs);
    expect(text).toContain('runA  [finished]');
    expect(text).toContain('INCOMPLETE (mp_rank_01 has no .pt file)');
    expect(text).toContain('← latest');
    // a run directory itself as root
    expect(listRuns([b]).map((r) => r.name)).toEqual(['runB']);
  });
});
