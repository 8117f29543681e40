/**
 * `solo train`: resolve → derive → validate → render, then (unless dry-run) launch with the chosen
 * launcher, write the run manifest beside the checkpoints, and judge success from
 * `latest_checkpointed_iteration.txt` (the fork exits 0 after a crash).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SoloError, UsageError } from '../errors.js';
import type { LauncherKind, TrainConfig } from './config.js';
import { atRunRoot, deriveTrain, MEGATRON_TRACKER_FILE, type DerivedTrain } from './derive.js';
import { renderDockerScript, renderSbatchScript, trackerCheckLines } from './launchers.js';
import { resolveTrainConfig, type ResolveTrainOptions } from './load-config.js';
import { readPackStats, sha256File, type PackStats } from './prefix-stats.js';
import { pyRoundHalfEven } from './plan-mixture.js';
import { renderLaunch, renderShellScript, type GeneratedLaunch } from './render.js';
import { formatIssues, trainErrors, validateTrain, type TrainIssue } from './validate.js';

export interface TrainOptions extends ResolveTrainOptions {
  /** Repo root the relative paths refer to (default: launcher.workdir or the current directory). */
  root?: string;
  dryRun?: boolean;
  launcher?: LauncherKind;
  env?: NodeJS.ProcessEnv;
  /** Called with every validation warning before launch. */
  onWarning?: (issue: TrainIssue) => void;
  /** Launched process output (default: inherit). */
  stdio?: 'inherit' | 'pipe' | 'ignore';
}

export interface TrainPlan {
  config: TrainConfig;
  derived: DerivedTrain;
  issues: TrainIssue[];
  launch: GeneratedLaunch;
  launcher: LauncherKind;
  /** The launcher's script: bash (local), docker wrapper, or sbatch. */
  script: string;
  root: string;
}

export class TrainConfigError extends UsageError {
  readonly issues: TrainIssue[];
  constructor(issues: TrainIssue[]) {
    super(`the run configuration has ${trainErrors(issues).length} error(s):\n${formatIssues(trainErrors(issues))}`);
    this.name = 'TrainConfigError';
    this.issues = issues;
  }
}

/** Sum packs over the mixture (for `nTrainData: { fromMixtureStats: true }`); undefined when unreadable. */
async function mixtureStats(cfg: TrainConfig, root: string): Promise<Map<string, PackStats> | undefined> {
  const m = new Map<string, PackStats>();
  for (const e of cfg.trainData) {
    const p = atRunRoot(root, e.prefix);
    if (!existsSync(`${p}.jsonl`)) return undefined;
    try {
      m.set(e.prefix, await readPackStats(p));
    } catch {
      return undefined;
    }
  }
  return m;
}

/** Resolve, derive, validate and render; throws TrainConfigError on any error. */
export async function planTrainRun(opts: TrainOptions): Promise<TrainPlan> {
  const config = await resolveTrainConfig(opts);
  if (opts.launcher) config.launcher.kind = opts.launcher;
  const root = resolve(opts.root ?? config.launcher.workdir ?? process.cwd());
  let prefixStats: Map<string, PackStats> | undefined;
  let nTrainData: number | undefined;
  if (typeof config.nTrainData !== 'number') {
    prefixStats = await mixtureStats(config, root);
    // counted packs: a declared subsample counts round(fraction·packs), as `solo plan` does
    if (prefixStats) nTrainData = config.trainData.reduce((a, e) => a + (e.sampleFraction !== undefined ? pyRoundHalfEven(e.sampleFraction * prefixStats!.get(e.prefix)!.instances) : prefixStats!.get(e.prefix)!.instances), 0);
  }
  const derived = deriveTrain(config, { root, nTrainData });
  const issues = await validateTrain(config, derived, { root, dryRun: opts.dryRun, env: opts.env, prefixStats });
  if (trainErrors(issues).length) throw new TrainConfigError(issues);
  const launch = renderLaunch(config, derived);
  const kind = config.launcher.kind;
  const script = kind === 'docker' ? renderDockerScript(config, derived, launch)
    : kind === 'slurm' ? renderSbatchScript(config, derived, launch)
    : renderShellScript(launch, { workdir: config.launcher.workdir, torchrunVar: false }) + trackerCheckLines(derived).join('\n') + '\n';
  return { config, derived, issues, launch, launcher: kind, script, root };
}

export function soloVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '../../package.json'), join(here, '../../../package.json')]) {
    try {
      const j = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version: string };
      if (j.name === 'solo-pipeline') return j.version;
    } catch {
      /* next */
    }
  }
  return '0.0.0';
}

export interface RunManifest {
  solo: { version: string };
  createdAt: string;
  launcher: LauncherKind;
  config: TrainConfig;
  derived: DerivedTrain;
  env: Record<string, string>;
  pre: string[][];
  argv: string[];
  script: string;
  datasets: { prefix: string; statsSha256: string | null }[];
  tokenizer: { path: string; sha256: string | null };
  warnings: string[];
  outcome?: { finishedAt: string; exitCode: number | null; tracker: string | null; success: boolean; jobId?: string };
}

