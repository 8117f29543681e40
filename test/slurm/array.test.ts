import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arraySpec, renderArrayScript, shellQuote } from '../../src/slurm/render-array.js';
import { createManifest, readManifest } from '../../src/slurm/manifest.js';
import { submitShardArray } from '../../src/slurm/submit.js';
import { jobsRetry, jobsStatus, jobsWait } from '../../src/slurm/jobs.js';
import { describeSlurm, until } from '../helpers/slurm.js';

const SOLO = [process.execPath, resolve('dist/cli/main.js')];
// Stand-in for the per-shard solo command: sleep for the seconds in file $0, then write marker $1.
const RUNNER = ['/bin/sh', '-c', 'sleep "$(cat "$0")"; mkdir -p "$(dirname "$1")"; touch "$1"'];

function shards(dir: string, n: number, delay: number) {
  return Array.from({ length: n }, (_, i) => {
    const delayFile = join(dir, `delay-${i}`);
    writeFileSync(delayFile, String(delay));
    const marker = join(dir, 'out', `shard-${i}_DONE`);
    return { input: `in-${i}`, output: join(dir, 'out', `shard-${i}`), doneMarker: marker, argv: [delayFile, marker] };
  });
}

describe('sbatch rendering', () => {
  it('compresses array indices and quotes words', () => {
    expect(arraySpec([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(arraySpec([3])).toBe('3');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('/a/b-c.txt')).toBe('/a/b-c.txt');
  });
  it('renders a valid array script with settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'solo-slurm-'));
    const m = createManifest({
      kind: 'prepare',
      tasks: shards(dir, 4, 0),
      stateDir: join(dir, 'state'),
      solo: SOLO,
      settings: { partition: 'cpu', time: '01:00:00', cpusPerTask: 4, mem: '8G', parallel: 2, extraSbatch: ['account=abc'] },
    });
    const script = renderArrayScript(m, '/x/m.json', [0, 2, 3]);
    expect(script).toContain('#SBATCH --array=0,2-3%2');
    expect(script).toContain('#SBATCH --partition=cpu');
    expect(script).toContain('#SBATCH --cpus-per-task=4');
    expect(script).toContain('#SBATCH --account=abc');
    expect(script).toMatch(/jobs run-task \/x\/m\.json "\$SLURM_ARRAY_TASK_ID"\n$/);
    const f = join(dir, 's.sh');
    writeFileSync(f, script);
    expect(spawnSync('bash', ['-n', f]).status).toBe(0);
  });
});

describeSlurm('Slurm shard arrays (live cluster)', () => {
  it('runs every shard, skips done ones on resubmit, and retries only a cancelled shard', async () => {
    expect(existsSync(SOLO[1]!), 'dist/ must be built (npm test builds first)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'solo-slurm-live-'));
    const tasks = shards(dir, 3, 1);
    // Shard 2 takes long enough to be cancelled mid-run.
    writeFileSync(join(dir, 'delay-2'), '120');
    const sub = await submitShardArray({ kind: 'test', tasks, stateDir: join(dir, 'state'), solo: SOLO, runner: RUNNER, cwd: dir });
    expect(sub.jobId).toMatch(/^\d+$/);
    expect(sub.indices).toEqual([0, 1, 2]);

    await until(async () => (await jobsStatus(sub.manifest)).shards[2]!.state === 'running', 60_000, 'shard 2 to run');
    await until(() => existsSync(tasks[0]!.doneMarker) && existsSync(tasks[1]!.doneMarker), 60_000, 'shards 0 and 1');
    execFileSync('scancel', [`${sub.jobId}_2`]);
    const after = await jobsWait({ manifest: sub.manifest, timeout: 60, intervalMs: 500 });
    expect(after.ok).toBe(false);
    expect(after.counts.done).toBe(2);
    expect(after.shards[2]!.state).toBe('missing');
    expect(existsSync(tasks[2]!.doneMarker)).toBe(false);

    writeFileSync(join(dir, 'delay-2'), '0');
    const retry = await jobsRetry(sub.manifest);
    expect(retry.indices).toEqual([2]);
    expect(retry.script).toContain('#SBATCH --array=2\n');
    const done = await jobsWait({ manifest: sub.manifest, timeout: 90, intervalMs: 500 });
    expect(done.ok).toBe(true);
    const m = await readManifest(sub.manifest);
    expect(m.submissions.map((s) => s.indices)).toEqual([[0, 1, 2], [2]]);

    // Same request again: everything is done, nothing is submitted.
    const again = await submitShardArray({ kind: 'test', tasks, stateDir: join(dir, 'state'), solo: SOLO, runner: RUNNER, cwd: dir });
    expect(again.manifest).toBe(sub.manifest);
    expect(again.indices).toEqual([]);
    expect(again.jobId).toBeUndefined();
  }, 240_000);
});
