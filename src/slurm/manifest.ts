/**
 * Slurm array manifest: one entry per input shard, each with the exact solo argv that processes it
 * and the completion marker that proves it finished. The manifest is content-hashed over the
 * options and the shard list, so the same request always maps to the same file and a re-submission
 * after failures reuses it (tasks are idempotent: a shard whose marker exists is skipped).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SoloError } from '../errors.js';

export interface ShardTask {
  /** Array task index (0-based, dense). */
  index: number;
  /** Input shard (file path or pattern the command reads). */
  input: string;
  /** Output prefix or output pattern the command writes. */
  output: string;
  /** File whose existence means the shard is complete (e.g. `<prefix>_DONE`). */
  doneMarker: string;
  /** solo arguments (after `solo`) that process exactly this shard. */
  argv: string[];
}

export interface SlurmSettings {
  jobName?: string;
  partition?: string;
  /** `--time`, e.g. `04:00:00`. */
  time?: string;
  cpusPerTask?: number;
  /** `--mem`, e.g. `32G`. */
  mem?: string;
  /** Maximum array tasks running at once (`%K`). */
  parallel?: number;
  /** Extra `#SBATCH` lines, each without the `#SBATCH ` prefix (e.g. `--account=abc`). */
  extraSbatch?: string[];
  /** Environment variables passed through to the tasks (`--export`). Default: ALL. */
  exportEnv?: string[];
}

export interface SlurmManifest {
  version: 1;
  kind: string;
  /** sha256 over kind + settings that change outputs + tasks (first 16 hex digits). */
  hash: string;
  createdAt: string;
  /** How tasks call solo: [node executable, cli main script]. */
  solo: string[];
  /** Command prefix the shard argv is appended to (default: `solo`). Tests use a stand-in. */
  runner?: string[];
  /** Working directory of every task. */
  cwd: string;
  logDir: string;
  settings: SlurmSettings;
  tasks: ShardTask[];
  /** Submitted job ids, oldest first, with the task indices each covered. */
  submissions: { jobId: string; indices: number[]; at: string }[];
}

export function manifestHash(kind: string, tasks: ShardTask[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ kind, tasks: tasks.map((t) => [t.input, t.output, t.doneMarker, t.argv]) }));
  return h.digest('hex').slice(0, 16);
}

export interface CreateManifestOptions {
  kind: string;
  tasks: Omit<ShardTask, 'index'>[];
  /** Directory that holds manifests and task logs (default: `<cwd>/.solo-slurm`). */
  stateDir?: string;
  settings?: SlurmSettings;
  /** Override how tasks invoke solo (default: this Node and this CLI). */
  solo?: string[];
  /** Command prefix for the shard argv (default: the solo invocation). */
  runner?: string[];
  cwd?: string;
}

export function defaultSoloInvocation(): string[] {
  // dist/slurm/manifest.js → dist/cli/main.js (or src/... under tests: the caller overrides).
  const main = resolve(dirname(new URL(import.meta.url).pathname), '../cli/main.js');
  return [process.execPath, main];
}

/** Build the manifest object (not yet written). Tasks are indexed in the given order. */
export function createManifest(opts: CreateManifestOptions): SlurmManifest {
  if (opts.tasks.length === 0) throw new SoloError('no shards to submit');
  const tasks = opts.tasks.map((t, index) => ({ index, ...t }));
  const hash = manifestHash(opts.kind, tasks);
  const cwd = resolve(opts.cwd ?? process.cwd());
  const stateDir = resolve(cwd, opts.stateDir ?? '.solo-slurm');
  return {
    version: 1,
    kind: opts.kind,
    hash,
    createdAt: new Date().toISOString(),
    solo: opts.solo ?? defaultSoloInvocation(),
    ...(opts.runner ? { runner: opts.runner } : {}),
    cwd,
    logDir: join(stateDir, `${opts.kind}-${hash}`),
    settings: opts.settings ?? {},
    tasks,
    submissions: [],
  };
}

export function manifestPathFor(m: SlurmManifest): string {
  return join(dirname(m.logDir), `${m.kind}-${m.hash}.manifest.json`);
}

export async function writeManifest(path: string, m: SlurmManifest): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(m, null, 2) + '\n');
  await rename(tmp, path);
}

export async function readManifest(path: string): Promise<SlurmManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SoloError(`cannot read manifest ${path}: ${(e as Error).message}`);
  }
  const m = JSON.parse(text) as SlurmManifest;
  if (m.version !== 1 || !Array.isArray(m.tasks)) throw new SoloError(`${path} is not a solo Slurm manifest`);
  return m;
}

/** Per-task exit-status file written by `solo jobs run-task` (the scheduler's view is optional). */
export function taskExitFile(m: SlurmManifest, index: number): string {
  return join(m.logDir, `task-${index}.exit`);
}

export function taskLogPattern(m: SlurmManifest): string {
  return join(m.logDir, 'task-%a.%A.log');
}
