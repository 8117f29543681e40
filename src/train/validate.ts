/**
 * Validation of a resolved run (spec B.11.4): every rule with its code. Errors block generation
 * and launch; warnings are printed. In a dry run, missing files are warnings (so a command can
 * be rendered in an empty directory) and the launch-time W&B key check is skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TrainConfig } from './config.js';
import { atRunRoot, type DerivedTrain } from './derive.js';
import { isNumLit } from './numlit.js';
import { checkpointFacts } from './checkpoint-facts.js';
import { prefixFiles, readPackStats, type PackStats } from './prefix-stats.js';
import { tokenizerFacts } from './tokenizer-facts.js';

export type TrainIssueSeverity = 'error' | 'warning';
export interface TrainIssue {
  code: string;
  severity: TrainIssueSeverity;
  message: string;
}

export interface ValidateTrainOptions {
  /** Directory relative paths resolve against (the SOLO repo root). */
  root: string;
  /** Dry run: missing files become warnings; no W&B key check. */
  dryRun?: boolean;
  /** Environment to check (WANDB_API_KEY); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Prefix stats already read (from `nTrainData: {fromMixtureStats}` resolution). */
  prefixStats?: Map<string, PackStats>;
}

const FILE_CODES = new Set(['E-BLEND-FILES', 'E-LOAD-MISSING']);

/** Every B.11.4 code with its one-line gist (for docs and `solo train --list-checks`). */
export const TRAIN_CHECKS: Record<string, string> = {
  'E-PARALLEL-DIV': 'world size not divisible by TP×PP',
  'E-ACCUM-ZERO': 'DP > batchBase: gradient accumulation would be 0',
  'E-BATCH-BASE': 'batchBase not a multiple of DP (strictBatch)',
  'W-MBS-SCALES-GBS': 'micro batch > 1 multiplies the global batch',
  'E-GBS-DIV': 'overridden global batch not a multiple of micro batch × DP',
  'E-WARMUP': 'warmup iterations ≥ train iterations',
  'E-MINLR': 'min_lr > lr',
  'E-NUMLIT': 'a numeric-text field is not a decimal/scientific literal',
  'E-DROPOUT': 'dropout outside [0, 1)',
  'E-NTRAIN': 'nTrainData not a positive integer',
  'W-NTRAIN-MISMATCH': 'nTrainData differs from the packs of the listed prefixes',
  'E-BLEND-EMPTY': 'no mixture entries',
  'E-BLEND-WEIGHT': 'a weight is non-numeric or ≤ 0, or the sum is 0',
  'E-BLEND-COUNT': 'more than 254 mixture entries',
  'W-BLEND-SUM': 'weights do not sum to 1 within 0.01',
  'W-BLEND-DUP': 'duplicate prefix',
  'E-BLEND-FILES': 'a prefix is missing one of its eight dataset files',
  'W-BLEND-NOTDONE': 'a prefix has no _DONE marker',
  'W-SEQ-PACK': 'packs longer than seqLength will be truncated',
  'E-SEQ-MAXPOS': 'seqLength > the checkpoint\'s max_position_embeddings',
  'E-LOAD-MISSING': 'the load directory has no latest_checkpointed_iteration.txt',
  'E-TP-CKPT': 'the load checkpoint\'s TP/PP disagrees with tp/pp',
  'E-DISTOPT-RESUME': 'distributed optimizer cannot resume a model_optim_rng.pt checkpoint',
  'W-RESUME-ORDER': 'explicit-first resume order would reload the init weights over progress',
  'W-HANDOFF': 'loadModelCkpts is a non-release checkpoint of a previous stage',
  'E-EXPID': 'expId contains / or whitespace, or exceeds 255 bytes',
  'E-PATH-SPACE': 'an emitted path contains whitespace',
  'E-RECOMPUTE': 'selective recompute with a method',
  'W-RECOMPUTE': 'recompute method without granularity',
  'E-SAVE': 'saveInterval < 1',
  'E-EVAL-MM': 'valid/test data with the multimodal data type',
  'E-WANDB-KEY': 'W&B enabled and WANDB_API_KEY unset',
  'E-DEVICES': 'cudaVisibleDevices count differs from nGpuPerNode',
  'E-PORT': 'masterPort outside 1..65535',
  'W-NOLOSS-ID': 'noLossBeyondTokenId is not 32000',
  'E-NOLOSS-ID': 'noLossBeyondTokenId beyond the tokenizer vocabulary',
  'W-TOKENIZER': 'the datasets were tokenized with a different tokenizer',
  'W-EXIT-CODE': 'success is judged by the tracker file, not the exit code',
};

