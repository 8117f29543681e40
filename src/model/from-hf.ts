/**
 * Megatron parameters computed from an HF SOLO model, one logical key at a time (spec §3.2–3.3):
 * q/k/v fused and rotary-permuted, [up ; gate] fused, vocabulary rows kept/resized.
 */
import { SoloError } from '../errors.js';
import type { HfSource } from './hf-source.js';
import { fuseGlu, fuseQkv } from './qkv.js';
import { parseLayerKey, type MegatronKey } from './names.js';
import { resizeRows, type Tensor } from './tensor.js';

const LAYER_HF: Record<string, string> = {
  input_layernorm: 'input_layernorm.weight',
  post_attention_layernorm: 'post_attention_layernorm.weight',
  dense: 'self_attn.o_proj.weight',
  '4h_to_h': 'mlp.down_proj.weight',
};

/** Full Megatron tensor `key` from HF weights; vocab tensors get exactly `vocab` rows (zero rows if more than stored). */
export async function megatronFromHf(src: HfSource, key: MegatronKey, vocab: number): Promise<Tensor> {
  if (key === 'word_embeddings' || key === 'lm_head') {
    const t = await src.read(key === 'lm_head' ? 'lm_head.weight' : 'model.embed_tokens.weight');
    return resizeRows(t, vocab, 'zero');
  }
  if (key === 'embed_vision_patch') {
    if (!src.has('model.embed_vision_patch.weight')) throw new SoloError(`${src.dir}: no model.embed_vision_patch.weight: not a SOLO model (run 'solo model create' first)`);
    return src.read('model.embed_vision_patch.weight');
  }
  if (key === 'final_layernorm') return src.read('model.norm.weight');
  const lk = parseLayerKey(key);
  if (!lk) throw new SoloError(`unknown parameter ${key}`);
  const p = `model.layers.${lk.layer}.`;
  if (lk.param === 'qkv') {
    const [q, k, v] = [await src.read(`${p}self_attn.q_proj.weight`), await src.read(`${p}self_attn.k_proj.weight`), await src.read(`${p}self_attn.v_proj.weight`)];
    return fuseQkv(src.shape, q, k, v);
  }
  if (lk.param === 'h_to_4h') return fuseGlu(await src.read(`${p}mlp.gate_proj.weight`), await src.read(`${p}mlp.up_proj.weight`));
  return src.read(p + LAYER_HF[lk.param]!);
}
