/**
 * `solo model to-hf`: any Megatron checkpoint (release, TP/PP-sharded, trained, with or without
 * distributed-optimizer files) → HF SOLO safetensors + config + tokenizer files, in one pass
 * (what convert_sharded_to_hf.sh does in two, with a temporary unsharded copy; spec §5).
 * Vocabulary rows kept = the tokenizer's piece count (`len(tokenizer)` with --no_new_tokens).
 * Tensors are produced in the safetensors file order, each from its merged Megatron parameter;
 * a two-entry cache serves q/k/v and gate/up from one read of the fused tensor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { writeSafetensorsShards, torchToSafetensorsDType, type SafetensorsTensorSource } from '../formats/safetensors/index.js';
import { openMegatronSource, type Iteration, type MegatronSource } from './megatron-source.js';
import { hfNames, hfShape, megatronKeyOfHf, type MegatronKey } from './names.js';
import { splitGlu, splitQkv } from './qkv.js';
import { castTensor, resizeRows, type DType, type Tensor } from './tensor.js';
import { withAtomicDir } from './atomic-dir.js';
import { sentencePieceCount } from './tokenizer-shim.js';
import { soloConfigFromShape, readHfConfig, soloConfigFrom, hfConfigText, hfConfigShape } from './hf-config.js';
import { llamaTokenizerConfigText, specialTokensMapText, generationConfigText } from './hf-files.js';

export interface ToHfOptions {
  in: string;
  out: string;
  iteration?: number | 'release';
  /** tokenizer.model to use (default: the checkpoint directory's). */
  tokenizer?: string;
  /** Rows to keep (default: the tokenizer's piece count). */
  vocabSize?: number;
  /** Output dtype (default: the checkpoint's). */
  dtype?: DType;
  /** A config.json to take the non-shape fields from (megatron_to_hf's hard-coded config dir). */
  config?: string;
  /** Bytes per safetensors shard (default: one file, as megatron_to_hf). */
  maxShardSize?: number;
  force?: boolean;
  onProgress?: ProgressFn;
  warn?: (msg: string) => void;
}

export interface ToHfResult {
  out: string;
  iteration: Iteration;
  vocab: number;
  dtype: DType;
  files: string[];
  bytes: number;
}

/** Produces HF tensors from a Megatron source with a small cache of fused parameters. */
export function hfTensorReader(src: MegatronSource, vocab: number, dtype: DType): (name: string) => Promise<Tensor> {
  const cache: [MegatronKey, Promise<Tensor>][] = [];
  const split = new WeakMap<Tensor, Tensor[]>();
  const parts = (t: Tensor, f: (t: Tensor) => Tensor[]): Tensor[] => {
    let p = split.get(t);
    if (!p) split.set(t, (p = f(t)));
    return p;
  };
  const full = (k: MegatronKey): Promise<Tensor> => {
    const hit = cache.find(([kk]) => kk === k);
    if (hit) return hit[1];
    const p = src.read(k);
    cache.push([k, p]);
    if (cache.length > 2) cache.shift();
    return p;
  };
  return async (name) => {
    const k = megatronKeyOfHf(name);
    let t = await full(k);
    if (k === 'word_embeddings' || k === 'lm_head') t = resizeRows(t, vocab, 'zero');
    else if (name.endsWith('q_proj.weight') || name.endsWith('k_proj.weight') || name.endsWith('v_proj.weight')) {
      const [q, kk, v] = parts(t, (x) => splitQkv(src.shape, x)) as [Tensor, Tensor, Tensor];
      t = name.endsWith('q_proj.weight') ? q : name.endsWith('k_proj.weight') ? kk : v;
    } else if (name.endsWith('gate_proj.weight') || name.endsWith('up_proj.weight')) {
      const [g, u] = parts(t, splitGlu) as [Tensor, Tensor];
      t = name.endsWith('gate_proj.weight') ? g : u;
    }
    return castTensor(t, dtype);
  };
}

export async function modelToHf(o: ToHfOptions): Promise<ToHfResult> {
  const src = await openMegatronSource(o.in, { iteration: o.iteration });
  try {
    const s = src.shape;
    const tokPath = o.tokenizer ?? src.tokenizerPath;
    if (o.tokenizer && !existsSync(o.tokenizer)) throw new UsageError(`tokenizer ${o.tokenizer} not found`);
    const pieces = tokPath ? sentencePieceCount(readFileSync(tokPath)) : undefined;
    const vocab = o.vocabSize ?? pieces;
    if (vocab === undefined) throw new UsageError(`${o.in}: no tokenizer.model in the checkpoint directory; pass --tokenizer <tokenizer.model> or --vocab-size N`);
    if (vocab > src.storedVocabRows) o.warn?.(`the checkpoint stores ${src.storedVocabRows} vocabulary rows; rows ${src.storedVocabRows}…${vocab - 1} are zero-filled`);
    const dtype = o.dtype ?? src.dtype;
    const read = hfTensorReader(src, vocab, dtype);
    const sdt = torchToSafetensorsDType(dtype);
    const tensors: SafetensorsTensorSource[] = hfNames(s).map((name) => ({
      name, dtype: sdt, shape: hfShape(s, name, vocab), data: async () => (await read(name)).data,
    }));
    let config = soloConfigFromShape(s, vocab, dtype);
    if (o.config) {
      // like megatron_to_hf.py: the template must describe this checkpoint's architecture
      const dir = o.config.endsWith('.json') ? join(o.config, '..') : o.config;
      const tpl = readHfConfig(dir);
      const ts = hfConfigShape(tpl, o.config);
      for (const k of ['hidden', 'ffn', 'layers', 'heads', 'kvHeads'] as const) {
        if (ts[k] !== s[k]) throw new UsageError(`${o.config}: ${k} ${ts[k]} does not match the checkpoint's ${s[k]}`);
      }
      config = soloConfigFrom(tpl, vocab, dtype);
    }
    const r = await withAtomicDir(o.out, async (tmp) => {
      const w = await writeSafetensorsShards(tmp, tensors, { maxShardSize: o.maxShardSize ?? Number.MAX_SAFE_INTEGER, onProgress: o.onProgress });
      await writeFile(join(tmp, 'config.json'), hfConfigText(config));
      await writeFile(join(tmp, 'generation_config.json'), generationConfigText());
      if (tokPath) {
        await copyFile(tokPath, join(tmp, 'tokenizer.model'));
        await writeFile(join(tmp, 'tokenizer_config.json'), llamaTokenizerConfigText());
        await writeFile(join(tmp, 'special_tokens_map.json'), specialTokensMapText());
      }
      return w;
    }, { force: o.force });
    return { out: o.out, iteration: src.iteration, vocab, dtype, files: r.files, bytes: r.bytes };
  } finally {
    await src.close();
  }
}
