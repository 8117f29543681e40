/**
 * solo's public API: every command's function and its option types.
 * Each pipeline folder has an index.ts barrel; this file re-exports them.
 */
export * from './errors.js';
export * from './progress.js';
export * from './formats/index.js';
export * from './chat/index.js';
export * from './tokenizer/index.js';
export * from './image/index.js';
export * from './prepare/index.js';
export * from './model/index.js';
export * from './ingest/index.js';
export * from './train/index.js';
export * from './slurm/index.js';
export * from './inspect/index.js';
export * from './demo/index.js';
