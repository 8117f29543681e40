/**
 * `solo model create`: Mistral HF directory → SOLO HF directory (what scripts/model/create_solo.py
 * writes, spec §2): the tokenizer extended with the SOLO pieces (tokenizer module), config.json as
 * transformers writes it (`SoloForCausalLM`, `vision_patch_size`, `vocab_size` = pieces),
 * embed_tokens and lm_head resized to the new vocabulary, and the new `embed_vision_patch`.
 *
 * New values (documented initialisation, spec §2.5): every added embedding / lm_head row and every
 * embed_vision_patch element is N(0, initializer_range = 0.02), drawn in float32 from solo's seeded
 * generator (rng.ts, `--seed`, default 0) and then cast to the output dtype. Copied rows and all
 * other tensors are the input's, cast to the output dtype (default: the input's own, so nothing is
 * rounded; `dtype: 'float32'` reproduces the reference's fp32 files exactly).
 * Weights are streamed tensor by tensor into safetensors (sharded at 5 GB like transformers 4.38).
 * Given a SOLO directory and `chatTokens`, only `<|im_start|>`, `<|im_end|>` are added (what
 * add_chat_tokens_solo.py does): the two new rows are drawn the same way, everything else is kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { writeSafetensorsShards, torchToSafetensorsDType, type SafetensorsTensorSource } from '../formats/safetensors/index.js';
import { openHfSource, checkHfTensors } from './hf-source.js';
import { hfNames, hfShape } from './names.js';
import { castTensor, fromFloat64, resizeRows, ITEMSIZE, type DType, type Tensor } from './tensor.js';
import { normalFloat32 } from './rng.js';
import { withAtomicDir } from './atomic-dir.js';
import { extendSoloModelBytes, sentencePieceCount } from './tokenizer-shim.js';
import { soloConfigFrom, hfConfigText, hfTorchDtype } from './hf-config.js';
import { PyNum } from './pyjson.js';
import { parseModelCompat } from './compat.js';
import { llamaTokenizerConfigText, specialTokensMapText, generationConfigText } from './hf-files.js';

export interface CreateOptions {
  from: string;
  out: string;
  /** Also add `<|im_start|>`, `<|im_end|>` (33031 tokens for Mistral instead of 33029). */
  chatTokens?: boolean;
  /** Seed of the new rows / vision projection (default 0). */
  seed?: number;
  /** Output dtype (default: the input's). */
  dtype?: DType;
  /** Bytes per safetensors shard (default 5e9, transformers' "5GB"). */
  maxShardSize?: number;
  compat?: string[];
  force?: boolean;
  onProgress?: ProgressFn;
  warn?: (msg: string) => void;
}

export interface CreateResult {
  out: string;
  vocab: number;
  baseVocab: number;
  dtype: DType;
  seed: number;
  files: string[];
  bytes: number;
}

export async function modelCreate(o: CreateOptions): Promise<CreateResult> {
  const compat = parseModelCompat(o.compat, 'create');
  const src = await openHfSource(o.from);
  try {
    const s = src.shape;
    // A SOLO model gets only the chat tokens (scripts/model/add_chat_tokens_solo.py); its vision projection is kept.
    const isSolo = src.has('model.embed_vision_patch.weight');
    if (isSolo && !o.chatTokens && !compat.has('create-chat-tokens')) throw new UsageError(`${o.from} already has model.embed_vision_patch.weight: it is a SOLO model (use --chat-tokens to add only <|im_start|> <|im_end|>)`);
    checkHfTensors(src, { vision: isSolo });
    const tokIn = join(o.from, 'tokenizer.model');
    if (!existsSync(tokIn)) throw new UsageError(`${o.from}: no tokenizer.model`);
    const chatTokens = !!o.chatTokens || compat.has('create-chat-tokens');
    const tokOut = Buffer.from(extendSoloModelBytes(readFileSync(tokIn), { chatTokens }));
    const vocab = sentencePieceCount(tokOut);
    const base = src.info('model.embed_tokens.weight').shape[0]!;
    const dtype = o.dtype ?? (compat.has('create-fp32') ? 'float32' : src.info('model.embed_tokens.weight').dtype);
    const seed = o.seed ?? 0;
    const std = (() => {
      const v = src.config.initializer_range;
      return v instanceof PyNum ? v.value : 0.02;
    })();
    const random = (name: string, shape: number[], n: number): Tensor => fromFloat64(normalFloat32(n, std, seed, name), dtype, shape);
    const produce = async (name: string): Promise<Tensor> => {
      if (name === 'model.embed_vision_patch.weight' && !isSolo) return random(name, [s.hidden, s.patchDim], s.hidden * s.patchDim);
      const t = castTensor(await src.read(name), dtype);
      if (name !== 'model.embed_tokens.weight' && name !== 'lm_head.weight') return t;
      const rows = t.shape[0]!;
      const out = resizeRows(t, vocab, 'zero');
      if (vocab > rows) {
        const add = random(name, [vocab - rows, s.hidden], (vocab - rows) * s.hidden);
        add.data.copy(out.data, rows * s.hidden * ITEMSIZE[dtype]);
      }
      return out;
    };
    const sdt = torchToSafetensorsDType(dtype);
    const tensors: SafetensorsTensorSource[] = hfNames(s).map((name) => ({
      name, dtype: sdt, shape: hfShape(s, name, vocab), data: async () => (await produce(name)).data,
    }));
    const inDtype = hfTorchDtype(src.config);
    const config = soloConfigFrom(src.config, vocab, compat.has('config-dtype') ? inDtype : dtype);
    const r = await withAtomicDir(o.out, async (tmp) => {
      const w = await writeSafetensorsShards(tmp, tensors, { maxShardSize: o.maxShardSize ?? 5e9, onProgress: o.onProgress });
      await writeFile(join(tmp, 'config.json'), hfConfigText(config));
      await writeFile(join(tmp, 'tokenizer.model'), tokOut);
      const carry: [string, () => string][] = [
        ['generation_config.json', () => generationConfigText()],
        ['tokenizer_config.json', llamaTokenizerConfigText],
        ['special_tokens_map.json', specialTokensMapText],
      ];
      for (const [f, dflt] of carry) {
        if (existsSync(join(o.from, f))) await copyFile(join(o.from, f), join(tmp, f));
        else await writeFile(join(tmp, f), dflt());
      }
      return w;
    }, { force: o.force });
    return { out: o.out, vocab, baseVocab: base, dtype, seed, files: r.files, bytes: r.bytes };
  } finally {
    await src.close();
  }
}
