// Public API of src/train: run config, mixture planning, launch rendering, runs and logs.
export * from './numlit.js';
export * from './config.js';
export * from './presets.js';
export * from './load-config.js';
export * from './derive.js';
export * from './render.js';
export * from './validate.js';
export * from './launchers.js';
export * from './train-run.js';
export { readPackStats as readPrefixPackStats, prefixDataFiles as megatronPrefixFiles, type PackStats as PrefixPackStats } from './prefix-stats.js';
export { checkpointFacts, readCheckpointArgs, type CheckpointFacts } from './checkpoint-facts.js';
export { tokenizerFacts, sentencePieceCount } from './tokenizer-facts.js';
export * from './plan-mixture.js';
export * from './write-mixture.js';
export * from './parse-log.js';
export * from './plot-log.js';
export * from './runs.js';
export * from './next-stage.js';
