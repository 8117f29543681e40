/**
 * `solo model shard`: any Megatron checkpoint (release, sharded, trained) → the TP×PP layout
 * `tools/checkpoint_util.py` writes (spec §4): merge source ranks, re-pad the vocabulary
 * (loader zero-pad to the source's padded size, saver last-row replication / truncation to
 * Vp(V, 128·t)), cast (bf16 by default, as the reference's --bf16), split, write every rank file.
 * All rank files are written concurrently; each full parameter is computed once and dropped as
 * soon as every rank has taken its slice, so memory stays at a few parameters.
 * Fixed by default (compat switch `pp-vision-weights` restores the bug): the vision projection is
 * written to every pipeline stage, not only the last (DEFECT-1).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SoloError, UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { saveTorchFile, TensorSource } from '../formats/torch/index.js';
import { openMegatronSource, iterDirName, rankDirName, type Iteration, type MegatronSource } from './megatron-source.js';
import { megatronKeys, megatronShape, parseLayerKey, tpSplitOf, type MegatronKey } from './names.js';
import { castTensor, concatRows, resizeRows, sliceCols, sliceRows, ITEMSIZE, numel, type DType, type Tensor } from './tensor.js';
import { paddedVocab, saverArgs } from './args.js';
import { rankFileObject } from './write-rank.js';
import { withAtomicDir } from './atomic-dir.js';
import { torchWriteOrder } from './read-ahead.js';
import { SHARDED_LAYER_ORDER, layerKey } from './names.js';
import { parseModelCompat } from './compat.js';
import type { ModelShape } from './shape.js';

export interface ShardOptions {
  in: string;
  out: string;
  tp: number;
  pp: number;
  /** Iteration to read (default: the tracker's). */
  iteration?: number | 'release';
  /** True vocabulary size V (default: the checkpoint's tokenizer.model, else the release's stored rows). */
  trueVocabSize?: number;
  /** Output dtype (default bfloat16, as the reference's --bf16). */
  dtype?: DType;
  /** `args.save` (default: `out` as given). */
  save?: string;
  compat?: string[];
  force?: boolean;
  onProgress?: ProgressFn;
  warn?: (msg: string) => void;
}

export interface ShardResult {
  out: string;
  tp: number;
  pp: number;
  iteration: Iteration;
  trueVocabSize: number;
  paddedVocabSize: number;
  dtype: DType;
  files: string[];
  bytes: number;
}

/** The true vocabulary size of a checkpoint: tokenizer pieces, else stored release rows. */
export function deriveTrueVocab(src: MegatronSource, given: number | undefined): number {
  if (given !== undefined) return given;
  if (src.tokenizerPieces !== undefined) return src.tokenizerPieces;
  if (src.form === 'release') return src.storedVocabRows;
  throw new UsageError(`${src.dir}: cannot tell the true vocabulary size (no tokenizer.model in the checkpoint directory); pass --true-vocab-size`);
}

/** Full vocab tensor as checkpoint_util's loader + saver produce it: rows = Vp. */
export async function repaddedVocab(src: MegatronSource, key: 'word_embeddings' | 'lm_head', vp: number): Promise<Tensor> {
  const t = await src.read(key);
  const R = t.shape[0]!;
  const pv = src.paddedVocabSize;
  // loader: zero-pad to the source's padded size (embedding only in the flat release form)
  const loaded = pv !== undefined && R < pv && (key === 'lm_head' || src.form === 'release') ? pv : R;
  if (loaded === R) return resizeRows(t, vp, 'last'); // saver: truncate, or replicate the last row
  // both in one allocation: rows [R, loaded) are zero, and so is the replicated last row
  return resizeRows(t, vp, 'zero');
}

export function checkTp(s: ModelShape, tp: number): void {
  if (!Number.isSafeInteger(tp) || tp < 1) throw new UsageError(`--tp must be a positive integer, got ${tp}`);
  for (const [what, n] of [['KV heads', s.kvHeads], ['hidden size', s.hidden], ['FFN size', s.ffn]] as const) {
    if (n % tp !== 0) throw new UsageError(`TP=${tp} does not divide the ${what} (${n})`);
  }
}

/** This rank's slice of a full parameter. */
export function tpSlice(key: MegatronKey, full: Tensor, tp: number, r: number): Tensor {
  if (tp === 1) return full;
  switch (tpSplitOf(key)) {
    case 'replicated': return full;
    case 'rows': {
      const n = full.shape[0]! / tp;
      return sliceRows(full, r * n, (r + 1) * n);
    }
    case 'cols': {
      const n = full.shape[1]! / tp;
      return sliceCols(full, r * n, (r + 1) * n);
    }
    case 'glu': {
      const f = full.shape[0]! / 2;
      const n = f / tp;
      return concatRows([sliceRows(full, r * n, (r + 1) * n), sliceRows(full, f + r * n, f + (r + 1) * n)]);
    }
  }
}

