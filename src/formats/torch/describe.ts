/** JSON description of a torch file in the format of the fixtures' describe/*.json (describe_ckpt.py). */
import type { PyValue } from './types.js';
import { SoloError } from '../../errors.js';

export interface DescribeTorchOptions {
  /** Value of the `file` field (the fixtures use the path relative to the fixture root). Default: the path. */
  file?: string;
}

/** `{file, size, sha256, format: 'torch-zip', zip: {prefix, entries}, object, tensors}`. */
export type TorchFileDescription = Record<string, unknown>;

export async function describeTorchFile(path: string, opts: DescribeTorchOptions = {}): Promise<TorchFileDescription> {
  void opts;
  throw new SoloError(`describeTorchFile(${path}): not implemented yet`);
}

/** The `object` part of a description: `{t: 'dict', items: [[k, v]…]}`, `{t: 'float', v: '1e-05'}`… */
export function describeTorchValue(value: PyValue): unknown {
  void value;
  throw new SoloError('describeTorchValue: not implemented yet');
}
