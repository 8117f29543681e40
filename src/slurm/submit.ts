/**
 * Submit a shard array to Slurm (`sbatch --parsable`), or render it only (dry run). The manifest is
 * written first, so `solo jobs status|wait|retry` work from the moment the job exists.
 * `SOLO_SBATCH` replaces the sbatch executable (tests, wrappers).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { SoloError } from '../errors.js';
import type { CreateManifestOptions, SlurmManifest } from './manifest.js';
import { createManifest, manifestPathFor, readManifest, writeManifest } from './manifest.js';
import { renderArrayScript } from './render-array.js';

export interface SubmitArrayOptions extends CreateManifestOptions {
  dryRun?: boolean;
  /** Submit only tasks whose marker is missing (default true: a re-submission runs what is left). */
  skipDone?: boolean;
}

export interface SubmitArrayResult {
  manifest: string;
  jobId?: string;
  script: string;
  /** Task indices submitted (or that would be). */
  indices: number[];
  skipped: number;
}

export function runCommand(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('error', (e) => reject(new SoloError(`cannot run ${cmd}: ${e.message}`)));
    p.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (p.stdin) {
      p.stdin.on('error', () => {}); // a command that exits without reading its input is not our error
      p.stdin.end(input);
    }
  });
}

/** `sbatch --parsable` with the script on stdin; returns the job id. */
export async function sbatch(script: string, extraArgs: string[] = []): Promise<string> {
  const exe = process.env.SOLO_SBATCH ?? 'sbatch';
  const r = await runCommand(exe, ['--parsable', ...extraArgs], script);
  if (r.code !== 0) throw new SoloError(`sbatch failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  const id = r.stdout.trim().split('\n').pop()!.split(';')[0]!.trim();
  if (!/^\d+$/.test(id)) throw new SoloError(`sbatch printed no job id: ${r.stdout.trim()}`);
  return id;
}

/** Submit (or re-submit) the given indices of an existing manifest. */
export async function submitManifestTasks(manifestPath: string, m: SlurmManifest, indices: number[], dryRun = false): Promise<SubmitArrayResult> {
  const script = renderArrayScript(m, manifestPath, indices);
  if (dryRun || indices.length === 0) return { manifest: manifestPath, script, indices, skipped: m.tasks.length - indices.length };
  await mkdir(m.logDir, { recursive: true });
  const jobId = await sbatch(script);
  m.submissions.push({ jobId, indices, at: new Date().toISOString() });
  await writeManifest(manifestPath, m);
  return { manifest: manifestPath, jobId, script, indices, skipped: m.tasks.length - indices.length };
}

export async function submitShardArray(opts: SubmitArrayOptions): Promise<SubmitArrayResult> {
  let m = createManifest(opts);
  const path = manifestPathFor(m);
  if (existsSync(path)) {
    // Same request as before: keep its submission history, refresh settings.
    const old = await readManifest(path);
    old.settings = m.settings;
    old.solo = m.solo;
    m = old;
  }
  const indices = m.tasks.filter((t) => !(opts.skipDone ?? true) || !existsSync(t.doneMarker)).map((t) => t.index);
  if (!opts.dryRun) await writeManifest(path, m);
  return submitManifestTasks(path, m, indices, opts.dryRun);
}
