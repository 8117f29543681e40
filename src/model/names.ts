/**
 * The HF ⇄ Megatron parameter map (spec §3.2, §4.6, §5.2). Megatron parameters are handled under a
 * layout-free *logical* key (`word_embeddings`, `layers.3.qkv`…) holding the full, TP-merged tensor
 * in Megatron layout; each file format (release, sharded) names them its own way.
 */
import type { ModelShape } from './shape.js';

export type LayerParam = 'input_layernorm' | 'qkv' | 'dense' | 'post_attention_layernorm' | 'h_to_4h' | '4h_to_h';

/** Logical keys: 'word_embeddings' | 'lm_head' | 'embed_vision_patch' | 'final_layernorm' | `layers.${i}.${LayerParam}`. */
export type MegatronKey = string;

/** Layer params in the order the saver writes them into `encoder` (sharded files). */
export const SHARDED_LAYER_ORDER: readonly LayerParam[] = ['input_layernorm', 'qkv', 'dense', 'post_attention_layernorm', 'h_to_4h', '4h_to_h'];

/** Layer params in the order hf_to_megatron writes them into `transformer` (release files). */
export const RELEASE_LAYER_ORDER: readonly LayerParam[] = ['dense', 'post_attention_layernorm', 'input_layernorm', '4h_to_h', 'h_to_4h', 'qkv'];

/** Encoder key suffix in sharded files (`self_attention`). */
export const SHARDED_SUFFIX: Readonly<Record<LayerParam, string>> = {
  input_layernorm: 'input_layernorm.weight',
  qkv: 'self_attention.query_key_value.weight',
  dense: 'self_attention.dense.weight',
  post_attention_layernorm: 'post_attention_layernorm.weight',
  h_to_4h: 'mlp.dense_h_to_4h.weight',
  '4h_to_h': 'mlp.dense_4h_to_h.weight',
};

/** Transformer key suffix in release files (`attention`). */
export const RELEASE_SUFFIX: Readonly<Record<LayerParam, string>> = {
  ...SHARDED_SUFFIX,
  qkv: 'attention.query_key_value.weight',
  dense: 'attention.dense.weight',
};

/** How a parameter is split across TP ranks. */
export type TpSplit = 'rows' | 'cols' | 'glu' | 'replicated';

export function tpSplitOf(key: MegatronKey): TpSplit {
  if (key === 'word_embeddings' || key === 'lm_head' || key === 'embed_vision_patch') return 'rows';
  if (key === 'final_layernorm') return 'replicated';
  const p = key.slice(key.lastIndexOf('.') + 1) as LayerParam;
  switch (p) {
    case 'qkv': return 'rows';
    case 'dense': case '4h_to_h': return 'cols';
    case 'h_to_4h': return 'glu';
    default: return 'replicated';
  }
}

export function layerKey(i: number, p: LayerParam): MegatronKey {
  return `layers.${i}.${p}`;
}

export function parseLayerKey(key: MegatronKey): { layer: number; param: LayerParam } | undefined {
  const m = /^layers\.(\d+)\.(.+)$/.exec(key);
  return m ? { layer: Number(m[1]), param: m[2] as LayerParam } : undefined;
}

/** Every HF tensor name of a SOLO model, in state-dict (= HF sharding) order (spec §2.7). */
export function hfNames(s: ModelShape): string[] {
  const out = ['model.embed_tokens.weight'];
  for (let i = 0; i < s.layers; i++) {
    const p = `model.layers.${i}.`;
    out.push(
      `${p}self_attn.q_proj.weight`, `${p}self_attn.k_proj.weight`, `${p}self_attn.v_proj.weight`, `${p}self_attn.o_proj.weight`,
      `${p}mlp.gate_proj.weight`, `${p}mlp.up_proj.weight`, `${p}mlp.down_proj.weight`,
      `${p}input_layernorm.weight`, `${p}post_attention_layernorm.weight`,
    );
  }
  out.push('model.norm.weight', 'model.embed_vision_patch.weight', 'lm_head.weight');
  return out;
}

/** HF tensor shape for a SOLO model with `vocab` rows. */
export function hfShape(s: ModelShape, name: string, vocab: number): number[] {
  if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') return [vocab, s.hidden];
  if (name === 'model.embed_vision_patch.weight') return [s.hidden, s.patchDim];
  if (name === 'model.norm.weight' || name.endsWith('layernorm.weight')) return [s.hidden];
  if (name.endsWith('q_proj.weight') || name.endsWith('o_proj.weight')) return [s.hidden, s.hidden];
  if (name.endsWith('k_proj.weight') || name.endsWith('v_proj.weight')) return [s.kvHeads * s.headDim, s.hidden];
  if (name.endsWith('gate_proj.weight') || name.endsWith('up_proj.weight')) return [s.ffn, s.hidden];
  if (name.endsWith('down_proj.weight')) return [s.hidden, s.ffn];
  throw new Error(`unknown HF tensor ${name}`);
}

/** The Megatron logical key an HF tensor comes from (q/k/v → qkv, gate/up → h_to_4h). */
export function megatronKeyOfHf(name: string): MegatronKey {
  if (name === 'model.embed_tokens.weight') return 'word_embeddings';
  if (name === 'lm_head.weight') return 'lm_head';
  if (name === 'model.embed_vision_patch.weight') return 'embed_vision_patch';
  if (name === 'model.norm.weight') return 'final_layernorm';
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(name);
  if (!m) throw new Error(`unknown HF tensor ${name}`);
  const i = Number(m[1]);
  const rest = m[2]!;
  const p: LayerParam | undefined = ({
    'self_attn.q_proj.weight': 'qkv', 'self_attn.k_proj.weight': 'qkv', 'self_attn.v_proj.weight': 'qkv',
    'self_attn.o_proj.weight': 'dense', 'mlp.gate_proj.weight': 'h_to_4h', 'mlp.up_proj.weight': 'h_to_4h',
    'mlp.down_proj.weight': '4h_to_h', 'input_layernorm.weight': 'input_layernorm', 'post_attention_layernorm.weight': 'post_attention_layernorm',
  } as Record<string, LayerParam>)[rest];
  if (!p) throw new Error(`unknown HF tensor ${name}`);
  return layerKey(i, p);
}

/** Megatron full-tensor shape (vocab rows = `vocab`). */
export function megatronShape(s: ModelShape, key: MegatronKey, vocab: number): number[] {
  if (key === 'word_embeddings' || key === 'lm_head') return [vocab, s.hidden];
  if (key === 'embed_vision_patch') return [s.hidden, s.patchDim];
  if (key === 'final_layernorm') return [s.hidden];
  const p = parseLayerKey(key)!.param;
  switch (p) {
    case 'qkv': return [(s.heads + 2 * s.kvHeads) * s.headDim, s.hidden];
    case 'dense': return [s.hidden, s.hidden];
    case 'h_to_4h': return [2 * s.ffn, s.hidden];
    case '4h_to_h': return [s.hidden, s.ffn];
    default: return [s.hidden];
  }
}

/** Every logical key, in a stable order (embedding, layers, final norm, lm_head, vision). */
export function megatronKeys(s: ModelShape): MegatronKey[] {
  const out: MegatronKey[] = ['word_embeddings'];
  for (let i = 0; i < s.layers; i++) for (const p of SHARDED_LAYER_ORDER) out.push(layerKey(i, p));
  out.push('final_layernorm', 'lm_head', 'embed_vision_patch');
  return out;
}
