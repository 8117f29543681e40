/**
 * Opens a Megatron checkpoint directory (release, sharded or trained; with or without the
 * distributed optimizer) and serves full, TP-merged parameters in Megatron layout one at a time
 * (spec §4.2–4.3). Ranks are located from the tracker and the rank-0 `args`
 * (tensor/pipeline_model_parallel_size; never from directory names, spec Q-8); `optim.pt` files are
 * never read. Both key forms are accepted: release (`transformer`, `attention`, flat
 * `word_embeddings.weight`, plain dicts) and sharded (`encoder`, `self_attention`, nested).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SoloError } from '../errors.js';
import {
  loadTorchFile, isTensorRef, PyDict, PyNamespace, PyFloat, PyEnum, pyFloatRepr,
  type TorchFile, type TensorRef, type PyValue,
} from '../formats/torch/index.js';
import { concatCols, concatRows, makeTensor, sliceRows, type DType, type Tensor } from './tensor.js';
import { checkShape, type ModelShape } from './shape.js';
import { parseLayerKey, RELEASE_SUFFIX, SHARDED_SUFFIX, tpSplitOf, type MegatronKey } from './names.js';
import { sentencePieceCount } from './tokenizer-shim.js';

export type Iteration = 'release' | number;

export interface MegatronSource {
  readonly dir: string;
  readonly iteration: Iteration;
  /** `release/` or `iter_0000050/`. */
  readonly iterDir: string;
  readonly tp: number;
  readonly pp: number;
  /** 'release' = hf_to_megatron layout; 'sharded' = checkpoint_util / training layout. */
  readonly form: 'release' | 'sharded';
  /** Files opened, [pp][tp]. */
  readonly files: string[][];
  readonly distributedOptimizer: boolean;
  readonly args: PyNamespace;
  readonly shape: ModelShape;
  /** Rows of the stored (merged) word embedding. */
  readonly storedVocabRows: number;
  /** Rows of the stored (merged) lm_head. */
  readonly storedLmHeadRows: number;
  readonly paddedVocabSize: number | undefined;
  /** Pieces of `<dir>/tokenizer.model`, if present. */
  readonly tokenizerPieces: number | undefined;
  readonly tokenizerPath: string | undefined;
  /** dtype of the stored parameters. */
  readonly dtype: DType;
  /** Full tensor (TP-merged) of a logical key. */
  read(key: MegatronKey): Promise<Tensor>;
  /** Per-stage copies of embed_vision_patch (for DEFECT-1 detection). */
  readVisionStages(): Promise<Tensor[]>;
  close(): Promise<void>;
}

export function getKey(d: PyValue | undefined, k: string): PyValue | undefined {
  if (d instanceof PyDict) return d.get(k);
  return undefined;
}

function argInt(a: PyNamespace, k: string, dflt?: number): number {
  const v = a.get(k);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (dflt !== undefined) return dflt;
  throw new SoloError(`checkpoint args have no integer ${k}`);
}

export function argFloatText(a: PyNamespace, k: string, dflt: string): string {
  const v = a.get(k);
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === 'number') return pyFloatRepr(v);
  return dflt;
}

/** ModelShape from a Megatron args Namespace. */
export function argsShape(a: PyNamespace, where: string): ModelShape {
  const hidden = argInt(a, 'hidden_size');
  const heads = argInt(a, 'num_attention_heads');
  const p = argInt(a, 'vision_patch_size', 32);
  return checkShape({
    hidden,
    ffn: argInt(a, 'ffn_hidden_size'),
    layers: argInt(a, 'num_layers', argInt(a, 'encoder_num_layers', 0) || undefined),
    heads,
    kvHeads: argInt(a, 'num_attention_heads_kv', heads),
    headDim: argInt(a, 'kv_channels', hidden / heads),
    patchDim: 3 * p * p,
    visionPatchSize: p,
    maxPositions: argInt(a, 'max_position_embeddings', 32768),
    slidingWindow: argInt(a, 'sliding_window_size', 4096),
    rmsEps: argFloatText(a, 'layernorm_epsilon', '1e-05'),
    ropeTheta: argFloatText(a, 'rope_theta', '10000.0'),
  }, where);
}

/** Reads `latest_checkpointed_iteration.txt`. */
export function readTracker(dir: string): Iteration {
  const p = join(dir, 'latest_checkpointed_iteration.txt');
  if (!existsSync(p)) throw new SoloError(`${dir}: not a Megatron checkpoint (no latest_checkpointed_iteration.txt)`);
  const s = readFileSync(p, 'utf8').trim();
  if (s === 'release') return 'release';
  if (/^\d+$/.test(s)) return Number(s);
  throw new SoloError(`${p}: expected 'release' or an iteration number, got '${s}'`);
}

