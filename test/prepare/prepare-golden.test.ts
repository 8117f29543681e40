// End to end: `prepareDataset` on the reference's inputs, every mode and input set, compared
// file by file with the reference's outputs (vision_patch.bin by sha256; stats without timings).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareDataset } from '../../src/prepare/prepare-dataset.js';
import { GOLDEN_RUNS, MODES, goldenDir, goldenSums, sha256File, stripTimings } from './golden.js';
import { ensureBuilt, workDir } from './helpers.js';

beforeAll(ensureBuilt);

describe('prepareDataset == reference', () => {
  for (const workers of [1, 2])
  for (const [set, mode] of GOLDEN_RUNS) {
    it(`${set} ${mode} --workers ${workers}`, async () => {
      const w = workDir();
      const m = MODES[mode];
      const dir = mkdtempSync(join(tmpdir(), 'prep-'));
      const r = await prepareDataset({
        input: [join(w, `${set}.jsonl`)],
        outputPrefix: join(dir, 'data'),
        tokenizer: join(w, `${m.tokenizer}.tokenizer.model`),
        pretrain: m.kind === 'pretrain',
        pack: m.pack > 0,
        maxSeqLength: m.pack || undefined,
        workers,
        compat: set === 'packing_exact512' ? ['pack-exact-length'] : [],
      });
      const gold = goldenDir(set, mode);
      const sums = goldenSums(gold);
      const files = readdirSync(dir).filter((f) => f !== 'data_errors.jsonl').sort();
      expect(files).toEqual([...sums.keys()].sort());
      for (const [name, sha] of sums) {
        if (name === 'data_stats.json') continue;
        expect(`${name} ${sha256File(join(dir, name))}`).toBe(`${name} ${sha}`);
      }
      expect(stripTimings(readFileSync(join(dir, 'data_stats.json'), 'utf8'))).toBe(stripTimings(readFileSync(join(gold, 'data_stats.json'), 'utf8')));
      expect(r.skipped).toBe(false);
      expect(r.threads).toBe(workers === 1 ? 0 : workers); // 2 = real piscina threads (dist/prepare/worker.js)
    });
  }
});

describe('--target-size (reference debug cap)', () => {
  it('stops when the N-th pack is pulled: N-1 items, the golden ones', async () => {
    const w = workDir();
    const dir = mkdtempSync(join(tmpdir(), 'prep-ts-'));
    await prepareDataset({ input: [join(w, 'dev.jsonl')], outputPrefix: join(dir, 'data'), tokenizer: join(w, 'solo-33029.tokenizer.model'), pretrain: true, pack: true, maxSeqLength: 512, workers: 1, targetSize: 5 });
    const gold = goldenDir('dev', 'b_pretrain_pack512');
    expect(readFileSync(join(dir, 'data.jsonl'), 'utf8')).toBe(readFileSync(join(gold, 'data.jsonl'), 'utf8').split('\n').slice(0, 4).join('\n') + '\n');
    const stats = JSON.parse(readFileSync(join(dir, 'data_stats.json'), 'utf8')) as Record<string, number>;
    expect(stats.total_docs_processed).toBe(5);
    expect(stats.n_total_packed_doc).toBe(5);
  });
});