export const RUN_MANIFEST = 'solo-run.json';

function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

export function buildManifest(plan: TrainPlan): RunManifest {
  const hash = (p: string) => (existsSync(p) ? sha256File(p) : null);
  return {
    solo: { version: soloVersion() },
    createdAt: new Date().toISOString(),
    launcher: plan.launcher,
    config: plan.config,
    derived: plan.derived,
    env: plan.launch.env,
    pre: plan.launch.pre,
    argv: plan.launch.argv,
    script: plan.script,
    datasets: plan.config.trainData.map((e) => ({ prefix: e.prefix, statsSha256: hash(`${atRunRoot(plan.root, e.prefix)}_stats.json`) })),
    tokenizer: { path: plan.derived.tokenizerPath, sha256: hash(atRunRoot(plan.root, plan.derived.tokenizerPath)) },
    warnings: plan.issues.filter((i) => i.severity === 'warning').map((i) => i.message),
  };
}

export interface TrainResult {
  plan: TrainPlan;
  manifestPath: string;
  exitCode: number | null;
  tracker: string | null;
  /** tracker == trainIters (local/docker); for slurm: submitted. */
  success: boolean;
  jobId?: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; stdio: 'inherit' | 'pipe' | 'ignore' }): Promise<{ code: number | null; stdout: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', opts.stdio === 'pipe' ? 'pipe' : opts.stdio, opts.stdio] });
    let stdout = '';
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    child.on('error', (e) => rej(new SoloError(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => res({ code, stdout }));
  });
}

export function readRunTracker(root: string, ckptDir: string): string | null {
  const p = join(atRunRoot(root, ckptDir), MEGATRON_TRACKER_FILE);
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : null;
}

/** Launch a planned run (not for dry runs). */
export async function executeTrainPlan(plan: TrainPlan, opts: { env?: NodeJS.ProcessEnv; stdio?: 'inherit' | 'pipe' | 'ignore' } = {}): Promise<TrainResult> {
  const env = { ...(opts.env ?? process.env) };
  const stdio = opts.stdio ?? 'inherit';
  const ckptAbs = atRunRoot(plan.root, plan.derived.ckptDir);
  const manifestPath = join(ckptAbs, RUN_MANIFEST);
  const manifest = buildManifest(plan);
  writeJsonAtomic(manifestPath, manifest);
  let exitCode: number | null = null;
  let jobId: string | undefined;
  if (plan.launcher === 'local') {
    const runEnv = { ...env, ...plan.launch.env };
    for (const p of plan.launch.pre) {
      const r = await run(p[0]!, p.slice(1), { cwd: plan.root, env: runEnv, stdio });
      if (r.code !== 0) throw new SoloError(`pre-launch step '${p.join(' ')}' failed with exit code ${r.code}`);
    }
    const torchrun = env.SOLO_TORCHRUN || plan.launch.argv[0]!;
    exitCode = (await run(torchrun, plan.launch.argv.slice(1), { cwd: plan.root, env: runEnv, stdio })).code;
  } else {
    const scriptFile = join(ckptAbs, plan.launcher === 'slurm' ? 'solo-train.sbatch' : 'solo-train-docker.sh');
    writeFileSync(scriptFile, plan.script, { mode: 0o755 });
    if (plan.launcher === 'docker') {
      exitCode = (await run('bash', [scriptFile], { cwd: plan.root, env, stdio })).code;
    } else {
      const sbatch = env.SOLO_SBATCH || 'sbatch';
      const r = await run(sbatch, ['--parsable', scriptFile], { cwd: plan.root, env, stdio: 'pipe' });
      exitCode = r.code;
      if (r.code !== 0) throw new SoloError(`${sbatch} failed with exit code ${r.code}`);
      jobId = r.stdout.trim().split(';')[0];
    }
  }
  const tracker = readRunTracker(plan.root, plan.derived.ckptDir);
  const success = plan.launcher === 'slurm' ? jobId !== undefined && jobId !== '' : tracker === String(plan.derived.trainIters);
  manifest.outcome = { finishedAt: new Date().toISOString(), exitCode, tracker, success, ...(jobId ? { jobId } : {}) };
  writeJsonAtomic(manifestPath, manifest);
  return { plan, manifestPath, exitCode, tracker, success, jobId };
}

/** Library entry: plan, print-free; launches unless `dryRun`. */
export async function train(opts: TrainOptions): Promise<{ plan: TrainPlan; result?: TrainResult }> {
  const plan = await planTrainRun(opts);
  for (const w of plan.issues) if (w.severity === 'warning') opts.onWarning?.(w);
  if (opts.dryRun) return { plan };
  return { plan, result: await executeTrainPlan(plan, { env: opts.env, stdio: opts.stdio }) };
}
