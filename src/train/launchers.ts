/**
 * Launcher renderings around the torchrun argv: a docker wrapper script (the reference image,
 * mounts and environment of scripts/docker/run_megatron_interactive.sh, made non-interactive),
 * an sbatch script (srun + torchrun rendezvous from SLURM_* variables) and the Dockerfile of
 * `solo train docker-build`. All are plain bash so `--dry-run` prints exactly what would run.
 */
import type { DockerBuildConfig, TrainConfig } from './config.js';
import type { DerivedTrain } from './derive.js';
import { trainScriptPath, trainShellCommand, trainShellQuote, type GeneratedLaunch } from './render.js';

function envLines(launch: GeneratedLaunch): string[] {
  return Object.entries(launch.env).map(([k, v]) => `export ${k}=${trainShellQuote(v)}`);
}

/** Final check shared by the wrappers: the tracker, not the exit code, says whether training finished. */
export function trackerCheckLines(d: DerivedTrain): string[] {
  const t = trainShellQuote(`${d.ckptDir}/latest_checkpointed_iteration.txt`);
  return [
    `# Success = the tracker reached train_iters (the fork exits 0 after a crash).`,
    `if [ "$(cat ${t} 2>/dev/null || true)" != ${trainShellQuote(String(d.trainIters))} ]; then`,
    `    echo "solo: training did not reach iteration ${d.trainIters} (tracker: $(cat ${t} 2>/dev/null || echo missing))" >&2`,
    `    exit 1`,
    `fi`,
  ];
}

export function renderDockerScript(cfg: TrainConfig, d: DerivedTrain, launch: GeneratedLaunch): string {
  const dk = cfg.launcher.docker;
  const out = ['#!/bin/bash', '# Rendered by solo train (docker launcher): the fork\'s image, the reference mounts and environment.', 'set -euo pipefail'];
  if (cfg.launcher.workdir) out.push(`cd ${trainShellQuote(cfg.launcher.workdir)}`);
  const args: string[] = ['run', '--rm', '--gpus', dk.gpus, '--ipc=host', '--ulimit', 'memlock=-1', '--ulimit', 'stack=67108864'];
  const lines: string[] = [];
  if (dk.hostUser) {
    out.push('GROUP_ARGS=()', 'for g in $(id -G); do GROUP_ARGS+=(--group-add "$g"); done');
  }
  lines.push(`"\${SOLO_DOCKER:-docker}" ${args.map(trainShellQuote).join(' ')}`);
  if (dk.hostUser) lines.push(`--user "$(id -u):$(id -g)" "\${GROUP_ARGS[@]}"`);
  for (const name of dk.passEnv) lines.push(`-e ${trainShellQuote(name)}`);
  for (const [k, v] of Object.entries(launch.env)) lines.push(`-e ${trainShellQuote(`${k}=${v}`)}`);
  lines.push(`-v "$PWD":${trainShellQuote(dk.workspace)}`);
  for (const m of dk.mounts) lines.push(`-v ${trainShellQuote(`${m}:${m}`)}`);
  lines.push(`-w ${trainShellQuote(dk.workspace)}`);
  for (const x of dk.extraArgs) lines.push(trainShellQuote(x));
  const pre = launch.pre.map((p) => p.map(trainShellQuote).join(' ')).join(' && ');
  const inner = pre ? `${pre} && exec "$@"` : 'exec "$@"';
  lines.push(`${trainShellQuote(dk.image)} bash -c ${trainShellQuote(inner)} solo-train`);
  lines.push(trainShellCommand(launch.argv));
  out.push(lines.join(' \\\n    '));
  out.push(...trackerCheckLines(d));
  return out.join('\n') + '\n';
}

