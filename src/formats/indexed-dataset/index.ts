// Public API of src/formats/indexed-dataset: Megatron MMIDIDX reader and writer.
export * from './dtypes.js';
export * from './writer.js';
export * from './reader.js';
