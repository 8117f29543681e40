/**
 * `solo runs`: discover training runs (checkpoint directories) and their checkpoints
 * (iterations, sizes, the tracker's latest, complete or not), and `showRun`: parse a run's log
 * into a table, a CSV and loss/lr curves (SVG + PNG).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { MEGATRON_TRACKER_FILE } from './derive.js';
import { formatTrainLogTable, parseTrainLog, trainLogCsv, type TrainLog } from './parse-log.js';
import { renderTrainLogSvg, svgToPng } from './plot-log.js';
import { RUN_MANIFEST, type RunManifest } from './train-run.js';

export interface RunCheckpointInfo {
  name: string;
  /** Iteration number, or 'release'. */
  iteration: number | 'release';
  bytes: number;
  rankDirs: number;
  complete: boolean;
  /** Why it is incomplete. */
  problem?: string;
}

export interface RunInfo {
  name: string;
  dir: string;
  tracker?: string;
  checkpoints: RunCheckpointInfo[];
  bytes: number;
  latest?: number | 'release';
  trainIters?: number;
  /** tracker == trainIters (from the run manifest). */
  finished?: boolean;
  launcher?: string;
  jobId?: string;
  /** Slurm state of `jobId` (squeue, then sacct), e.g. RUNNING, COMPLETED, FAILED; 'UNKNOWN' when neither answers. */
  jobState?: string;
}

/** The state of a Slurm job: `squeue` while it is queued or running, `sacct` afterwards (SOLO_SQUEUE / SOLO_SACCT override). */
export function slurmJobState(jobId: string): string {
  const ask = (exe: string, args: string[]): string | undefined => {
    const r = spawnSync(exe, args, { encoding: 'utf8', timeout: 15000 });
    if (r.status !== 0 || !r.stdout) return undefined;
    const first = r.stdout.split('\n').map((l) => l.trim()).find((l) => l !== '');
    return first?.split(/\s+/)[0];
  };
  return ask(process.env.SOLO_SQUEUE || 'squeue', ['-h', '-j', jobId, '-o', '%T'])
    ?? ask(process.env.SOLO_SACCT || 'sacct', ['-n', '-X', '-P', '-j', jobId, '-o', 'State'])
    ?? 'UNKNOWN';
}

function dirBytes(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(p)) n += dirBytes(join(p, e));
  return n;
}

function readManifest(dir: string): RunManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, RUN_MANIFEST), 'utf8')) as RunManifest;
  } catch {
    return undefined;
  }
}

function checkpointInfo(dir: string, name: string, manifest?: RunManifest): RunCheckpointInfo {
  const p = join(dir, name);
  const iteration = name === 'release' ? 'release' : Number(name.slice(5));
  const ranks = readdirSync(p).filter((n) => n.startsWith('mp_rank_')).sort();
  let problem: string | undefined;
  if (ranks.length === 0) problem = 'no mp_rank_* directories';
  for (const r of ranks) {
    const files = readdirSync(join(p, r)).filter((f) => f.endsWith('.pt'));
    if (files.length === 0) problem ??= `${r} has no .pt file`;
    for (const f of files) if (statSync(join(p, r, f)).size === 0) problem ??= `${r}/${f} is empty`;
  }
  if (!problem && manifest) {
    const { tp, pp, useDistributedOptimizer } = manifest.config;
    const dp = manifest.derived.dp;
    const model = ranks.filter((r) => existsSync(join(p, r, 'model_rng.pt')) || existsSync(join(p, r, 'model_optim_rng.pt'))).length;
    const optim = ranks.filter((r) => existsSync(join(p, r, 'optim.pt'))).length;
    if (model !== tp * pp) problem = `${model} model shards, expected TP×PP = ${tp * pp}`;
    else if (useDistributedOptimizer && iteration !== 'release' && optim !== tp * pp * dp) problem = `${optim} optimizer shards, expected TP×PP×DP = ${tp * pp * dp}`;
  }
  return { name, iteration, bytes: dirBytes(p), rankDirs: ranks.length, complete: !problem, ...(problem ? { problem } : {}) };
}

function isRunDir(dir: string): boolean {
  if (existsSync(join(dir, MEGATRON_TRACKER_FILE)) || existsSync(join(dir, RUN_MANIFEST))) return true;
  try {
    return readdirSync(dir).some((n) => /^iter_\d{7}$/.test(n));
  } catch {
    return false;
  }
}

