/**
 * The object a checkpoint_saver_megatron.py rank file holds (spec §4.6): `args`,
 * `checkpoint_version` 3.0, `iteration`, `model.language_model` with `embedding` (first stage),
 * `embed_vision_patch`, `encoder` (+ `final_layernorm.weight` on the last stage), `lm_head` (last
 * stage), OrderedDicts carrying the module-tree `_metadata` as Megatron's state_dict() does.
 */
import { orderedDict, pyDict, pyFloat, type PyNamespace, type PyValue, type TensorSource } from '../formats/torch/index.js';
import { SHARDED_LAYER_ORDER, SHARDED_SUFFIX, layerKey, type MegatronKey } from './names.js';

const V1 = () => pyDict([['version', 1]]);

function meta(prefixes: string[]): PyValue {
  return orderedDict(prefixes.map((p) => [p, V1()] as [string, PyValue]));
}

const LAYER_META = [
  '', '.input_layernorm', '.output_layernorm', '.self_attention', '.self_attention.query_key_value',
  '.self_attention.core_attention', '.self_attention.core_attention.scale_mask_softmax',
  '.self_attention.core_attention.attention_dropout', '.self_attention.dense', '.post_attention_layernorm',
  '.mlp', '.mlp.dense_h_to_4h', '.mlp.activation_func', '.mlp.dense_4h_to_h',
];

export interface RankFileSpec {
  args: PyNamespace;
  iteration: 'release' | number;
  first: boolean;
  last: boolean;
  /** Global index of this stage's first layer and layers per stage. */
  layerStart: number;
  layersPerStage: number;
  /** Tensor for a logical key (already this rank's slice). */
  tensor: (key: MegatronKey) => TensorSource;
}

export function rankFileObject(r: RankFileSpec): PyValue {
  const lm = pyDict();
  if (r.first) lm.set('embedding', pyDict([['word_embeddings', orderedDict([['weight', r.tensor('word_embeddings')]], meta(['']))]]));
  lm.set('embed_vision_patch', orderedDict([['weight', r.tensor('embed_vision_patch')]], meta([''])));
  const enc = orderedDict();
  const prefixes = ['', 'layers'];
  for (let j = 0; j < r.layersPerStage; j++) {
    for (const p of SHARDED_LAYER_ORDER) enc.set(`layers.${j}.${SHARDED_SUFFIX[p]}`, r.tensor(layerKey(r.layerStart + j, p)));
    for (const m of LAYER_META) prefixes.push(`layers.${j}${m}`);
  }
  if (r.last) {
    enc.set('final_layernorm.weight', r.tensor('final_layernorm'));
    prefixes.push('final_layernorm');
  }
  enc.metadata = meta(prefixes);
  lm.set('encoder', enc);
  if (r.last) lm.set('lm_head', r.tensor('lm_head'));
  return pyDict([
    ['args', r.args],
    ['checkpoint_version', pyFloat(3.0)],
    ['iteration', r.iteration],
    ['model', pyDict([['language_model', lm]])],
  ]);
}