export async function modelShard(o: ShardOptions): Promise<ShardResult> {
  const compat = parseModelCompat(o.compat, 'shard');
  const src = await openMegatronSource(o.in, { iteration: o.iteration });
  try {
    const s = src.shape;
    checkTp(s, o.tp);
    if (!Number.isSafeInteger(o.pp) || o.pp < 1 || s.layers % o.pp !== 0) throw new UsageError(`--pp ${o.pp} does not divide the ${s.layers} layers`);
    const V = deriveTrueVocab(src, o.trueVocabSize);
    const vp = paddedVocab(V, o.tp);
    const dtype = o.dtype ?? 'bfloat16';
    const per = s.layers / o.pp;
    const stageKeys = (st: number): MegatronKey[] =>
      megatronKeys(s).filter((k) => {
        if (k === 'word_embeddings') return st === 0;
        if (k === 'lm_head' || k === 'final_layernorm') return st === o.pp - 1;
        if (k === 'embed_vision_patch') return true;
        return Math.floor(parseLayerKey(k)!.layer / per) === st;
      });
    // refcounted cache of prepared full tensors
    const uses = new Map<MegatronKey, number>();
    for (let st = 0; st < o.pp; st++) for (const k of stageKeys(st)) uses.set(k, (uses.get(k) ?? 0) + o.tp);
    const cache = new Map<MegatronKey, Promise<Tensor>>();
    const prepare = async (k: MegatronKey): Promise<Tensor> => {
      const full = k === 'word_embeddings' || k === 'lm_head' ? await repaddedVocab(src, k, vp) : await src.read(k);
      return castTensor(full, dtype);
    };
    const warm = (k: MegatronKey): void => {
      if (!cache.has(k) && (uses.get(k) ?? 0) > 0) {
        const p = prepare(k);
        p.catch(() => {}); // surfaced when taken
        cache.set(k, p);
      }
    };
    const take = (k: MegatronKey): Promise<Tensor> => {
      let p = cache.get(k);
      if (!p) cache.set(k, (p = prepare(k)));
      const left = uses.get(k)! - 1;
      uses.set(k, left);
      if (left === 0) cache.delete(k);
      return p;
    };
    const shapeOf = (k: MegatronKey, _r: number): number[] => {
      const full = megatronShape(s, k, vp);
      const split = tpSplitOf(k);
      if (o.tp === 1 || split === 'replicated') return full;
      if (split === 'cols') return [full[0]!, full[1]! / o.tp];
      return [full[0]! / o.tp, ...full.slice(1)];
    };
    const totalTensors = [...Array(o.pp).keys()].reduce((a, st) => a + stageKeys(st).length * o.tp, 0);
    const totalBytes = [...Array(o.pp).keys()].reduce((a, st) => a + stageKeys(st).reduce((b, k) => b + numel(shapeOf(k, 0)) * ITEMSIZE[dtype], 0) * o.tp, 0);
    let done = 0;
    let bytesDone = 0;
    const iterDir = iterDirName(src.iteration);
    const files: string[] = [];
    const bytes = await withAtomicDir(o.out, async (tmp) => {
      const jobs: Promise<number>[] = [];
      for (let st = 0; st < o.pp; st++) {
        for (let r = 0; r < o.tp; r++) {
          const rel = join(iterDir, rankDirName(r, st, o.pp), 'model_optim_rng.pt');
          files.push(rel);
          const last = st === o.pp - 1;
          // the order torch.save will ask for this file's tensors: read ahead one parameter
          const encounter = encounterOrder(s, st, o.pp);
          const writeOrder = torchWriteOrder(encounter.length).map((i) => encounter[i]!);
          const nextOf = new Map(writeOrder.map((k, i) => [k, writeOrder[i + 1]]));
          const tensor = (k: MegatronKey) =>
            new TensorSource({
              dtype,
              shape: shapeOf(k, r),
              data: async () => {
                const p = take(k);
                const nk = nextOf.get(k);
                if (nk) warm(nk);
                const full = await p;
                let out: Buffer;
                if (k === 'embed_vision_patch' && !last && compat.has('pp-vision-weights')) out = Buffer.alloc(numel(shapeOf(k, r)) * ITEMSIZE[dtype], 0x5a);
                else out = tpSlice(k, full, o.tp, r).data;
                done++;
                bytesDone += out.length;
                o.onProgress?.({ stage: 'shard', done, total: totalTensors, bytes: bytesDone, totalBytes, unit: 'tensors', detail: `${rel} ${k}` });
                return out;
              },
            });
          const args = saverArgs(s, { tp: o.tp, pp: o.pp, paddedVocabSize: vp, save: o.save ?? o.out, dtype, source: src.args });
          const root = rankFileObject({ args, iteration: src.iteration, first: st === 0, last, layerStart: st * per, layersPerStage: per, tensor });
          jobs.push(
            (async () => {
              await mkdir(join(tmp, iterDir, rankDirName(r, st, o.pp)), { recursive: true });
              return (await saveTorchFile(join(tmp, rel), root)).bytes;
            })(),
          );
        }
      }
      const settled = await Promise.allSettled(jobs);
      const failed = settled.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const sizes = settled.map((x) => (x as PromiseFulfilledResult<number>).value);
      if (cache.size) throw new SoloError(`internal: ${cache.size} parameters were never consumed`);
      await writeFile(join(tmp, 'latest_checkpointed_iteration.txt'), String(src.iteration));
      if (src.tokenizerPath) await copyFile(src.tokenizerPath, join(tmp, 'tokenizer.model'));
      return sizes.reduce((a, b) => a + b, 0);
    }, { force: o.force });
    return { out: o.out, tp: o.tp, pp: o.pp, iteration: src.iteration, trueVocabSize: V, paddedVocabSize: vp, dtype, files, bytes };
  } finally {
    await src.close();
  }
}

/** Pickle encounter order of a rank file's tensors (rankFileObject's tree order). */
function encounterOrder(s: ModelShape, st: number, pp: number): MegatronKey[] {
  const per = s.layers / pp;
  const out: MegatronKey[] = [];
  if (st === 0) out.push('word_embeddings');
  out.push('embed_vision_patch');
  for (let j = 0; j < per; j++) for (const p of SHARDED_LAYER_ORDER) out.push(layerKey(st * per + j, p));
  if (st === pp - 1) out.push('final_layernorm', 'lm_head');
  return out;
}
