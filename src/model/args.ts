/**
 * The `args` Namespaces of Megatron checkpoints: the 24-field release Namespace hf_to_megatron.py
 * writes (spec §3.4) and the 223-field saver Namespace of checkpoint_util.py (Appendix A), with
 * the model dimensions, layout, vocabulary and save path filled in from the inputs.
 */
import { PyNamespace, PyTorchDType, pyFloat, type PyValue } from '../formats/torch/index.js';
import { SAVER_ARGS_TEMPLATE } from './saver-args-template.js';
import type { ModelShape } from './shape.js';
import type { DType } from './tensor.js';

/** Vp: the smallest multiple of `divisibleBy · tp` that is ≥ vocab (Megatron's padding rule). */
export function paddedVocab(vocab: number, tp = 1, divisibleBy = 128): number {
  const m = divisibleBy * tp;
  return Math.ceil(vocab / m) * m;
}

/** hf_to_megatron's release args, in its insertion order and Python types. */
export function releaseArgs(s: ModelShape, paddedVocabSize: number): PyNamespace {
  return new PyNamespace([
    ['num_layers', s.layers],
    ['hidden_size', s.hidden],
    ['num_attention_heads', s.heads],
    ['num_attention_heads_kv', s.kvHeads],
    ['ffn_hidden_size', s.ffn],
    ['parallel_attn', false],
    ['make_vocab_size_divisible_by', 128],
    ['glu_activation', 'swiglu'],
    ['padded_vocab_size', paddedVocabSize],
    ['use_rms_norm', true],
    ['tie_embed_logits', false],
    ['tokenizer_type', 'SentencePieceTokenizer'],
    ['max_position_embeddings', s.maxPositions],
    ['seq_length', s.maxPositions],
    ['layernorm_epsilon', pyFloat(Number(s.rmsEps))],
    ['rope_theta', pyFloat(Number(s.ropeTheta))],
    ['sliding_window_size', s.slidingWindow],
    ['vision_patch_size', s.visionPatchSize],
    ['tensor_model_parallel_size', 1],
    ['pipeline_model_parallel_size', 1],
    ['iteration', 'release'],
    ['bias_gelu_fusion', false],
    ['bias_droput_fusion', false],
    ['position_embedding_type', 'rotary'],
  ]);
}

export interface SaverArgsOptions {
  tp: number;
  pp: number;
  paddedVocabSize: number;
  /** `args.save`: the output directory string as given. */
  save: string;
  dtype: DType;
  /** Source args: consumed_*_samples, seq_length, tokenizer_type… are carried over as the loader does. */
  source?: PyNamespace;
}

/** checkpoint_saver_megatron.py's args for one target layout. */
export function saverArgs(s: ModelShape, o: SaverArgsOptions): PyNamespace {
  const ns = new PyNamespace(SAVER_ARGS_TEMPLATE.map(([k, f]) => [k, f()] as [string, PyValue]));
  const src = o.source;
  const carry = (k: string) => {
    const v = src?.get(k);
    if (v !== undefined && v !== null) ns.set(k, v);
  };
  const seq = src?.get('seq_length');
  const set: Record<string, PyValue> = {
    num_layers: s.layers,
    encoder_num_layers: s.layers,
    hidden_size: s.hidden,
    ffn_hidden_size: s.ffn,
    num_attention_heads: s.heads,
    num_attention_heads_kv: s.kvHeads,
    kv_channels: s.headDim,
    max_position_embeddings: s.maxPositions,
    seq_length: typeof seq === 'number' ? seq : s.maxPositions,
    encoder_seq_length: typeof seq === 'number' ? seq : s.maxPositions,
    layernorm_epsilon: pyFloat(Number(s.rmsEps)),
    rope_theta: pyFloat(Number(s.ropeTheta)),
    sliding_window_size: s.slidingWindow,
    vision_patch_size: s.visionPatchSize,
    save: o.save,
    tensor_model_parallel_size: o.tp,
    pipeline_model_parallel_size: o.pp,
    world_size: o.tp * o.pp,
    transformer_pipeline_model_parallel_size: o.pp,
    data_parallel_size: 1,
    padded_vocab_size: o.paddedVocabSize,
    bf16: o.dtype === 'bfloat16',
    fp16: o.dtype === 'float16',
    params_dtype: new PyTorchDType(o.dtype === 'bfloat16' ? 'bfloat16' : o.dtype === 'float16' ? 'float16' : 'float32'),
  };
  for (const [k, v] of Object.entries(set)) ns.set(k, v);
  for (const k of ['consumed_train_samples', 'consumed_valid_samples', 'consumed_test_samples', 'tokenizer_type', 'train_iters']) carry(k);
  return ns;
}
