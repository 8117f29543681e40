/** Golden: the three presets render the reference scripts' argv token for token (and env). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planTrainRun } from '../../src/train/index.js';

const fixture = (n: number) => JSON.parse(readFileSync(join(__dirname, '../fixtures/train', `reference-argv-stage${n}.json`), 'utf8')) as { env: Record<string, string>; argv: string[] };

describe('presets reproduce the reference curriculum scripts', () => {
  const empty = mkdtempSync(join(tmpdir(), 'solo-train-empty-'));
  for (const n of [1, 2, 3]) {
    it(`solo-stage${n}`, async () => {
      const ref = fixture(n);
      const plan = await planTrainRun({ preset: `solo-stage${n}`, dryRun: true, root: empty });
      expect(plan.launch.argv).toEqual(ref.argv);
      expect(plan.launch.env).toEqual(ref.env);
      expect(plan.launch.pre).toEqual([['make', '-C', 'Megatron-LLM/megatron/data']]);
      // missing files are warnings in a dry run
      const codes = plan.issues.map((i) => i.code);
      expect(codes).toContain('E-BLEND-FILES');
      expect(codes).toContain('E-LOAD-MISSING');
      expect(plan.issues.every((i) => i.severity === 'warning')).toBe(true);
    });
  }
  it('derived values match the scripts', async () => {
    const want = { 1: [195122, 1525], 2: [445565, 3481], 3: [38324, 300] } as const;
    for (const n of [1, 2, 3] as const) {
      const { derived } = await planTrainRun({ preset: `solo-stage${n}`, dryRun: true, root: empty });
      expect([derived.mp, derived.dp, derived.gradAccum, derived.globalBatchSize]).toEqual([2, 4, 32, 128]);
      expect([derived.nTrainData, derived.trainIters]).toEqual([...want[n]]);
    }
    const s2 = await planTrainRun({ preset: 'solo-stage2', dryRun: true, root: empty });
    const i = s2.launch.argv.indexOf('--train_data_path');
    const j = s2.launch.argv.indexOf('--train_iters');
    expect((j - i - 1) / 2).toBe(67);
    expect(s2.derived.expId.length).toBe(173);
  });
});
