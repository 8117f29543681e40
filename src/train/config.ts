/**
 * The `solo train` run configuration (spec ingestion-and-training B.11.1): user fields with
 * defaults, the launcher section, `defineConfig` for `solo.config.mjs`, deep merge and
 * `--set key=value` overrides. Derived values live in derive.ts, checks in validate.ts.
 */
import type { NumLit } from './numlit.js';

export type TrainPresetName = 'solo-stage1' | 'solo-stage2' | 'solo-stage3';
export type TrainModelType = 'multimodal_mistral' | 'mistral' | 'llama' | 'llama2' | 'codellama' | 'falcon' | 'gpt';
export type ResumeOrder = 'explicit-first' | 'own-first';
export type LauncherKind = 'local' | 'docker' | 'slurm';

/** One blend entry; a number weight is printed like Python's `'%.4f'`, a string verbatim. */
export interface MixtureEntry {
  weight: NumLit | number;
  prefix: string;
  /** Declared row subsample of this prefix (the stage-3 SlimPajama 10%); silences W-NTRAIN-MISMATCH. */
  sampleFraction?: number;
}

export interface DockerLauncherConfig {
  /** The fork's image (reference: xingyaoww/pt-megatron-llm:v1.2). */
  image: string;
  /** Container path where the working directory is mounted (reference: /workspace). */
  workspace: string;
  /** Host paths mounted at the same path inside (reference: /scratch, /shared). */
  mounts: string[];
  /** Environment variables passed through by name (values never appear in argv). */
  passEnv: string[];
  gpus: string;
  /** Run as the host user (`--user $(id -u):$(id -g)` plus every host group). */
  hostUser: boolean;
  extraArgs: string[];
}

export interface SlurmLauncherConfig {
  jobName?: string;
  partition?: string;
  account?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  /** GPUs per node requested from Slurm; default nGpuPerNode; 0 requests none. */
  gpusPerNode?: number;
  /** `#SBATCH --output`; default `<ckptDir>/slurm-%j.out`. */
  output?: string;
  /** Extra `#SBATCH` lines (without the `#SBATCH ` prefix). */
  extraSbatch: string[];
  /** Shell lines run before the launch (module load, conda activate, …). */
  setup: string[];
}

export interface LauncherConfig {
  kind: LauncherKind;
  /** Directory the command runs in (the SOLO repo root); default: the current directory. */
  workdir?: string;
  docker: DockerLauncherConfig;
  slurm: SlurmLauncherConfig;
}

export interface DockerBuildConfig {
  baseImage: string;
  forkRepo: string;
  forkCommit: string;
  /** Where the fork is cloned inside the image. */
  forkDir: string;
  tag: string;
}

export interface TrainConfig {
  preset?: TrainPresetName;
  expDataNote: string;
  expId?: string;
  extraExpNote?: string;

  nGpuPerNode: number;
  cudaVisibleDevices?: string;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
  megatronDir: string;
  entrypoint: string;
  buildHelpers: boolean;

  tp: number;
  pp: number;
  microBatchSize: number;
  batchBase: number;
  /** Override of the derived global batch (E-GBS-DIV applies). */
  globalBatchSize?: number;

  modelName: string;
  modelType: TrainModelType;
  seqLength: number;
  tokenizerType: 'SentencePieceTokenizer';
  tokenizerPath?: string;
  noLossBeyondTokenId: number;

  trainData: MixtureEntry[];
  nTrainData: number | { fromMixtureStats: true };
  nEpochs: number;
  dataType: 'multimodal_instruction';
  packedInput: boolean;
  variableSeqLengths: boolean;
  /** Validation/test prefixes (rejected with the multimodal data type: E-EVAL-MM). */
  validDataPath?: string[];
  testDataPath?: string[];

  lr: NumLit;
  minLr: NumLit;
  weightDecay: NumLit;
  lrDecayStyle: 'cosine' | 'linear' | 'constant' | 'inverse-square-root';
  warmupIters: number;
  clipGrad: NumLit;
  hiddenDropout: NumLit;
  attentionDropout: NumLit;
  bf16: boolean;

  ckptRoot: string;
  initModelDir?: string;
  loadModelCkpts?: string;
  resumeOrder: ResumeOrder;
  saveInterval: number;
  evalInterval: number;
  logInterval: number;
  useCheckpointArgs: boolean;
  exitSignalHandler: boolean;
  saveOnException: boolean;
  overrideOptParamScheduler: boolean;

  wandb: { enabled: boolean; entity: string; project: string };

  recompute: { granularity?: 'full' | 'selective'; method?: 'uniform' | 'block'; numLayers: number };
  emptyUnusedMemoryLevel: 0 | 1 | 2;
  useDistributedOptimizer: boolean;
  numWorkers: number;
  useFlashAttn: boolean;
  fusedKernels: { biasGelu: boolean; biasDropout: boolean };

  checkFiles: boolean;
  strictBatch: boolean;

  launcher: LauncherConfig;
  dockerBuild: DockerBuildConfig;
  /** Name tag of this stage's hand-off checkpoint (`…-megatron-<tag>-<iter>`), e.g. `imagenet21k`. */
  handoffTag?: string;
}