export function renderSbatchScript(cfg: TrainConfig, d: DerivedTrain, launch: GeneratedLaunch): string {
  const s = cfg.launcher.slurm;
  const sb: string[] = [
    `--job-name=${s.jobName ?? 'solo-train'}`,
    `--nodes=${cfg.nnodes}`,
    '--ntasks-per-node=1',
  ];
  const gpus = s.gpusPerNode ?? cfg.nGpuPerNode;
  if (gpus > 0) sb.push(`--gpus-per-node=${gpus}`); // 0: no GPU request (CPU test clusters, stand-in torchrun)
  if (s.cpusPerTask !== undefined) sb.push(`--cpus-per-task=${s.cpusPerTask}`);
  if (s.mem) sb.push(`--mem=${s.mem}`);
  if (s.partition) sb.push(`--partition=${s.partition}`);
  if (s.account) sb.push(`--account=${s.account}`);
  if (s.time) sb.push(`--time=${s.time}`);
  if (cfg.launcher.workdir) sb.push(`--chdir=${cfg.launcher.workdir}`);
  sb.push(`--output=${s.output ?? `${d.ckptDir}/slurm-%j.out`}`);
  sb.push(...s.extraSbatch);
  const out = ['#!/bin/bash', ...sb.map((l) => `#SBATCH ${l}`), '# Rendered by solo train (slurm launcher): one torchrun per node, rendezvous from SLURM_* variables.', 'set -euo pipefail'];
  if (cfg.launcher.workdir) out.push(`cd ${trainShellQuote(cfg.launcher.workdir)}`);
  // Slurm binds the job's GPUs itself (CUDA_VISIBLE_DEVICES per allocation); only an explicit
  // cudaVisibleDevices in the config overrides it.
  const env = { ...launch.env };
  if (cfg.cudaVisibleDevices === undefined) delete env.CUDA_VISIBLE_DEVICES;
  out.push(...envLines({ ...launch, env }));
  out.push(...s.setup);
  out.push(
    'MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1)',
    `MASTER_PORT=${cfg.masterPort}`,
    'NNODES=${SLURM_JOB_NUM_NODES:-' + cfg.nnodes + '}',
    'SOLO_TORCHRUN=${SOLO_TORCHRUN:-torchrun}',
    'export MASTER_ADDR MASTER_PORT NNODES SOLO_TORCHRUN',
  );
  for (const p of launch.pre) out.push(p.map(trainShellQuote).join(' '));
  const rdzv = `exec "$SOLO_TORCHRUN" --nproc_per_node ${cfg.nGpuPerNode} --nnodes "$NNODES" --node_rank "$SLURM_NODEID" --master_addr "$MASTER_ADDR" --master_port "$MASTER_PORT" "$@"`;
  const torchArgs = launch.argv.slice(launch.argv.indexOf(trainScriptPath(cfg)));
  out.push(`srun --nodes="$NNODES" --ntasks="$NNODES" --ntasks-per-node=1 bash -c ${trainShellQuote(rdzv)} solo-torchrun \\\n    ${trainShellCommand(torchArgs)}`);
  out.push(...trackerCheckLines(d));
  return out.join('\n') + '\n';
}

/** `solo train docker-build`: NGC PyTorch + the fork at a pinned commit + flash-attn/lz4 (spec B.8). */
export function renderDockerfile(b: DockerBuildConfig): string {
  return [
    '# Rendered by solo train docker-build: the SOLO Megatron-LLM fork\'s training image (spec B.8).',
    `FROM ${b.baseImage}`,
    '',
    'ENV DEBIAN_FRONTEND=noninteractive',
    `ARG FORK_REPO=${b.forkRepo}`,
    `ARG FORK_COMMIT=${b.forkCommit}`,
    '',
    '# The fork at a pinned commit (the reference image bind-mounts it instead).',
    `RUN git clone "$FORK_REPO" ${b.forkDir} \\`,
    `    && git -C ${b.forkDir} checkout "$FORK_COMMIT"`,
    '',
    '# The fork\'s requirements, then the reference\'s extra installs in its order.',
    `RUN pip install --no-cache-dir -r ${b.forkDir}/requirements.txt`,
    'RUN pip install --no-cache-dir --upgrade pip',
    'RUN pip install --no-cache-dir ninja wandb',
    'RUN pip install --no-cache-dir --upgrade flash-attn --no-build-isolation',
    'RUN pip install --no-cache-dir accelerate',
    'RUN pip install --no-cache-dir lz4',
    '',
    '# The blendable-dataset helper (the curriculum scripts run `make` before every launch).',
    `RUN make -C ${b.forkDir}/megatron/data`,
    '',
    'WORKDIR /workspace',
    '',
  ].join('\n');
}
