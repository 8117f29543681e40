// Public API of src/prepare: chat JSONL → Megatron multimodal dataset (spec/megatron-dataset.md).
export { prepareDataset, resolvePrepareCompat, normalizePrefix, PREPARE_COMPAT_SWITCHES, type PrepareDatasetOptions, type PrepareDatasetResult, type PrepareCompatSwitch } from './prepare-dataset.js';
export { prepareShards, shardName, shardPrefix, type PrepareShardsOptions, type PrepareShardsResult } from './prepare-shards.js';
export { Packer, docToItem, type PackerOptions, type PackCounters } from './pack.js';
export { PrepareOutput, prepareOutputPaths, isPrefixDone, itemStatsLine } from './output.js';
export { createDocEncoder, resolvePrepareTokenIds, type PrepareTokenizer, type PatchDecoder, type EncoderOptions, type DocEncoder } from './encode.js';
export { loadPrepareTokenizer, type EncoderSetup } from './setup.js';
export { formatPyFloat, formatPyNum, pyJsonObject, type PyNum } from './pynum.js';
export { pythonBase64Decode as preparePythonBase64Decode } from './pyjson.js';
export { prepareStatsEntries } from './stats.js';
export { PATCH_ELEMENTS, PREPARE_ROLES, type EncodedDoc, type DocError, type DocResult, type PackItem } from './types.js';
