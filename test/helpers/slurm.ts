/**
 * Live Slurm for tests: `describeSlurm` runs when `sinfo` answers (start one with
 * `scripts/local-slurm.sh start`); otherwise it skips with a reason, except under
 * SOLO_REQUIRE_SLURM=1 (CI), where a missing cluster fails.
 */
import { spawnSync } from 'node:child_process';
import { describeWhen } from './describe-when.js';

export function slurmMissing(): string | null {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `sinfo not runnable: ${r.error.message}`;
  if (r.status !== 0) return `sinfo failed: ${r.stderr.trim()}`;
  if (!/idle|mixed|alloc/.test(r.stdout)) return `no usable Slurm node (sinfo: ${r.stdout.trim()})`;
  return null;
}

export function describeSlurm(name: string, fn: () => void): void {
  describeWhen(name, slurmMissing(), { envVar: 'SOLO_REQUIRE_SLURM', title: 'has a live Slurm cluster', what: 'Slurm', hint: 'run scripts/local-slurm.sh start' }, fn);
}

/** Poll until `pred` is true or the timeout passes. */
export async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}
