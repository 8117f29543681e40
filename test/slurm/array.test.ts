import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arraySpec, renderArrayScript, shellQuote } from '../../src/slurm/render-array.js';
import { createManifest, readManifest, writeManifest } from '../../src/slurm/manifest.js';
import { arrayStatus } from '../../src/slurm/status.js';
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

describe('solo jobs run-task (the command inside each array task)', () => {
  it('records SIGTERM (scancel, time limit) as a failed shard with exit 128+15, and a clean run as 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'solo-runtask-'));
    const tasks = shards(dir, 2, 0);
    writeFileSync(join(dir, 'delay-1'), '60');
    const m = createManifest({ kind: 'test', tasks, stateDir: join(dir, 'state'), solo: SOLO, runner: RUNNER, cwd: dir, settings: {} });
    const path = join(dir, 'state', 'm.manifest.json');
    mkdirSync(join(dir, 'state'), { recursive: true });
    await writeManifest(path, m);
    const ok = spawnSync(SOLO[0]!, [SOLO[1]!, 'jobs', 'run-task', path, '0'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    const child = spawn(SOLO[0]!, [SOLO[1]!, 'jobs', 'run-task', path, '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    await until(() => err.includes('solo jobs: shard 1:'), 30_000, 'run-task to start the shard');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(143);
    expect(err).toContain('terminated by SIGTERM');
    const st = await arrayStatus(await readManifest(path));
    expect(st.shards.map((x) => x.state)).toEqual(['done', 'failed']);
    expect(st.shards[1]!.exitCode).toBe(143);
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
    // running in squeue is not enough: wait until run-task has started the shard's command
    const logDir = join(dir, 'state', basename(sub.manifest).replace(/\.manifest\.json$/, ''));
    const started = () => existsSync(logDir) && readdirSync(logDir).some((f) => f.startsWith('task-2.') && f.endsWith('.log') && readFileSync(join(logDir, f), 'utf8').includes('solo jobs: shard 2:'));
    await until(started, 60_000, 'shard 2 to start its command');
    await until(() => existsSync(tasks[0]!.doneMarker) && existsSync(tasks[1]!.doneMarker), 60_000, 'shards 0 and 1');
    execFileSync('scancel', [`${sub.jobId}_2`]);
    const after = await jobsWait({ manifest: sub.manifest, timeout: 60, intervalMs: 500 });
    expect(after.ok).toBe(false);
    expect(after.counts.done).toBe(2);
    // run-task records the SIGTERM (failed, 143) unless Slurm kills it outright (missing): both are retried
    expect(after.shards[2]!.state === 'missing' || (after.shards[2]!.state === 'failed' && after.shards[2]!.exitCode === 143), JSON.stringify(after.shards[2])).toBe(true);
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