type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** What a user writes: every field optional (defaults and the preset fill the rest). */
export type TrainConfigInput = DeepPartial<TrainConfig>;

/** Identity helper for `solo.config.mjs`: `export default defineConfig({ preset: 'solo-stage1', … })`. */
export function defineConfig(config: TrainConfigInput): TrainConfigInput {
  return config;
}

/** Defaults (B.11.1); every preset starts from these. */
export function defaultTrainConfig(): TrainConfig {
  return {
    expDataNote: '',
    nGpuPerNode: 8,
    nnodes: 1,
    nodeRank: 0,
    masterAddr: 'localhost',
    masterPort: 9999,
    megatronDir: 'Megatron-LLM',
    entrypoint: 'finetune.py',
    buildHelpers: true,
    tp: 2,
    pp: 1,
    microBatchSize: 1,
    batchBase: 128,
    modelName: 'MultimodalMistral-7B-dproj',
    modelType: 'multimodal_mistral',
    seqLength: 32768,
    tokenizerType: 'SentencePieceTokenizer',
    noLossBeyondTokenId: 32000,
    trainData: [],
    nTrainData: { fromMixtureStats: true },
    nEpochs: 1,
    dataType: 'multimodal_instruction',
    packedInput: true,
    variableSeqLengths: true,
    lr: '5e-5',
    minLr: '5e-6',
    weightDecay: '0.1',
    lrDecayStyle: 'cosine',
    warmupIters: 200,
    clipGrad: '1.0',
    hiddenDropout: '0.0',
    attentionDropout: '0.0',
    bf16: true,
    ckptRoot: 'data/ckpts',
    // Deviation from the stage-1 script: own checkpoint first (the stage-1 order can overwrite
    // progress); `--compat resume-order` restores 'explicit-first'.
    resumeOrder: 'own-first',
    saveInterval: 50,
    evalInterval: 10000000,
    logInterval: 1,
    useCheckpointArgs: true,
    exitSignalHandler: true,
    saveOnException: true,
    overrideOptParamScheduler: true,
    wandb: { enabled: true, entity: 'xingyaow', project: 'multimodal-mistral' },
    recompute: { granularity: 'full', method: 'uniform', numLayers: 4 },
    emptyUnusedMemoryLevel: 1,
    useDistributedOptimizer: true,
    numWorkers: 8,
    useFlashAttn: true,
    fusedKernels: { biasGelu: false, biasDropout: false },
    checkFiles: true,
    strictBatch: true,
    launcher: {
      kind: 'local',
      docker: {
        image: 'xingyaoww/pt-megatron-llm:v1.2',
        workspace: '/workspace',
        mounts: ['/scratch', '/shared'],
        passEnv: ['WANDB_API_KEY', 'HUGGING_FACE_HUB_TOKEN'],
        gpus: 'all',
        hostUser: true,
        extraArgs: [],
      },
      slurm: { extraSbatch: [], setup: [] },
    },
    dockerBuild: {
      baseImage: 'nvcr.io/nvidia/pytorch:23.09-py3',
      forkRepo: 'https://github.com/xingyaoww/Megatron-LLM.git',
      forkCommit: '8392550',
      forkDir: '/opt/Megatron-LLM',
      tag: 'solo-megatron-llm:8392550',
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, arrays and scalars replace; `undefined` keeps the base. */
export function mergeTrainConfig<T>(base: T, over: unknown): T {
  if (!isPlainObject(over)) return (over === undefined ? base : (over as T));
  if (!isPlainObject(base)) return structuredClone(over) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeTrainConfig(out[k], v) : structuredClone(v);
  }
  return out as T;
}

/**
 * Parse a `--set` value: JSON when it parses (numbers, booleans, arrays, objects, quoted strings),
 * otherwise the raw text. Numeric-text fields (lr, minLr, …) keep the text so `5e-5` stays `5e-5`.
 */
const TEXT_FIELDS = new Set(['lr', 'minLr', 'weightDecay', 'clipGrad', 'hiddenDropout', 'attentionDropout', 'expId', 'expDataNote', 'extraExpNote', 'cudaVisibleDevices', 'modelName', 'tokenizerPath', 'loadModelCkpts', 'initModelDir', 'ckptRoot', 'megatronDir', 'masterAddr']);

export function parseTrainSetValue(key: string, raw: string): unknown {
  const last = key.split('.').pop()!;
  if (TEXT_FIELDS.has(last)) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Apply `a.b.c=value` overrides in order. */
export function applyTrainSets(cfg: TrainConfigInput, sets: string[]): TrainConfigInput {
  let out: TrainConfigInput = structuredClone(cfg);
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects key=value, got '${s}'`);
    const key = s.slice(0, eq);
    const value = parseTrainSetValue(key, s.slice(eq + 1));
    const patch: Record<string, unknown> = {};
    let cur = patch;
    const parts = key.split('.');
    parts.forEach((p, i) => {
      if (i === parts.length - 1) cur[p] = value;
      else cur = (cur[p] = {}) as Record<string, unknown>;
    });
    out = mergeTrainConfig(out, patch);
  }
  return out;
}
