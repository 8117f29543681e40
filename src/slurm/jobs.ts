/**
 * `solo jobs` library: status, wait, retry and the per-task runner used inside array jobs.
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { SoloError, UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { readManifest, taskExitFile } from './manifest.js';
import type { ArrayStatus } from './status.js';
import { arrayStatus } from './status.js';
import type { SubmitArrayResult } from './submit.js';
import { submitManifestTasks } from './submit.js';

export async function jobsStatus(manifestPath: string): Promise<ArrayStatus & { manifest: string }> {
  const m = await readManifest(manifestPath);
  return { manifest: manifestPath, ...(await arrayStatus(m)) };
}

export interface JobsWaitOptions {
  manifest: string;
  /** Seconds; undefined waits forever. */
  timeout?: number;
  /** Poll interval in milliseconds (default 2000). */
  intervalMs?: number;
  onProgress?: ProgressFn;
}

/** Wait until no shard is pending or running. `ok` is true when every shard is done. */
export async function jobsWait(opts: JobsWaitOptions): Promise<ArrayStatus & { ok: boolean; timedOut: boolean }> {
  const m = await readManifest(opts.manifest);
  const start = Date.now();
  for (;;) {
    const st = await arrayStatus(await readManifest(opts.manifest).catch(() => m));
    opts.onProgress?.({ stage: 'jobs', done: st.counts.done, total: st.shards.length, errors: st.counts.failed, unit: 'shards' });
    if (st.settled) return { ...st, ok: st.counts.done === st.shards.length, timedOut: false };
    if (opts.timeout !== undefined && Date.now() - start > opts.timeout * 1000) return { ...st, ok: false, timedOut: true };
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2000));
  }
}

/** Resubmit only failed or missing shards (pending/running ones are left alone). */
export async function jobsRetry(manifestPath: string, opts: { dryRun?: boolean } = {}): Promise<SubmitArrayResult> {
  const m = await readManifest(manifestPath);
  const st = await arrayStatus(m);
  const indices = st.shards.filter((s) => s.state === 'failed' || s.state === 'missing').map((s) => s.index);
  if (!opts.dryRun) for (const i of indices) await rm(taskExitFile(m, i), { force: true });
  return submitManifestTasks(manifestPath, m, indices, opts.dryRun);
}

/**
 * Run one array task: skip when the shard's marker exists, else run its solo argv and record the
 * exit code in `task-<i>.exit`. Returns the exit code.
 */
export async function runArrayTask(manifestPath: string, index: number): Promise<number> {
  const m = await readManifest(manifestPath);
  const t = m.tasks[index];
  if (!t || t.index !== index) throw new UsageError(`task ${index} is not in ${manifestPath} (0..${m.tasks.length - 1})`);
  await mkdir(m.logDir, { recursive: true });
  const exitFile = taskExitFile(m, index);
  await rm(exitFile, { force: true });
  if (existsSync(t.doneMarker)) {
    process.stderr.write(`solo jobs: shard ${index} (${t.input}) already done (${t.doneMarker}); skipping\n`);
    await writeFile(exitFile, '0\n');
    return 0;
  }
  const runner = m.runner ?? m.solo;
  process.stderr.write(`solo jobs: shard ${index}: ${[...runner, ...t.argv].join(' ')}\n`);
  // scancel and the time limit send SIGTERM to every process of the task: stay alive long enough
  // to record the shard as failed (128 + signal) instead of vanishing without a trace.
  let terminated: NodeJS.Signals | undefined;
  const code = await new Promise<number>((resolve, reject) => {
    const p = spawn(runner[0]!, [...runner.slice(1), ...t.argv], { cwd: m.cwd, stdio: 'inherit' });
    const onSignal = (sig: NodeJS.Signals) => {
      terminated ??= sig;
      p.kill(sig);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const done = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    };
    p.on('error', (e) => (done(), reject(new SoloError(`cannot start ${runner[0]}: ${e.message}`))));
    p.on('close', (c, sig) => (done(), resolve(c ?? 128 + (osConstants.signals[sig ?? 'SIGTERM'] ?? 15))));
  });
  // A zero exit without the marker is a failure: never trust the exit code alone.
  let final = code === 0 && !existsSync(t.doneMarker) ? 1 : code;
  if (terminated && !existsSync(t.doneMarker)) {
    final = 128 + (osConstants.signals[terminated] ?? 15);
    process.stderr.write(`solo jobs: shard ${index} terminated by ${terminated} (cancelled or over its time limit)\n`);
  }
  await writeFile(exitFile, `${final}\n`);
  return final;
}
