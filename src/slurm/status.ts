/**
 * Shard states of a Slurm array, from three sources in order of authority: the shard's completion
 * marker (done), the per-task exit file written by `solo jobs run-task` (failed), and `squeue`
 * (pending/running). A cancelled or timed-out task records 128 + signal (failed, e.g. 143 after
 * `scancel`); a task that is in none of them never ran or was killed outright (`missing`, e.g. a
 * pending task cancelled, SIGKILL): `solo jobs retry` resubmits failed and missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { SlurmManifest } from './manifest.js';
import { taskExitFile } from './manifest.js';
import { runCommand } from './submit.js';

export type ShardState = 'done' | 'running' | 'pending' | 'failed' | 'missing';

export interface ShardStatus {
  index: number;
  input: string;
  output: string;
  state: ShardState;
  exitCode?: number;
  jobId?: string;
}

export interface ArrayStatus {
  counts: Record<ShardState, number>;
  shards: ShardStatus[];
  /** True when no task is pending or running. */
  settled: boolean;
}

/** Map "jobid_index" → state for the manifest's jobs still known to squeue. */
export async function queuedTasks(jobIds: string[]): Promise<Map<string, 'pending' | 'running'>> {
  const out = new Map<string, 'pending' | 'running'>();
  if (jobIds.length === 0) return out;
  const exe = process.env.SOLO_SQUEUE ?? 'squeue';
  const r = await runCommand(exe, ['-h', '-r', '-j', jobIds.join(','), '-o', '%i %T']).catch(() => undefined);
  if (!r || r.code !== 0) return out; // finished jobs age out of squeue: "Invalid job id" is not an error here
  for (const line of r.stdout.split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    if (!id || !state) continue;
    out.set(id, state === 'PENDING' || state === 'CONFIGURING' ? 'pending' : 'running');
  }
  return out;
}

export function readExitFile(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const n = Number(readFileSync(path, 'utf8').trim());
  return Number.isFinite(n) ? n : undefined;
}

export async function arrayStatus(m: SlurmManifest): Promise<ArrayStatus> {
  const queued = await queuedTasks(m.submissions.map((s) => s.jobId));
  // The latest submission that covered each index is the one to look for in the queue.
  const latestJob = new Map<number, string>();
  for (const s of m.submissions) for (const i of s.indices) latestJob.set(i, s.jobId);
  const counts: Record<ShardState, number> = { done: 0, running: 0, pending: 0, failed: 0, missing: 0 };
  const shards: ShardStatus[] = m.tasks.map((t) => {
    const jobId = latestJob.get(t.index);
    const base = { index: t.index, input: t.input, output: t.output, jobId };
    let state: ShardState;
    let exitCode: number | undefined;
    if (existsSync(t.doneMarker)) state = 'done';
    else {
      const q = jobId ? (queued.get(`${jobId}_${t.index}`) ?? (queued.has(jobId) ? 'pending' : undefined)) : undefined;
      // A pending array still shows as "<job>_[0-3]" in squeue; treat any entry of the job as pending.
      const pendingRange = jobId ? [...queued.keys()].some((k) => k.startsWith(`${jobId}_[`)) : false;
      exitCode = readExitFile(taskExitFile(m, t.index));
      if (q) state = q;
      else if (pendingRange && exitCode === undefined) state = 'pending';
      else if (exitCode !== undefined && exitCode !== 0) state = 'failed';
      else state = exitCode === 0 ? 'failed' /* exit 0 without marker: the command lied */ : 'missing';
    }
    counts[state]++;
    return { ...base, state, exitCode };
  });
  return { counts, shards, settled: counts.pending === 0 && counts.running === 0 };
}