const isPosInt = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n > 0;

export async function validateTrain(cfg: TrainConfig, d: DerivedTrain, opts: ValidateTrainOptions): Promise<TrainIssue[]> {
  const issues: TrainIssue[] = [];
  const env = opts.env ?? process.env;
  const add = (code: string, message: string) => {
    let severity: TrainIssueSeverity = code.startsWith('W-') ? 'warning' : 'error';
    if (opts.dryRun && FILE_CODES.has(code)) severity = 'warning';
    issues.push({ code, severity, message: `${code}: ${message}` });
  };
  const at = (p: string) => atRunRoot(opts.root, p);

  // --- parallelism and batch
  const world = cfg.nGpuPerNode * cfg.nnodes;
  if (d.mp <= 0 || world % d.mp !== 0) add('E-PARALLEL-DIV', `world size ${world} (nGpuPerNode ${cfg.nGpuPerNode} × nnodes ${cfg.nnodes}) is not divisible by TP×PP = ${d.mp}; the reference would floor DP and Megatron would then assert`);
  if (d.dp > cfg.batchBase) add('E-ACCUM-ZERO', `DP (${d.dp}) > batchBase (${cfg.batchBase}): gradient accumulation becomes 0, the global batch 0, and the iteration count divides by zero`);
  else if (cfg.strictBatch && d.dp > 0 && cfg.batchBase % d.dp !== 0) add('E-BATCH-BASE', `batchBase ${cfg.batchBase} is not a multiple of DP ${d.dp}: the global batch would silently become ${d.dp}·${Math.floor(cfg.batchBase / d.dp)}·${cfg.microBatchSize} = ${d.dp * Math.floor(cfg.batchBase / d.dp) * cfg.microBatchSize}, not ${cfg.batchBase * cfg.microBatchSize} (this also changes EXP_ID); set strictBatch=false to accept`);
  if (cfg.microBatchSize > 1) add('W-MBS-SCALES-GBS', `microBatchSize ${cfg.microBatchSize} > 1: the reference formula multiplies the global batch by it (bs${d.globalBatchSize} in EXP_ID); also check packed flash-attn support`);
  if (cfg.globalBatchSize !== undefined && (cfg.microBatchSize * d.dp === 0 || cfg.globalBatchSize % (cfg.microBatchSize * d.dp) !== 0)) add('E-GBS-DIV', `globalBatchSize ${cfg.globalBatchSize} is not a multiple of microBatchSize·DP = ${cfg.microBatchSize * d.dp}: Megatron's micro-batch calculator would assert`);

  // --- numbers
  const numFields = ['lr', 'minLr', 'weightDecay', 'clipGrad', 'hiddenDropout', 'attentionDropout'] as const;
  let numOk = true;
  for (const f of numFields) {
    if (!isNumLit(cfg[f])) {
      numOk = false;
      add('E-NUMLIT', `${f} = ${JSON.stringify(cfg[f])} is not a plain decimal or scientific literal (write it as text, e.g. "5e-5")`);
    }
  }
  if (numOk) {
    if (Number(cfg.minLr) > Number(cfg.lr)) add('E-MINLR', `minLr ${cfg.minLr} > lr ${cfg.lr}: Megatron asserts min_lr ≤ lr`);
    for (const f of ['hiddenDropout', 'attentionDropout'] as const) {
      const v = Number(cfg[f]);
      if (!(v >= 0 && v < 1)) add('E-DROPOUT', `${f} = ${cfg[f]} is outside [0, 1)`);
    }
  }
  if (!isPosInt(d.nTrainData)) add('E-NTRAIN', `nTrainData (${Number.isNaN(d.nTrainData) ? 'unknown: mixture stats unreadable' : d.nTrainData}) is not a positive integer`);
  else if (d.trainIters > 0 && cfg.warmupIters >= d.trainIters) add('E-WARMUP', `warmupIters ${cfg.warmupIters} ≥ trainIters ${d.trainIters}: the scheduler asserts warmup < decay span; lower warmup or add data/epochs`);

  // --- blend
  const entries = cfg.trainData;
  if (entries.length === 0) add('E-BLEND-EMPTY', 'trainData has no entries');
  if (entries.length > 254) add('E-BLEND-COUNT', `${entries.length} mixture entries > 254: the blend index is 8-bit`);
  let sum = 0;
  let weightsOk = entries.length > 0;
  entries.forEach((e, i) => {
    const w = typeof e.weight === 'number' ? e.weight : isNumLit(e.weight) ? Number(e.weight) : NaN;
    if (!Number.isFinite(w) || w <= 0) {
      weightsOk = false;
      add('E-BLEND-WEIGHT', `entry ${i + 1} (${e.prefix}) has weight ${JSON.stringify(e.weight)}: weights must be numbers > 0`);
    } else sum += w;
  });
  if (weightsOk && sum === 0) add('E-BLEND-WEIGHT', 'the weights sum to 0');
  if (weightsOk && Math.abs(sum - 1) > 0.01) add('W-BLEND-SUM', `weights sum to ${sum.toFixed(4)} (|Σw − 1| > 0.01); Megatron renormalises`);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.prefix)) add('W-BLEND-DUP', `prefix listed twice: ${e.prefix}`);
    seen.add(e.prefix);
  }
  let statsTotal = 0;
  let statsComplete = entries.length > 0;
  const declaredSample = entries.some((e) => e.sampleFraction !== undefined && e.sampleFraction !== 1);
  for (const e of entries) {
    const p = at(e.prefix);
    const pf = prefixFiles(p);
    if (cfg.checkFiles && pf.missingData.length) add('E-BLEND-FILES', `${e.prefix}: missing ${pf.missingData.length === 8 ? 'all eight -{text,role,vision_patch,vision_patch_indices}.{bin,idx} files' : pf.missingData.map((f) => basename(f)).join(', ')}`);
    if (!pf.done) add('W-BLEND-NOTDONE', `${e.prefix}_DONE is missing: conversion may be incomplete`);
    let stats = opts.prefixStats?.get(e.prefix);
    if (!stats && pf.hasJsonl) {
      try {
        stats = await readPackStats(p);
      } catch {
        stats = undefined;
      }
    }
    if (stats) {
      statsTotal += stats.instances;
      if (stats.maxTokens > cfg.seqLength) add('W-SEQ-PACK', `${e.prefix}: largest pack has ${stats.maxTokens} tokens > seqLength ${cfg.seqLength}; packs will be truncated by the collator`);
    } else statsComplete = false;
    const m = /pack(\d+)k/.exec(basename(dirname(e.prefix)) + '/' + basename(e.prefix));
    if (m && Number(m[1]) * 1024 > cfg.seqLength && !(stats && stats.maxTokens > cfg.seqLength)) add('W-SEQ-PACK', `${e.prefix}: packed for ${m[1]}k tokens > seqLength ${cfg.seqLength}; packs will be truncated by the collator`);
    // W-TOKENIZER: a solo-prepared dataset records its tokenizer's hash in P_stats.json
    if (pf.hasStats) {
      try {
        const st = JSON.parse(readFileSync(`${p}_stats.json`, 'utf8')) as Record<string, unknown>;
        const h = st.tokenizer_sha256 ?? (st.tokenizer as { sha256?: string } | undefined)?.sha256;
        const tokPath = at(d.tokenizerPath);
        if (typeof h === 'string' && existsSync(tokPath)) {
          const th = tokenizerFacts(tokPath).sha256;
          if (th !== h) add('W-TOKENIZER', `${e.prefix} was tokenized with a tokenizer of sha256 ${h.slice(0, 12)}…, training uses ${d.tokenizerPath} (sha256 ${th.slice(0, 12)}…)`);
        }
      } catch {
        /* unreadable stats: nothing to compare */
      }
    }
  }
  if (statsComplete && !declaredSample && isPosInt(d.nTrainData) && statsTotal !== d.nTrainData) {
    add('W-NTRAIN-MISMATCH', `nTrainData ${d.nTrainData} ≠ ${statsTotal} packs in the listed prefixes: the iteration count will not match one epoch`);
  }

  // --- checkpoints
  const load = await checkpointFacts(at(d.weightDir));
  if (cfg.checkFiles && load.tracker === undefined) add('E-LOAD-MISSING', `${d.weightDir}/latest_checkpointed_iteration.txt is missing: Megatron would start from random init and fail on missing architecture args`);
  if (load.tracker !== undefined) {
    const suffix = /-tp(\d+)-pp(\d+)$/.exec(d.weightDir.replace(/\/+$/, ''));
    const bad: string[] = [];
    if (suffix && (Number(suffix[1]) !== cfg.tp || Number(suffix[2]) !== cfg.pp)) bad.push(`its name says tp${suffix[1]}-pp${suffix[2]}`);
    if (load.tpRanks !== undefined && (load.tpRanks !== cfg.tp || load.ppRanks !== cfg.pp)) bad.push(`it has ${load.tpRanks} TP × ${load.ppRanks} PP rank directories`);
    if (load.args.tensorModelParallelSize !== undefined && load.args.tensorModelParallelSize !== cfg.tp) bad.push(`its args say TP ${load.args.tensorModelParallelSize}`);
    if (bad.length) add('E-TP-CKPT', `load checkpoint ${d.weightDir} disagrees with tp=${cfg.tp} pp=${cfg.pp} (${bad.join('; ')}): with --use_checkpoint_args the checkpoint silently overrides TP/PP`);
    if (cfg.useDistributedOptimizer && !load.release && load.hasModelOptimRng) add('E-DISTOPT-RESUME', `${d.weightDir} is a non-release checkpoint with model_optim_rng.pt files: Megatron's distributed optimizer refuses to load it; reshard or disable useDistributedOptimizer`);
    const maxPos = load.args.maxPositionEmbeddings;
    if (maxPos !== undefined && cfg.seqLength > maxPos) add('E-SEQ-MAXPOS', `seqLength ${cfg.seqLength} > the checkpoint's max_position_embeddings ${maxPos}: Megatron asserts`);
  }
  if (cfg.resumeOrder === 'explicit-first' && cfg.loadModelCkpts && d.hasOwnCheckpoint) {
    add('W-RESUME-ORDER', `loadModelCkpts is set and ${d.ckptDir} already has a checkpoint: with the stage-1 (explicit-first) order the restart reloads the init weights and overwrites progress; drop --compat resume-order or unset loadModelCkpts`);
  }
  if (cfg.loadModelCkpts && d.weightDirReason === 'explicit') {
    const lf = load.dir === at(cfg.loadModelCkpts) ? load : await checkpointFacts(at(cfg.loadModelCkpts));
    if (lf.iteration !== undefined) add('W-HANDOFF', `loadModelCkpts ${cfg.loadModelCkpts} is a non-release checkpoint (iteration ${lf.iteration}): the iteration continues from that stage's counter; use 'solo train next-stage' (reconvert) or --finetune`);
  }

  // --- names and paths
  if (/[\s/]/.test(d.expId) || Buffer.byteLength(d.expId) > 255) add('E-EXPID', `expId '${d.expId.length > 80 ? d.expId.slice(0, 80) + '…' : d.expId}' contains '/' or whitespace or exceeds 255 bytes; it is used as a directory name`);
  const paths: [string, string][] = [['load', d.weightDir], ['save', d.ckptDir], ['tokenizer', d.tokenizerPath], ['megatronDir', cfg.megatronDir], ...entries.map((e, i): [string, string] => [`trainData[${i}]`, e.prefix])];
  for (const [what, p] of paths) if (/\s/.test(p)) add('E-PATH-SPACE', `${what} path '${p}' contains whitespace; the reference passes unquoted expansions`);

  // --- flags
  if (cfg.recompute.granularity === 'selective' && cfg.recompute.method) add('E-RECOMPUTE', `recompute granularity 'selective' with method '${cfg.recompute.method}': Megatron asserts`);
  if (!cfg.recompute.granularity && cfg.recompute.method) add('W-RECOMPUTE', `recompute method '${cfg.recompute.method}' without granularity is ignored by Megatron`);
  if (!(cfg.saveInterval >= 1)) add('E-SAVE', `saveInterval ${cfg.saveInterval} < 1: --save requires a save interval`);
  if ((cfg.validDataPath?.length || cfg.testDataPath?.length) && cfg.dataType === 'multimodal_instruction') add('E-EVAL-MM', 'valid/test data paths are configured with dataType multimodal_instruction: the reference multimodal evaluation path crashes');
  if (cfg.wandb.enabled && !opts.dryRun && !env.WANDB_API_KEY) add('E-WANDB-KEY', 'W&B logging is enabled but WANDB_API_KEY is unset: the wandb shim raises (export it or set wandb.enabled=false)');
  const devs = d.cudaVisibleDevices.split(',').filter((s) => s.trim() !== '');
  if (devs.length !== cfg.nGpuPerNode) add('E-DEVICES', `cudaVisibleDevices '${d.cudaVisibleDevices}' lists ${devs.length} devices, nGpuPerNode is ${cfg.nGpuPerNode}`);
  if (!(Number.isInteger(cfg.masterPort) && cfg.masterPort >= 1 && cfg.masterPort <= 65535)) add('E-PORT', `masterPort ${cfg.masterPort} is outside 1..65535`);
  if (cfg.noLossBeyondTokenId !== 32000) add('W-NOLOSS-ID', `noLossBeyondTokenId ${cfg.noLossBeyondTokenId} ≠ 32000: SOLO's added tokens start at 32000`);
  const tokPath = at(d.tokenizerPath);
  if (existsSync(tokPath)) {
    try {
      const tf = tokenizerFacts(tokPath);
      if (cfg.noLossBeyondTokenId > tf.vocabSize) add('E-NOLOSS-ID', `noLossBeyondTokenId ${cfg.noLossBeyondTokenId} > tokenizer vocab size ${tf.vocabSize} (${d.tokenizerPath})`);
    } catch {
      /* not a SentencePiece model: nothing to check */
    }
  }
  add('W-EXIT-CODE', `success is judged by ${d.ckptDir}/latest_checkpointed_iteration.txt == ${d.trainIters}; the training loop swallows exceptions, so the process exits 0 after a crash`);
  return issues;
}

export function trainErrors(issues: TrainIssue[]): TrainIssue[] {
  return issues.filter((i) => i.severity === 'error');
}

/** Join for messages. */
export function formatIssues(issues: TrainIssue[]): string {
  return issues.map((i) => `${i.severity}: ${i.message}`).join('\n');
}

