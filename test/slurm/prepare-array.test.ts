import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { prepareShards } from '../../src/prepare/index.js';
import { jobsRetry, jobsStatus, jobsWait } from '../../src/slurm/jobs.js';
import { submitPrepareArray } from '../../src/slurm/prepare-array.js';
import { workDir } from '../prepare/helpers.js';
import { describeSlurm, until } from '../helpers/slurm.js';

const SOLO = [process.execPath, resolve('dist/cli/main.js')];

/** Four shards cut from the reference dev corpus; shard 3 is the corpus ×12 so it runs long enough to cancel. */
function makeShards(dir: string): string[] {
  const lines = readFileSync(join(workDir(), 'dev.jsonl'), 'utf8').split('\n').filter((l) => l);
  const parts = [lines.slice(0, 15), lines.slice(15, 30), lines.slice(30, 44), Array.from({ length: 12 }, () => lines).flat()];
  return parts.map((p, i) => {
    const f = join(dir, `part_${String(i).padStart(3, '0')}.jsonl`);
    writeFileSync(f, p.join('\n') + '\n');
    return f;
  });
}

function outputsOf(prefix: string): Map<string, Buffer> {
  const dir = join(prefix, '..');
  const m = new Map<string, Buffer>();
  for (const f of readdirSync(dir).sort()) if (!f.endsWith('_stats.json')) m.set(f, readFileSync(join(dir, f)));
  return m;
}

describeSlurm('solo prepare --slurm (live cluster)', () => {
  it('runs one array task per shard, byte-identical to a local run; a cancelled task is retried alone', async () => {
    expect(existsSync(SOLO[1]!), 'dist/ must be built (npm test builds first)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'solo-prep-slurm-'));
    const shards = makeShards(dir);
    const tokenizer = join(workDir(), 'solo-33029.tokenizer.model');
    const common = { tokenizer, pretrain: true, pack: true, maxSeqLength: 512, workers: 1 };

    const local = await prepareShards({ ...common, shards, outputDir: join(dir, 'local') });
    expect(local.done).toBe(4);

    const sub = await submitPrepareArray({ ...common, shards: [join(dir, 'part_{000..003}.jsonl')], outputDir: join(dir, 'slurm'), slurm: { parallel: 4 }, solo: SOLO });
    expect(sub.indices).toEqual([0, 1, 2, 3]);
    const long = join(dir, 'slurm', 'part_003', 'data');
    await until(async () => (await jobsStatus(sub.manifest)).shards[3]!.state === 'running' && existsSync(join(dir, 'slurm', 'part_003')), 60_000, 'shard 3 to start');
    await new Promise((r) => setTimeout(r, 1500));
    execFileSync('scancel', [`${sub.jobId}_3`]);
    const first = await jobsWait({ manifest: sub.manifest, timeout: 120, intervalMs: 500 });
    expect(first.counts.done).toBe(3);
    expect(first.shards[3]!.state === 'missing' || (first.shards[3]!.state === 'failed' && first.shards[3]!.exitCode === 143), JSON.stringify(first.shards[3])).toBe(true); // cancelled: recorded by run-task, or killed outright
    expect(existsSync(`${long}_DONE`), 'a cancelled task must leave no _DONE').toBe(false);
    expect(existsSync(`${long}-text.bin`), 'no final-named partial file').toBe(false);

    const retry = await jobsRetry(sub.manifest);
    expect(retry.indices).toEqual([3]);
    const done = await jobsWait({ manifest: sub.manifest, timeout: 180, intervalMs: 500 });
    expect(done.ok).toBe(true);

    for (const s of ['part_000', 'part_001', 'part_002', 'part_003']) {
      const a = outputsOf(join(dir, 'local', s, 'data'));
      const b = outputsOf(join(dir, 'slurm', s, 'data'));
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [k, v] of a) {
        if (k.endsWith('_errors.jsonl')) {
          // Quarantine records must agree on where and why; decoder message texts may vary.
          const strip = (x: Buffer) => x.toString('utf8').split('\n').filter(Boolean).map((l) => { const { message: _m, ...rest } = JSON.parse(l); return rest; });
          expect(strip(b.get(k)!), `${s}/${k}`).toEqual(strip(v));
        } else expect(b.get(k)!.equals(v), `${s}/${k}`).toBe(true);
      }
    }
  }, 400_000);
});
