/**
 * HF config.json ⇄ ModelShape, and the SOLO config as create_solo.py / megatron_to_hf.py write
 * it (`SoloForCausalLM`, `vision_patch_size`, `vocab_size` from the tokenizer), serialised the way
 * transformers does (`json.dumps(indent=2, sort_keys=True) + "\n"`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoloError } from '../errors.js';
import { parsePyJson, pyJsonDumps, PyNum, num, type PyJson } from './pyjson.js';
import { checkShape, type ModelShape } from './shape.js';
import type { DType } from './tensor.js';

export type HfConfig = { [k: string]: PyJson };

export function readHfConfig(dir: string): HfConfig {
  const p = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch (e) {
    throw new SoloError(`cannot read ${p}: ${(e as Error).message}`);
  }
  const v = parsePyJson(text, p);
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof PyNum) throw new SoloError(`${p}: not a JSON object`);
  return v;
}

function intField(c: HfConfig, k: string, where: string, dflt?: number): number {
  const v = c[k];
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new SoloError(`${where}: config.json has no ${k}`);
  }
  if (!(v instanceof PyNum) || !Number.isSafeInteger(v.value)) throw new SoloError(`${where}: config.json ${k} must be an integer`);
  return v.value;
}

function floatText(c: HfConfig, k: string, dflt: string): string {
  const v = c[k];
  return v instanceof PyNum ? v.text : dflt;
}

export function hfConfigShape(c: HfConfig, where: string): ModelShape {
  const hidden = intField(c, 'hidden_size', where);
  const heads = intField(c, 'num_attention_heads', where);
  const p = intField(c, 'vision_patch_size', where, 32);
  return checkShape(
    {
      hidden,
      ffn: intField(c, 'intermediate_size', where),
      layers: intField(c, 'num_hidden_layers', where),
      heads,
      kvHeads: intField(c, 'num_key_value_heads', where, heads),
      headDim: hidden / heads,
      patchDim: 3 * p * p,
      visionPatchSize: p,
      maxPositions: intField(c, 'max_position_embeddings', where, 32768),
      slidingWindow: intField(c, 'sliding_window', where, 4096),
      rmsEps: floatText(c, 'rms_norm_eps', '1e-05'),
      ropeTheta: floatText(c, 'rope_theta', '10000.0'),
    },
    where,
  );
}

export function hfConfigVocab(c: HfConfig, where: string): number {
  return intField(c, 'vocab_size', where);
}

/** The SOLO config derived from a Mistral (or SOLO) config: what create_solo.py saves. */
export function soloConfigFrom(base: HfConfig, vocab: number, torchDtype: string | undefined): HfConfig {
  const c: HfConfig = { ...base };
  c.architectures = ['SoloForCausalLM'];
  if (c.vision_patch_size === undefined) c.vision_patch_size = num(32);
  c.vocab_size = num(vocab);
  if (torchDtype !== undefined) c.torch_dtype = torchDtype;
  delete c._name_or_path;
  return c;
}

/** Transformers version written when none can be taken from an input config (the reference's, 4.38.2). */
export const REFERENCE_TRANSFORMERS_VERSION = '4.38.2';

/** A SOLO config built from a shape alone (megatron_to_hf, without a template config). */
export function soloConfigFromShape(s: ModelShape, vocab: number, dtype: DType, transformersVersion = REFERENCE_TRANSFORMERS_VERSION): HfConfig {
  return {
    architectures: ['SoloForCausalLM'],
    attention_dropout: num('0.0'),
    bos_token_id: num(1),
    eos_token_id: num(2),
    hidden_act: 'silu',
    hidden_size: num(s.hidden),
    initializer_range: num('0.02'),
    intermediate_size: num(s.ffn),
    max_position_embeddings: num(s.maxPositions),
    model_type: 'mistral',
    num_attention_heads: num(s.heads),
    num_hidden_layers: num(s.layers),
    num_key_value_heads: num(s.kvHeads),
    rms_norm_eps: num(s.rmsEps),
    rope_theta: num(s.ropeTheta),
    sliding_window: num(s.slidingWindow),
    tie_word_embeddings: false,
    torch_dtype: dtype,
    transformers_version: transformersVersion,
    use_cache: true,
    vision_patch_size: num(s.visionPatchSize),
    vocab_size: num(vocab),
  };
}

export function hfConfigText(c: HfConfig): string {
  return pyJsonDumps(c) + '\n';
}

export function hfTorchDtype(c: HfConfig): string | undefined {
  const v = c.torch_dtype;
  return typeof v === 'string' ? v : undefined;
}