export function runInfo(dir: string, opts: { slurmState?: boolean } = {}): RunInfo {
  const manifest = readManifest(dir);
  const names = readdirSync(dir).filter((n) => (/^iter_\d{7}$/.test(n) || n === 'release') && statSync(join(dir, n)).isDirectory()).sort();
  const checkpoints = names.map((n) => checkpointInfo(dir, n, manifest));
  const tracker = existsSync(join(dir, MEGATRON_TRACKER_FILE)) ? readFileSync(join(dir, MEGATRON_TRACKER_FILE), 'utf8').trim() : undefined;
  const latest = tracker === undefined ? undefined : tracker === 'release' ? 'release' : Number(tracker);
  const trainIters = manifest?.derived.trainIters;
  return {
    name: basename(dir),
    dir,
    ...(tracker !== undefined ? { tracker } : {}),
    checkpoints,
    bytes: checkpoints.reduce((a, c) => a + c.bytes, 0),
    ...(latest !== undefined ? { latest } : {}),
    ...(trainIters !== undefined ? { trainIters, finished: latest === trainIters } : {}),
    ...(manifest ? { launcher: manifest.launcher } : {}),
    ...(manifest?.outcome?.jobId ? { jobId: manifest.outcome.jobId } : {}),
    ...(manifest?.outcome?.jobId && opts.slurmState ? { jobState: slurmJobState(manifest.outcome.jobId) } : {}),
  };
}

/** Runs under each root (a root that is itself a run counts), sorted by name. */
export function listRuns(roots: string[], opts: { slurmState?: boolean } = {}): RunInfo[] {
  const out: RunInfo[] = [];
  for (const root of roots) {
    if (!existsSync(root)) throw new UsageError(`${root}: no such directory`);
    if (isRunDir(root)) {
      out.push(runInfo(root, opts));
      continue;
    }
    for (const n of readdirSync(root).sort()) {
      const p = join(root, n);
      if (statSync(p).isDirectory() && isRunDir(p)) out.push(runInfo(p, opts));
    }
  }
  return out;
}

export function formatRunBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) (v /= 1024), i++;
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${u[i]}`;
}

export function formatRunList(runs: RunInfo[]): string {
  if (runs.length === 0) return 'no runs found';
  const out: string[] = [];
  for (const r of runs) {
    const status = r.finished === true ? 'finished' : r.trainIters !== undefined ? `at ${r.latest ?? '-'} of ${r.trainIters}` : `latest ${r.latest ?? '-'}`;
    out.push(`${r.name}  [${status}]  ${r.checkpoints.length} checkpoint(s), ${formatRunBytes(r.bytes)}${r.jobId ? `, slurm job ${r.jobId}${r.jobState ? ` (${r.jobState})` : ''}` : ''}`);
    out.push(`  ${r.dir}`);
    for (const c of r.checkpoints) {
      const mark = c.iteration === r.latest ? ' ← latest' : '';
      out.push(`    ${c.name.padEnd(14)} ${formatRunBytes(c.bytes).padStart(10)}  ${String(c.rankDirs).padStart(3)} rank dirs  ${c.complete ? 'complete' : `INCOMPLETE (${c.problem})`}${mark}`);
    }
  }
  return out.join('\n');
}

export interface ShowRunOptions {
  /** A training log file, or a run directory (its newest `*.log` / `slurm-*.out`). */
  log: string;
  /** Where to write `<name>.csv`, `.svg`, `.png` (default: beside the log). */
  outDir?: string;
  name?: string;
}

export interface ShowRunResult {
  log: TrainLog;
  logFile: string;
  table: string;
  csv: string;
  svg: string;
  png: string;
  pngSize: { width: number; height: number };
}

function findLog(p: string): string {
  if (!statSync(p).isDirectory()) return p;
  const cands = readdirSync(p).filter((n) => /\.(log|out|txt)$/.test(n) && n !== MEGATRON_TRACKER_FILE).map((n) => join(p, n));
  if (!cands.length) throw new UsageError(`${p}: no *.log / *.out file in this run directory`);
  return cands.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
}

function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export async function showRun(opts: ShowRunOptions): Promise<ShowRunResult> {
  if (!existsSync(opts.log)) throw new UsageError(`${opts.log}: no such file or directory`);
  const logFile = findLog(opts.log);
  const log = await parseTrainLog(logFile);
  const outDir = opts.outDir ?? join(logFile, '..');
  mkdirSync(outDir, { recursive: true });
  const name = opts.name ?? basename(logFile).replace(/\.[^.]+$/, '');
  const csv = join(outDir, `${name}.csv`);
  const svg = join(outDir, `${name}.svg`);
  const png = join(outDir, `${name}.png`);
  writeAtomic(csv, trainLogCsv(log));
  const svgText = renderTrainLogSvg(log, { title: name });
  writeAtomic(svg, svgText);
  const tmpPng = `${png}.tmp-${process.pid}.png`;
  const pngSize = await svgToPng(svgText, tmpPng);
  renameSync(tmpPng, png);
  return { log, logFile, table: formatTrainLogTable(log), csv, svg, png, pngSize };
}
