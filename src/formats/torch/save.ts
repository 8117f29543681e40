/** Writes a `torch.save`-compatible file (torch 1.13 layout), streaming tensors one at a time. */
import type { PyValue } from './types.js';
import type { ProgressFn } from '../../progress.js';
import { SoloError } from '../../errors.js';

export interface SaveTorchOptions {
  /** Archive name prefix; default: file name without directory and last extension (as torch). */
  prefix?: string;
  /** Called after each storage record with stage 'tensor', done/total records and bytes. */
  onProgress?: ProgressFn;
}

export interface SaveTorchResult {
  /** Total file size in bytes. */
  bytes: number;
  /** Number of storage records written. */
  storages: number;
}

export async function saveTorchFile(path: string, root: PyValue, opts: SaveTorchOptions = {}): Promise<SaveTorchResult> {
  void root;
  void opts;
  throw new SoloError(`saveTorchFile(${path}): not implemented yet`);
}
