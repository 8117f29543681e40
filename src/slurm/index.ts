// Public API of src/slurm: shard arrays on Slurm (manifest, sbatch rendering, submit, status, retry).
export * from './manifest.js';
export * from './render-array.js';
export * from './submit.js';
export * from './status.js';
export * from './jobs.js';
export * from './prepare-array.js';
export * from './ingest-array.js';
