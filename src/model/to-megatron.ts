/**
 * `solo model to-megatron`: HF SOLO directory → the Megatron "release" checkpoint that
 * `hf_to_megatron.py multimodal_mistral` writes (spec §3), for any Mistral-shaped size read from
 * config.json. Streams one tensor at a time into the torch file; the output directory is atomic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { saveTorchFile, pyDict, pyFloat, TensorSource, type PyValue } from '../formats/torch/index.js';
import { openHfSource, checkHfTensors } from './hf-source.js';
import { megatronFromHf } from './from-hf.js';
import { releaseArgs, paddedVocab } from './args.js';
import { layerKey, megatronShape, RELEASE_LAYER_ORDER, RELEASE_SUFFIX, type MegatronKey } from './names.js';
import { castTensor, type DType } from './tensor.js';
import { withAtomicDir } from './atomic-dir.js';
import { ReadAhead, torchWriteOrder } from './read-ahead.js';
import { parseModelCompat } from './compat.js';
import { sentencePieceCount } from './tokenizer-shim.js';

export interface ToMegatronOptions {
  hf: string;
  out: string;
  /** Rows kept (default: the tokenizer's piece count; the reference hard-codes 33029). */
  trueVocabSize?: number;
  /** Output dtype (default: the input's; the reference writes float32). */
  dtype?: DType;
  /** Reference behaviours: release-fp32, release-vocab-33029, reference (both). */
  compat?: string[];
  force?: boolean;
  onProgress?: ProgressFn;
  warn?: (msg: string) => void;
}

export interface ToMegatronResult {
  out: string;
  vocab: number;
  paddedVocabSize: number;
  dtype: DType;
  tensors: number;
  bytes: number;
}

export async function modelToMegatron(o: ToMegatronOptions): Promise<ToMegatronResult> {
  const compat = parseModelCompat(o.compat, 'to-megatron');
  const src = await openHfSource(o.hf);
  try {
    const s = src.shape;
    checkHfTensors(src, { vision: true });
    const tokPath = join(o.hf, 'tokenizer.model');
    const pieces = existsSync(tokPath) ? sentencePieceCount(readFileSync(tokPath)) : undefined;
    const stored = src.info('model.embed_tokens.weight').shape[0]!;
    const vocab = o.trueVocabSize ?? (compat.has('release-vocab-33029') ? 33029 : undefined) ?? pieces ?? stored;
    if (!Number.isSafeInteger(vocab) || vocab <= 0) throw new UsageError(`bad vocabulary size ${vocab}`);
    if (pieces !== undefined && vocab !== pieces) o.warn?.(`keeping ${vocab} vocabulary rows but the tokenizer has ${pieces} pieces`);
    if (vocab > stored) o.warn?.(`the model has ${stored} embedding rows; rows ${stored}…${vocab - 1} are zero-filled`);
    const dtype = o.dtype ?? (compat.has('release-fp32') ? 'float32' : src.info('lm_head.weight').dtype);
    const pv = paddedVocab(vocab, 1);
    // tensors in pickle encounter order; torch.save writes them in string-sorted key order
    const encounter: MegatronKey[] = ['word_embeddings', 'final_layernorm'];
    for (let i = 0; i < s.layers; i++) for (const p of RELEASE_LAYER_ORDER) encounter.push(layerKey(i, p));
    encounter.push('lm_head', 'embed_vision_patch');
    const writeOrder = torchWriteOrder(encounter.length).map((i) => encounter[i]!);
    const pos = new Map(writeOrder.map((k, i) => [k, i]));
    const ahead = new ReadAhead(async (i) => castTensor(await megatronFromHf(src, writeOrder[i]!, vocab), dtype).data, writeOrder.length);
    const mk = (key: MegatronKey): TensorSource =>
      new TensorSource({
        dtype,
        shape: megatronShape(s, key, vocab),
        data: () => ahead.get(pos.get(key)!),
      });
    const transformer = pyDict([['final_layernorm.weight', mk('final_layernorm')]]);
    for (let i = 0; i < s.layers; i++) for (const p of RELEASE_LAYER_ORDER) transformer.set(`layers.${i}.${RELEASE_SUFFIX[p]}`, mk(layerKey(i, p)));
    const root = pyDict([
      ['iteration', 'release'],
      ['model', pyDict([['language_model', pyDict([
        ['embedding', pyDict([['word_embeddings.weight', mk('word_embeddings')]])],
        ['transformer', transformer],
        ['lm_head', mk('lm_head')],
        ['embed_vision_patch', pyDict([['weight', mk('embed_vision_patch')]])],
      ] as [string, PyValue][])]])],
      ['checkpoint_version', pyFloat(3.0)],
      ['args', releaseArgs(s, pv)],
    ]);
    const r = await withAtomicDir(o.out, async (tmp) => {
      await mkdir(join(tmp, 'release', 'mp_rank_00'), { recursive: true });
      const res = await saveTorchFile(join(tmp, 'release', 'mp_rank_00', 'model_optim_rng.pt'), root, { onProgress: o.onProgress });
      await writeFile(join(tmp, 'latest_checkpointed_iteration.txt'), 'release');
      if (pieces !== undefined) await copyFile(tokPath, join(tmp, 'tokenizer.model'));
      return res;
    }, { force: o.force });
    return { out: o.out, vocab, paddedVocabSize: pv, dtype, tensors: r.storages, bytes: r.bytes };
  } finally {
    await src.close();
  }
}
