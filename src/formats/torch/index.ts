/**
 * Public API of src/formats/torch: `torch.save` files (zip container + restricted pickle).
 *
 * Reading:  `const f = await loadTorchFile(path)` → `f.root` (PyValue tree, tensors are lazy
 *           `TensorRef`s: `await t.read()` gives row-major LE bytes), `f.tensors()`, `await f.close()`.
 * Writing:  `await saveTorchFile(path, root, { onProgress })`: root is a PyValue tree whose tensors
 *           are `TensorSource`s (data given as bytes or a lazy function) or `TensorRef`s read from
 *           another file (copied, storage sharing kept). Atomic (temp name + rename); tensors are
 *           fetched and written one at a time.
 * Describe: `await describeTorchFile(path, { file })` → the JSON of the golden `describe/*.json`.
 * Value model: see ./types.ts.
 */
export * from './types.js';
export { loadTorchFile, type LoadTorchOptions } from './load.js';
export { saveTorchFile, torchArchivePrefix, type SaveTorchOptions, type SaveTorchResult } from './save.js';
export { TorchZipWriter } from './zip-write.js';
export { TorchPickler, type PendingStorage } from './pickle-write.js';
export { describeTorchFile, describeTorchValue, type TorchFileDescription, type TorchTensorDescription, type DescribeTorchOptions } from './describe.js';
