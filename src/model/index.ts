/**
 * Public API of src/model: SOLO model surgery and HF ⇄ Megatron conversion (spec model-conversion).
 * Commands: modelCreate, modelToMegatron, modelShard, modelToHf, modelVerify, modelInfo.
 */
export { modelToMegatron, type ToMegatronOptions, type ToMegatronResult } from './to-megatron.js';
export { openHfSource, type HfSource, type HfTensorInfo } from './hf-source.js';
export { openMegatronSource, readTracker as readMegatronTracker, type MegatronSource, type Iteration as MegatronIteration } from './megatron-source.js';
export { paddedVocab as megatronPaddedVocab, releaseArgs as megatronReleaseArgs, saverArgs as megatronSaverArgs } from './args.js';
export { fuseQkv, splitQkv, fuseGlu, splitGlu, qkvSource } from './qkv.js';
export type { ModelShape as SoloModelShape } from './shape.js';
export { modelShard, deriveTrueVocab, type ShardOptions, type ShardResult } from './shard.js';
export { MODEL_COMPAT, type ModelCompat } from './compat.js';
export { modelToHf, type ToHfOptions, type ToHfResult } from './to-hf.js';
export { modelCreate, type CreateOptions, type CreateResult } from './create.js';
export { NormalRng, normalFloat32 } from './rng.js';
export { modelVerify, type VerifyOptions, type VerifyResult, type TensorDiff } from './verify.js';
export { modelInfo, formatModelInfo, type ModelInfo, type ModelInfoTensor } from './info.js';
export { openAnySource, type AnySource } from './any-source.js';
