/**
 * Public API of src/formats/safetensors: bounds-checked pread reader (single file or sharded
 * index) and a streaming writer byte-identical to Python safetensors' serialization.
 */
export * from './dtypes.js';
export { openSafetensors, type SafetensorsFile, type SafetensorsTensorInfo } from './read.js';
export { openSafetensorsModel, hasSafetensors, SAFETENSORS_INDEX, type SafetensorsModel } from './read-dir.js';
export {
  writeSafetensors,
  writeSafetensorsShards,
  safetensorsOrder,
  safetensorsHeader,
  type SafetensorsTensorSource,
  type WriteSafetensorsOptions,
  type WriteSafetensorsResult,
  type WriteShardsOptions,
  type WriteShardsResult,
} from './write.js';
