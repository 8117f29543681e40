/** Opens a `torch.save` file: zip central directory by pread, restricted unpickle, lazy tensors. */
import type { TorchFile } from './types.js';
import { SoloError } from '../../errors.js';

export interface LoadTorchOptions {
  /** Verify the CRC-32 of data.pkl (always) and of every storage when it is read (default true). */
  verifyCrc?: boolean;
}

export async function loadTorchFile(path: string, opts: LoadTorchOptions = {}): Promise<TorchFile> {
  void opts;
  throw new SoloError(`loadTorchFile(${path}): not implemented yet`);
}
