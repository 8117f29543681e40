// Byte formats only; nothing here imports from a pipeline folder.
export * from './fp16.js';
export * from './jsonl/index.js';
export * from './indexed-dataset/index.js';
export * from './safetensors/index.js';
export * from './torch/index.js';
export * from './sentencepiece/index.js';