export function iterDirName(it: Iteration): string {
  return it === 'release' ? 'release' : `iter_${String(it).padStart(7, '0')}`;
}

export function rankDirName(tp: number, pp: number, ppSize: number): string {
  return ppSize === 1 ? `mp_rank_${String(tp).padStart(2, '0')}` : `mp_rank_${String(tp).padStart(2, '0')}_${String(pp).padStart(3, '0')}`;
}

function rankFile(iterPath: string, dirName: string): { path: string; distOpt: boolean } | undefined {
  const a = join(iterPath, dirName, 'model_optim_rng.pt');
  if (existsSync(a)) return { path: a, distOpt: false };
  const b = join(iterPath, dirName, 'model_rng.pt');
  if (existsSync(b)) return { path: b, distOpt: true };
  return undefined;
}

export interface OpenMegatronOptions {
  /** Iteration to read instead of the tracker's (`--iter`). */
  iteration?: number | 'release';
}

export async function openMegatronSource(dir: string, opts: OpenMegatronOptions = {}): Promise<MegatronSource> {
  const iteration = opts.iteration ?? readTracker(dir);
  const iterDir = iterDirName(iteration);
  const iterPath = join(dir, iterDir);
  if (!existsSync(iterPath)) {
    const have = existsSync(dir) ? readdirSync(dir).filter((n) => n === 'release' || n.startsWith('iter_')) : [];
    throw new SoloError(`${dir}: no ${iterDir}/ (available: ${have.join(', ') || 'none'})`);
  }
  // rank 0: PP=1 name first, then the PP>1 name (as the reference loader probes)
  const r0 = rankFile(iterPath, rankDirName(0, 0, 1)) ?? rankFile(iterPath, rankDirName(0, 0, 2));
  if (!r0) throw new SoloError(`${iterPath}: no rank-0 model file (mp_rank_00/ or mp_rank_00_000/ with model_optim_rng.pt or model_rng.pt)`);
  const opened: TorchFile[] = [];
  try {
    const f0 = await loadTorchFile(r0.path);
    opened.push(f0);
    const args0 = getKey(f0.root, 'args');
    if (!(args0 instanceof PyNamespace)) throw new SoloError(`${r0.path}: no args Namespace`);
    const tp = argInt(args0, 'tensor_model_parallel_size', 1);
    const pp = argInt(args0, 'pipeline_model_parallel_size', 1);
    const shape = argsShape(args0, r0.path);
    if (shape.layers % pp !== 0) throw new SoloError(`${r0.path}: ${shape.layers} layers do not split into ${pp} pipeline stages`);
    const files: string[][] = [];
    const tfs: TorchFile[][] = [];
    let distOpt = r0.distOpt;
    for (let s = 0; s < pp; s++) {
      files.push([]);
      tfs.push([]);
      for (let t = 0; t < tp; t++) {
        const name = rankDirName(t, s, pp);
        const rf = s === 0 && t === 0 && rankFile(iterPath, name)?.path === r0.path ? r0 : rankFile(iterPath, name);
        if (!rf) throw new SoloError(`${iterPath}: missing rank file for TP rank ${t}, PP stage ${s} (${name}/model_optim_rng.pt or model_rng.pt); the checkpoint says TP=${tp}, PP=${pp}`);
        distOpt ||= rf.distOpt;
        const tf = rf.path === r0.path ? f0 : await loadTorchFile(rf.path);
        if (tf !== f0) opened.push(tf);
        const a = getKey(tf.root, 'args');
        if (!(a instanceof PyNamespace)) throw new SoloError(`${rf.path}: no args Namespace`);
        const ttp = argInt(a, 'tensor_model_parallel_size', 1);
        const tpp = argInt(a, 'pipeline_model_parallel_size', 1);
        if (ttp !== tp || tpp !== pp) throw new SoloError(`${rf.path}: says TP=${ttp}, PP=${tpp} but rank 0 says TP=${tp}, PP=${pp}: mixed checkpoints?`);
        files[s]!.push(rf.path);
        tfs[s]!.push(tf);
      }
    }
    // extra TP ranks present on disk = a mismatch
    const extra = rankFile(iterPath, rankDirName(tp, 0, pp));
    if (extra) throw new SoloError(`${iterPath}: found ${rankDirName(tp, 0, pp)} but the checkpoint args say TP=${tp}: mismatched TP files`);
    const lm = (tf: TorchFile): PyDict => {
      const m = getKey(getKey(tf.root, 'model'), 'language_model');
      if (!(m instanceof PyDict)) throw new SoloError(`${tf.path}: no model.language_model`);
      return m;
    };
    const form: 'release' | 'sharded' = lm(f0).has('transformer') ? 'release' : 'sharded';
    const encoderOf = (tf: TorchFile): PyDict => {
      const e = lm(tf).get(form === 'release' ? 'transformer' : 'encoder');
      if (!(e instanceof PyDict)) throw new SoloError(`${tf.path}: no ${form === 'release' ? 'transformer' : 'encoder'}`);
      return e;
    };
    const tensorAt = (tf: TorchFile, what: string, v: PyValue | undefined): TensorRef => {
      if (!isTensorRef(v)) throw new SoloError(`${tf.path}: missing tensor ${what}`);
      return v;
    };
    const refOf = (key: MegatronKey, s: number, t: number): TensorRef => {
      const tf = tfs[s]![t]!;
      const l = lm(tf);
      if (key === 'word_embeddings') {
        const e = l.get('embedding');
        const flat = getKey(e, 'word_embeddings.weight');
        return tensorAt(tf, 'embedding.word_embeddings.weight', flat ?? getKey(getKey(e, 'word_embeddings'), 'weight'));
      }
      if (key === 'lm_head') return tensorAt(tf, 'lm_head', l.get('lm_head'));
      if (key === 'embed_vision_patch') return tensorAt(tf, 'embed_vision_patch.weight', getKey(l.get('embed_vision_patch'), 'weight'));
      if (key === 'final_layernorm') return tensorAt(tf, 'final_layernorm.weight', encoderOf(tf).get('final_layernorm.weight'));
      const lk = parseLayerKey(key);
      if (!lk) throw new SoloError(`unknown parameter ${key}`);
      const per = shape.layers / pp;
      const local = lk.layer % per;
      const suffix = (form === 'release' ? RELEASE_SUFFIX : SHARDED_SUFFIX)[lk.param];
      return tensorAt(tf, `layers.${local}.${suffix}`, encoderOf(tf).get(`layers.${local}.${suffix}`));
    };
    const stageOf = (key: MegatronKey): number => {
      if (key === 'word_embeddings') return 0;
      if (key === 'lm_head' || key === 'final_layernorm' || key === 'embed_vision_patch') return pp - 1;
      const lk = parseLayerKey(key)!;
      return Math.floor(lk.layer / (shape.layers / pp));
    };
    const readRef = async (r: TensorRef): Promise<Tensor> => makeTensor(r.dtype as DType, [...r.shape], await r.read());
    const readStage = async (key: MegatronKey, s: number): Promise<Tensor> => {
      const split = tpSplitOf(key);
      if (split === 'replicated') return readRef(refOf(key, s, 0));
      const parts: Tensor[] = [];
      for (let t = 0; t < tp; t++) parts.push(await readRef(refOf(key, s, t)));
      if (tp === 1) return parts[0]!; // a single rank already holds the full tensor
      if (split === 'rows') return concatRows(parts);
      if (split === 'cols') return concatCols(parts);
      // glu: each rank [up_r ; gate_r]
      const ups = parts.map((p) => sliceRows(p, 0, p.shape[0]! / 2));
      const gates = parts.map((p) => sliceRows(p, p.shape[0]! / 2, p.shape[0]!));
      return concatRows([...ups, ...gates]);
    };
    let storedVocabRows = 0;
    for (let t = 0; t < tp; t++) storedVocabRows += refOf('word_embeddings', 0, t).shape[0]!;
    let storedLmHeadRows = 0;
    for (let t = 0; t < tp; t++) storedLmHeadRows += refOf('lm_head', pp - 1, t).shape[0]!;
    const tokPath = join(dir, 'tokenizer.model');
    const tokenizerPieces = existsSync(tokPath) ? sentencePieceCount(readFileSync(tokPath)) : undefined;
    const pv = args0.get('padded_vocab_size');
    return {
      dir, iteration, iterDir, tp, pp, form, files, distributedOptimizer: distOpt, args: args0, shape,
      storedVocabRows,
      storedLmHeadRows,
      paddedVocabSize: typeof pv === 'number' ? pv : undefined,
      tokenizerPieces,
      tokenizerPath: tokenizerPieces !== undefined ? tokPath : undefined,
      dtype: refOf('lm_head', pp - 1, 0).dtype as DType,
      read: (key) => readStage(key, stageOf(key)),
      readVisionStages: async () => {
        const out: Tensor[] = [];
        for (let s = 0; s < pp; s++) out.push(await readStage('embed_vision_patch', s));
        return out;
      },
      close: async () => {
        await Promise.all(opened.map((o) => o.close()));
      },
    };
  } catch (e) {
    await Promise.all(opened.map((o) => o.close()));
    throw e;
  }
}

/** Is this value a Megatron enum or string equal to `name`? */
export function enumOrString(v: PyValue | undefined, name: string): boolean {
  return v === name || (v instanceof PyEnum && v.name === name);
}
