/**
 * Derived run values (spec B.2 / B.11.2), computed in one place: DP, grad accumulation, global
 * batch, iterations (the reference's floor(N/GBS)+1 rule), EXP_ID, checkpoint and load dirs.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { TrainConfig } from './config.js';

export interface DerivedTrain {
  mp: number;
  dp: number;
  worldSize: number;
  gradAccum: number;
  globalBatchSize: number;
  nTrainData: number;
  nBatchesPerEpoch: number;
  trainIters: number;
  expId: string;
  ckptDir: string;
  weightDir: string;
  weightDirReason: 'explicit' | 'resume' | 'init';
  initModelDir: string;
  tokenizerPath: string;
  cudaVisibleDevices: string;
  /** True when `ckptDir/latest_checkpointed_iteration.txt` exists. */
  hasOwnCheckpoint: boolean;
}

/** Resolve a config path against the run's working directory. */
export function atRunRoot(root: string, p: string): string {
  return isAbsolute(p) ? p : join(root, p);
}

export const MEGATRON_TRACKER_FILE = 'latest_checkpointed_iteration.txt';

export function deriveTrain(cfg: TrainConfig, opts: { root: string; nTrainData?: number }): DerivedTrain {
  const mp = cfg.tp * cfg.pp;
  const worldSize = cfg.nGpuPerNode * cfg.nnodes;
  // The reference uses N_GPU_PER_NODE only (single node); with nnodes > 1 the world size counts.
  const dp = mp > 0 ? Math.floor(worldSize / mp) : 0;
  const gradAccum = dp > 0 ? Math.floor(cfg.batchBase / dp) : 0;
  const globalBatchSize = cfg.globalBatchSize ?? cfg.microBatchSize * dp * gradAccum;
  const nTrainData = typeof cfg.nTrainData === 'number' ? cfg.nTrainData : (opts.nTrainData ?? NaN);
  const nBatchesPerEpoch = globalBatchSize > 0 && Number.isFinite(nTrainData) ? Math.floor(nTrainData / globalBatchSize) + 1 : 0;
  const trainIters = nBatchesPerEpoch * cfg.nEpochs;
  let expId = cfg.expId ?? `${cfg.modelName}-T${cfg.tp}P${cfg.pp}-${cfg.expDataNote}-lr${cfg.lr}-warmup${cfg.warmupIters}-bs${globalBatchSize}-seq${cfg.seqLength}`;
  if (cfg.extraExpNote) expId = `${expId}-N${cfg.extraExpNote}`;
  const ckptDir = `${cfg.ckptRoot}/${expId}`;
  const initModelDir = cfg.initModelDir ?? `data/models/sharded/${cfg.modelName}-megatron-tp${cfg.tp}-pp${cfg.pp}`;
  const hasOwnCheckpoint = existsSync(join(atRunRoot(opts.root, ckptDir), MEGATRON_TRACKER_FILE));
  const explicit = cfg.loadModelCkpts ? cfg.loadModelCkpts : undefined;
  let weightDir: string;
  let weightDirReason: DerivedTrain['weightDirReason'];
  if (cfg.resumeOrder === 'explicit-first') {
    if (explicit) (weightDir = explicit), (weightDirReason = 'explicit');
    else if (hasOwnCheckpoint) (weightDir = ckptDir), (weightDirReason = 'resume');
    else (weightDir = initModelDir), (weightDirReason = 'init');
  } else {
    if (hasOwnCheckpoint) (weightDir = ckptDir), (weightDirReason = 'resume');
    else if (explicit) (weightDir = explicit), (weightDirReason = 'explicit');
    else (weightDir = initModelDir), (weightDirReason = 'init');
  }
  const tokenizerPath = cfg.tokenizerPath ?? `data/models/raw/${cfg.modelName}-megatron/tokenizer.model`;
  const cudaVisibleDevices = cfg.cudaVisibleDevices ?? Array.from({ length: cfg.nGpuPerNode }, (_, i) => String(i)).join(',');
  return {
    mp, dp, worldSize, gradAccum, globalBatchSize, nTrainData, nBatchesPerEpoch, trainIters,
    expId, ckptDir, weightDir, weightDirReason, initModelDir, tokenizerPath, cudaVisibleDevices, hasOwnCheckpoint,
  };
}
