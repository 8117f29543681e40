/**
 * Writes a `torch.save`-compatible file in torch 1.13's layout (spec §7.1, §7.6): `<prefix>/data.pkl`
 * (protocol-2 pickle), `<prefix>/data/<key>` storages in key order sorted as strings, then
 * `<prefix>/version` = "3\n". Tensors are fetched one at a time, when their record is written,
 * so memory holds one tensor at most. Atomic: written under a temporary name, then renamed.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SoloError } from '../../errors.js';
import type { ProgressFn } from '../../progress.js';
import { TorchPickler } from './pickle-write.js';
import type { PyValue } from './types.js';
import { TorchZipWriter } from './zip-write.js';

export interface SaveTorchOptions {
  /** Archive name prefix; default: file name without directory and last extension (as torch). */
  prefix?: string;
  /** Overrides the storage location tag of every tensor (default: 'cpu' for TensorSource, the original for TensorRef). */
  location?: string;
  /** Called after each storage record: stage 'tensor', done/total records, bytes/totalBytes. */
  onProgress?: ProgressFn;
  /** Tests only: use zip64 fields from this size/offset on (torch: 0xFFFFFFFF). */
  zip64Threshold?: number;
}

export interface SaveTorchResult {
  /** Total file size in bytes. */
  bytes: number;
  /** Number of storage records written. */
  storages: number;
}

/** torch's archive name for a path: `model_optim_rng.pt` → `model_optim_rng`. */
export function torchArchivePrefix(path: string): string {
  const b = basename(path);
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(0, dot) : b;
}

export async function saveTorchFile(path: string, root: PyValue, opts: SaveTorchOptions = {}): Promise<SaveTorchResult> {
  const prefix = opts.prefix ?? torchArchivePrefix(path);
  if (!prefix || prefix.includes('/')) throw new SoloError(`bad torch archive prefix '${prefix}'`);
  const pickler = new TorchPickler({ location: opts.location });
  const pkl = pickler.dump(root);
  const storages = [...pickler.storages].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const totalBytes = storages.reduce((s, x) => s + x.nbytes, 0);

  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  const fh = await open(tmp, 'w');
  let ok = false;
  try {
    const zip = new TorchZipWriter(fh, { zip64Threshold: opts.zip64Threshold });
    await zip.addBuffer(`${prefix}/data.pkl`, pkl);
    let done = 0;
    let bytes = 0;
    for (const s of storages) {
      await zip.addRecord(`${prefix}/data/${s.key}`, s.nbytes, s.produce).catch((e: unknown) => {
        if (e instanceof SoloError) throw e;
        throw new SoloError(`writing tensor ${s.label} to ${path}: ${(e as Error).message}`, { cause: e });
      });
      done++;
      bytes += s.nbytes;
      opts.onProgress?.({ stage: 'tensor', done, total: storages.length, bytes, totalBytes, unit: 'tensors', detail: s.label });
    }
    await zip.addBuffer(`${prefix}/version`, Buffer.from('3\n'));
    const size = await zip.finish();
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    ok = true;
    return { bytes: size, storages: storages.length };
  } finally {
    if (!ok) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }
}
