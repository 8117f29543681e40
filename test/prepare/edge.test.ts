// The reference's 20 edge runs (empty documents, empty input, only errors, invalid UTF-8, sizes of
// plain/gz/lz4 lines, raw CR, BOM, missing final newline, '.gz' substring names, blank lines):
// same exit status, same files (sha256) and the same stats values, types and key order.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareDataset } from '../../src/prepare/prepare-dataset.js';
import { FIX, sha256File } from './golden.js';
import { workDir } from './helpers.js';

interface EdgeCase {
  case: string;
  argv: string[];
  exit_code: number;
  files: Record<string, { sha256: string }>;
  stats_without_timings?: Record<string, number>;
  stats_key_order?: string[];
}

const cases = JSON.parse(readFileSync(join(FIX, 'edge', 'results.json'), 'utf8')) as EdgeCase[];

describe('reference edge runs', () => {
  // Every case in-thread; the compressed-input cases also through the thread pool.
  const runs = cases.flatMap((c) => [[c, 1], ...(/\.(gz|lz4)/.test(c.argv[c.argv.indexOf('--input') + 1]!) ? [[c, 2]] : [])] as [EdgeCase, number][]);
  for (const [c, workers] of runs) {
    const arg = (name: string) => {
      const i = c.argv.indexOf(name);
      return i >= 0 ? c.argv[i + 1] : undefined;
    };
    it(`${c.case}${workers > 1 ? ' --workers 2' : ''}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'edge-'));
      let failed: Error | undefined;
      try {
        await prepareDataset({
          input: [join(FIX, 'edge', 'inputs', arg('--input')!)],
          outputPrefix: join(dir, 'data'),
          tokenizer: join(workDir(), 'solo-33029.tokenizer.model'),
          pretrain: c.argv.includes('--do_pretrain'),
          pack: c.argv.includes('--do_packing'),
          maxSeqLength: Number(arg('--max_seq_length') ?? 4096),
          workers,
          targetSize: arg('--target_size') ? Number(arg('--target_size')) : undefined,
        });
      } catch (e) {
        failed = e as Error;
      }
      expect(failed ? 1 : 0, failed?.message).toBe(c.exit_code);
      const files = readdirSync(dir).filter((f) => f !== 'data_errors.jsonl').sort();
      const want = Object.keys(c.files).concat(c.exit_code === 0 ? ['data_DONE'] : []);
      expect(files).toEqual([...new Set(want)].sort());
      for (const [name, f] of Object.entries(c.files)) {
        if (name === 'data_stats.json') continue;
        expect(`${name} ${sha256File(join(dir, name))}`).toBe(`${name} ${f.sha256}`);
      }
      if (c.stats_without_timings) {
        const text = readFileSync(join(dir, 'data_stats.json'), 'utf8');
        const got = JSON.parse(text) as Record<string, number>;
        expect(Object.keys(got)).toEqual(c.stats_key_order);
        for (const [k, v] of Object.entries(c.stats_without_timings)) {
          expect(got[k], k).toBe(v);
          // JSON type: Python ints print without a '.', floats with one.
          const raw = new RegExp(`"${k}": ([^,}]+)`).exec(text)![1]!;
          expect(/[.e]/.test(raw), `${k} typing`).toBe(!Number.isInteger(v));
        }
      }
    });
  }
});
