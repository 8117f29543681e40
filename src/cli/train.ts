/** `solo train` (+ `docker-build`, `next-stage`): CLI layer over the train library. */
import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { UsageError, SoloError } from '../errors.js';
import {
  formatHandoffPlan, planHandoff, planTrainRun, renderDockerfile, runHandoff, train,
  type LauncherKind, type TrainOptions,
} from '../train/index.js';
import { action, createReporter, globals } from './shared.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
/** Picked up from the current directory when neither --config nor --preset is given. */
const CONFIG_NAMES = ['solo.config.mjs', 'solo.config.js', 'solo.config.json', 'solo.config.yaml', 'solo.config.yml'];

interface CommonFlags { config?: string; preset?: string; set?: string[]; compat?: string[]; root?: string; launcher?: string }

function common(o: CommonFlags): TrainOptions {
  if (o.launcher !== undefined && !['local', 'docker', 'slurm'].includes(o.launcher)) throw new UsageError(`--launcher must be local, docker or slurm, got '${o.launcher}'`);
  const config = o.config ?? (o.preset ? undefined : CONFIG_NAMES.find((n) => existsSync(n)));
  if (!config && !o.preset) throw new UsageError(`give --config <file> or --preset <solo-stage1|solo-stage2|solo-stage3> (or put a ${CONFIG_NAMES[0]} in the current directory)`);
  return { config, preset: o.preset, set: o.set, compat: o.compat, root: o.root, launcher: o.launcher as LauncherKind | undefined };
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('validate a run configuration and render or launch the exact Megatron command (torchrun / docker / sbatch)')
    .option('--config <file>', 'run config: .json, .yaml/.yml, or .mjs/.js exporting defineConfig({...})')
    .option('--preset <name>', 'solo-stage1 | solo-stage2 | solo-stage3 (the reference curriculum scripts)')
    .option('--set <key=value>', 'override a config field (dotted path; JSON values), repeatable', collect)
    .option('--compat <switch>', 'restore reference behaviour: resume-order, or reference (all), repeatable', collect)
    .option('--launcher <kind>', 'local | docker | slurm (default: the config\'s launcher.kind)')
    .option('--root <dir>', 'the SOLO repo root relative paths refer to (default: launcher.workdir or the current directory)')
    .option('--dry-run', 'print the rendered script (warnings for missing files) instead of launching')
    .action(
      action(async (o: CommonFlags & { dryRun?: boolean }, c: Command) => {
        const g = globals(c);
        const rep = createReporter(g);
        const { plan, result } = await train({ ...common(o), dryRun: !!o.dryRun, onWarning: (w) => rep.warn(w.message), stdio: g.json ? 'ignore' : 'inherit' });
        const base = { launcher: plan.launcher, argv: plan.launch.argv, env: plan.launch.env, pre: plan.launch.pre, derived: plan.derived };
        if (o.dryRun) {
          if (!g.json) process.stdout.write(plan.script);
          rep.finish({ dryRun: true, ...base, script: plan.script });
          return 0;
        }
        const r = result!;
        rep.finish({ ...base, manifest: r.manifestPath, exitCode: r.exitCode, tracker: r.tracker, success: r.success, ...(r.jobId ? { jobId: r.jobId } : {}) });
        if (plan.launcher === 'slurm') {
          if (!g.json) process.stdout.write(`${r.jobId}\n`);
          return 0;
        }
        if (!r.success) {
          throw new SoloError(`training did not finish: ${plan.derived.ckptDir}/latest_checkpointed_iteration.txt is ${r.tracker ?? 'missing'}, expected ${plan.derived.trainIters} (exit code ${r.exitCode})`);
        }
        rep.info(`training finished at iteration ${r.tracker}; manifest ${r.manifestPath}`);
        return 0;
      }),
    );

  cmd
    .command('docker-build')
    .description('render the training image\'s Dockerfile (NGC PyTorch + the fork at a pinned commit + flash-attn/lz4) and optionally build it')
    .option('--out <file>', 'write the Dockerfile here (default: print it)')
    .option('--build', 'run `docker build` with it (SOLO_DOCKER overrides the executable)')
    .option('--tag <tag>', 'image tag (default: the config\'s dockerBuild.tag)')
    .option('--commit <sha>', 'fork commit to pin (default: the config\'s dockerBuild.forkCommit)')
    .action(
      action(async (o: { out?: string; build?: boolean; tag?: string; commit?: string }, c: Command) => {
        const all = c.optsWithGlobals() as CommonFlags & { json?: boolean };
        const g = globals(c);
        const rep = createReporter(g);
        const { resolveTrainConfig } = await import('../train/index.js');
        const cfg = await resolveTrainConfig({ config: all.config, preset: all.preset, set: all.set });
        const b = { ...cfg.dockerBuild, ...(o.tag ? { tag: o.tag } : {}), ...(o.commit ? { forkCommit: o.commit } : {}) };
        const text = renderDockerfile(b);
        const file = o.out ?? (o.build ? 'Dockerfile.solo-megatron' : undefined);
        if (file) writeFileSync(file, text);
        else if (!g.json) process.stdout.write(text);
        let exitCode: number | null = null;
        if (o.build) {
          const docker = process.env.SOLO_DOCKER || 'docker';
          exitCode = await new Promise<number | null>((res, rej) => {
            const ch = spawn(docker, ['build', '-f', file!, '-t', b.tag, '.'], { stdio: g.json ? 'ignore' : 'inherit' });
            ch.on('error', (e) => rej(new SoloError(`cannot run ${docker}: ${e.message}`)));
            ch.on('close', res);
          });
          if (exitCode !== 0) throw new SoloError(`docker build failed with exit code ${exitCode}`);
        }
        rep.finish({ dockerfile: file ?? null, tag: b.tag, forkCommit: b.forkCommit, ...(o.build ? { built: true } : {}) });
      }),
    );

  cmd
    .command('next-stage')
    .description('hand a finished stage to the next one: to-hf → to-megatron → shard (the reference\'s manual chain)')
    .option('--iteration <n>', 'checkpoint iteration to hand off (default: the tracker\'s)')
    .option('--tag <tag>', 'name tag of the hand-off checkpoint (default: the config\'s handoffTag)')
    .option('--force', 'overwrite existing conversion outputs')
    .action(
      action(async (o: { iteration?: string; tag?: string; force?: boolean }, c: Command) => {
        const all = c.optsWithGlobals() as CommonFlags & { dryRun?: boolean };
        const g = globals(c);
        const rep = createReporter(g);
        const plan = await planTrainRun({ ...common(all), dryRun: true });
        const iteration = o.iteration !== undefined ? Number(o.iteration) : undefined;
        if (iteration !== undefined && !Number.isInteger(iteration)) throw new UsageError(`--iteration must be an integer, got '${o.iteration}'`);
        const h = planHandoff(plan.config, plan.derived, plan.root, { iteration, tag: o.tag });
        if (!g.json) process.stdout.write(formatHandoffPlan(h) + '\n');
        if (!all.dryRun) {
          await runHandoff(h, plan.root, { force: o.force, onProgress: rep.progress, onStep: (s, i) => rep.info(`step ${i + 1}/3: ${s.op}`) });
        }
        rep.finish({ dryRun: !!all.dryRun, ...h });
      }),
    );
}
