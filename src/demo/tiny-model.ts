/**
 * A tiny random Mistral-shaped Hugging Face checkpoint for the demo: Mistral-7B-v0.1's
 * config.json with small dimensions (a few layers, hidden 64, 4/2 heads, the real 32,000-row
 * vocabulary), bf16 weights drawn from a seeded normal (std = initializer_range, norms = 1) and
 * written with the safetensors writer, plus the tokenizer files transformers' slow LlamaTokenizer
 * saves. Deterministic for a seed. Hand-written because no Mistral checkpoint can be downloaded
 * offline and the real one is 14.5 GB.
 */
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { f32ToBf16Bits } from '../formats/fp16.js';
import { writeSafetensorsShards, type SafetensorsTensorSource } from '../formats/safetensors/index.js';
import { generationConfigText, llamaTokenizerConfigText, specialTokensMapText } from '../model/hf-files.js';
import { DemoRandom } from './random.js';

export interface TinyMistralOptions {
  /** Output directory (written under a temporary name, then renamed). */
  out: string;
  /** Base (not SOLO-extended) SentencePiece model copied as tokenizer.model. */
  tokenizer: string;
  layers?: number;
  hidden?: number;
  intermediate?: number;
  heads?: number;
  kvHeads?: number;
  /** Embedding rows; must equal the tokenizer's piece count (32000 for Mistral). */
  vocab?: number;
  seed?: number;
}

export interface TinyMistralResult {
  out: string;
  tensors: number;
  parameters: number;
  bytes: number;
  config: Record<string, unknown>;
}

/** Mistral-7B-v0.1's config.json, with the shape fields replaced. */
export function tinyMistralConfig(s: { layers: number; hidden: number; intermediate: number; heads: number; kvHeads: number; vocab: number }): Record<string, unknown> {
  return {
    architectures: ['MistralForCausalLM'],
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_act: 'silu',
    hidden_size: s.hidden,
    initializer_range: 0.02,
    intermediate_size: s.intermediate,
    max_position_embeddings: 32768,
    model_type: 'mistral',
    num_attention_heads: s.heads,
    num_hidden_layers: s.layers,
    num_key_value_heads: s.kvHeads,
    rms_norm_eps: 1e-5,
    rope_theta: 10000.0,
    sliding_window: 4096,
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
    transformers_version: '4.34.0.dev0',
    use_cache: true,
    vocab_size: s.vocab,
  };
}

/** Python json.dumps(indent=2) style; floats that are whole keep their `.0` (rope_theta). */
function configText(cfg: Record<string, unknown>): string {
  return JSON.stringify(cfg, null, 2).replace('"rope_theta": 10000', '"rope_theta": 10000.0').replace('"rms_norm_eps": 0.00001', '"rms_norm_eps": 1e-05') + '\n';
}

export async function writeTinyMistral(o: TinyMistralOptions): Promise<TinyMistralResult> {
  const layers = o.layers ?? 2;
  const H = o.hidden ?? 64;
  const F = o.intermediate ?? 224;
  const NH = o.heads ?? 4;
  const NKV = o.kvHeads ?? 2;
  const V = o.vocab ?? 32000;
  if (H % NH !== 0 || NH % NKV !== 0) throw new Error(`tiny model: hidden ${H} / heads ${NH} / kv heads ${NKV} do not divide`);
  const kv = (H / NH) * NKV;
  const std = 0.02;
  const rng = new DemoRandom(o.seed ?? 1234);

  const shapes: [string, number[], 'normal' | 'ones'][] = [['model.embed_tokens.weight', [V, H], 'normal']];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}.`;
    shapes.push(
      [`${p}self_attn.q_proj.weight`, [H, H], 'normal'],
      [`${p}self_attn.k_proj.weight`, [kv, H], 'normal'],
      [`${p}self_attn.v_proj.weight`, [kv, H], 'normal'],
      [`${p}self_attn.o_proj.weight`, [H, H], 'normal'],
      [`${p}mlp.gate_proj.weight`, [F, H], 'normal'],
      [`${p}mlp.up_proj.weight`, [F, H], 'normal'],
      [`${p}mlp.down_proj.weight`, [H, F], 'normal'],
      [`${p}input_layernorm.weight`, [H], 'ones'],
      [`${p}post_attention_layernorm.weight`, [H], 'ones'],
    );
  }
  shapes.push(['model.norm.weight', [H], 'ones'], ['lm_head.weight', [V, H], 'normal']);

  // Values are drawn eagerly in model order so the bytes do not depend on the writer's order.
  const one = f32ToBf16Bits(1);
  let parameters = 0;
  const tensors: SafetensorsTensorSource[] = shapes.map(([name, shape, init]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    parameters += n;
    const u = new Uint16Array(n);
    if (init === 'ones') u.fill(one);
    else for (let i = 0; i < n; i++) u[i] = f32ToBf16Bits(rng.normal() * std);
    return { name, dtype: 'BF16', shape, data: () => new Uint8Array(u.buffer, u.byteOffset, u.byteLength) };
  });

  const tmp = join(dirname(o.out), `.${basename(o.out)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const w = await writeSafetensorsShards(tmp, tensors);
  const config = tinyMistralConfig({ layers, hidden: H, intermediate: F, heads: NH, kvHeads: NKV, vocab: V });
  await writeFile(join(tmp, 'config.json'), configText(config));
  await writeFile(join(tmp, 'generation_config.json'), generationConfigText());
  await writeFile(join(tmp, 'tokenizer_config.json'), llamaTokenizerConfigText());
  await writeFile(join(tmp, 'special_tokens_map.json'), specialTokensMapText());
  await copyFile(o.tokenizer, join(tmp, 'tokenizer.model'));
  await rm(o.out, { recursive: true, force: true });
  await rename(tmp, o.out);
  return { out: o.out, tensors: tensors.length, parameters, bytes: w.bytes, config };
}

