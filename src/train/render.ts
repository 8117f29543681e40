/**
 * Render the launch (spec B.11.3): environment, pre-launch steps and the torchrun argv in the
 * reference's normative order, plus a shell-script rendering with every token quoted.
 */
import type { TrainConfig } from './config.js';
import type { DerivedTrain } from './derive.js';
import { formatWeight } from './numlit.js';

export interface GeneratedLaunch {
  /** CUDA_VISIBLE_DEVICES, CUDA_DEVICE_MAX_CONNECTIONS=1, WANDB_NAME (in the reference's order). */
  env: Record<string, string>;
  /** Pre-launch commands: `make -C <megatronDir>/megatron/data` when buildHelpers. */
  pre: string[][];
  /** `['torchrun', …]`. */
  argv: string[];
}

/** The `w1 p1 … wn pn` tokens of `--train_data_path`. */
export function trainDataTokens(cfg: TrainConfig): string[] {
  return cfg.trainData.flatMap((e) => [formatWeight(e.weight), e.prefix]);
}

/** The `--train_data_path` value as one string (what `solo plan` writes). */
export function trainDataPathString(cfg: Pick<TrainConfig, 'trainData'>): string {
  return cfg.trainData.map((e) => `${formatWeight(e.weight)} ${e.prefix}`).join(' ');
}

/** finetune.py's arguments (everything after the script path). */
export function finetuneArgs(cfg: TrainConfig, d: DerivedTrain): string[] {
  const a: string[] = [];
  a.push('--tensor_model_parallel_size', String(cfg.tp), '--pipeline_model_parallel_size', String(cfg.pp));
  a.push('--load', d.weightDir, '--save', d.ckptDir);
  if (cfg.wandb.enabled) a.push('--wandb_logger', '--wandb_entity', cfg.wandb.entity, '--wandb_project', cfg.wandb.project);
  a.push('--no_loss_beyond_token_id', String(cfg.noLossBeyondTokenId), '--model_name', cfg.modelType);
  a.push('--tokenizer_type', cfg.tokenizerType, `--vocab_file=${d.tokenizerPath}`, '--no_new_tokens');
  if (cfg.bf16) a.push('--bf16');
  a.push('--global_batch_size', String(d.globalBatchSize), '--micro_batch_size', String(cfg.microBatchSize));
  a.push('--seq_length', String(cfg.seqLength), '--data_type', cfg.dataType);
  if (cfg.variableSeqLengths) a.push('--variable_seq_lengths');
  if (!cfg.fusedKernels.biasGelu) a.push('--no_bias_gelu_fusion');
  if (!cfg.fusedKernels.biasDropout) a.push('--no_bias_dropout_fusion');
  a.push('--hidden_dropout', cfg.hiddenDropout, '--attention_dropout', cfg.attentionDropout);
  if (cfg.useCheckpointArgs) a.push('--use_checkpoint_args');
  if (cfg.exitSignalHandler) a.push('--exit_signal_handler');
  if (cfg.saveOnException) a.push('--save_on_exception');
  if (cfg.overrideOptParamScheduler) a.push('--override_opt_param_scheduler');
  a.push('--log_interval', String(cfg.logInterval), '--save_interval', String(cfg.saveInterval), '--eval_interval', String(cfg.evalInterval));
  a.push('--train_data_path', ...trainDataTokens(cfg), '--train_iters', String(d.trainIters));
  if (cfg.packedInput) a.push('--packed_input');
  a.push('--lr_decay_style', cfg.lrDecayStyle, '--lr_warmup_iters', String(cfg.warmupIters));
  a.push('--lr', cfg.lr, '--min_lr', cfg.minLr, '--weight_decay', cfg.weightDecay, '--clip_grad', cfg.clipGrad);
  if (cfg.recompute.granularity) a.push('--recompute_granularity', cfg.recompute.granularity);
  if (cfg.recompute.method) a.push('--recompute_method', cfg.recompute.method);
  if (cfg.recompute.method) a.push('--recompute_num_layers', String(cfg.recompute.numLayers));
  a.push('--empty_unused_memory_level', String(cfg.emptyUnusedMemoryLevel));
  if (cfg.useDistributedOptimizer) a.push('--use_distributed_optimizer');
  a.push('--num_workers', String(cfg.numWorkers));
  if (cfg.useFlashAttn) a.push('--use_flash_attn');
  return a;
}

export function trainScriptPath(cfg: TrainConfig): string {
  return `${cfg.megatronDir}/${cfg.entrypoint}`;
}

export function renderLaunch(cfg: TrainConfig, d: DerivedTrain): GeneratedLaunch {
  const argv = [
    'torchrun',
    '--nproc_per_node', String(cfg.nGpuPerNode),
    '--nnodes', String(cfg.nnodes),
    '--node_rank', String(cfg.nodeRank),
    '--master_addr', cfg.masterAddr,
    '--master_port', String(cfg.masterPort),
    trainScriptPath(cfg),
    ...finetuneArgs(cfg, d),
  ];
  return {
    env: { CUDA_VISIBLE_DEVICES: d.cudaVisibleDevices, WANDB_NAME: d.expId, CUDA_DEVICE_MAX_CONNECTIONS: '1' },
    pre: cfg.buildHelpers ? [['make', '-C', `${cfg.megatronDir}/megatron/data`]] : [],
    argv,
  };
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX shell quoting: safe tokens bare, everything else in single quotes. */
export function trainShellQuote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Join tokens with ` \` line continuations: each flag starts a line with its value; a token ending
 * in `.py` (the entrypoint) gets its own line; a flag with many values (the blend) puts each
 * weight/prefix pair on its own line.
 */
export function trainShellCommand(argv: string[], indent = '    '): string {
  const lines: string[][] = [];
  let inBlend = false;
  let blendCount = 0;
  for (const t of argv) {
    const last = lines[lines.length - 1];
    if (!last || t.startsWith('--') || t.endsWith('.py')) {
      lines.push([t]);
      inBlend = t === '--train_data_path';
      blendCount = 0;
    } else if (inBlend) {
      if (blendCount % 2 === 0) lines.push([t]);
      else last.push(t);
      blendCount++;
    } else last.push(t);
  }
  return lines.map((l) => l.map(trainShellQuote).join(' ')).join(` \\\n${indent}`);
}

/** The whole launch as a bash script (what `--dry-run` prints and the local launcher would run). */
export function renderShellScript(launch: GeneratedLaunch, opts: { workdir?: string; torchrunVar?: boolean } = {}): string {
  const out = ['#!/bin/bash', '# Rendered by solo train; run from the SOLO repository root.', 'set -euo pipefail'];
  if (opts.workdir) out.push(`cd ${trainShellQuote(opts.workdir)}`);
  for (const [k, v] of Object.entries(launch.env)) out.push(`export ${k}=${trainShellQuote(v)}`);
  for (const p of launch.pre) out.push(p.map(trainShellQuote).join(' '));
  const argv = [...launch.argv];
  const head = opts.torchrunVar ? '"${SOLO_TORCHRUN:-torchrun}" ' : '';
  if (opts.torchrunVar) argv.shift();
  out.push(head + trainShellCommand(argv));
  return out.join('\n') + '\n';
}
