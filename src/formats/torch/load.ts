/**
 * Opens a `torch.save` file: zip central directory by pread, the restricted unpickler over
 * `<prefix>/data.pkl`, and lazy tensors over the `<prefix>/data/<key>` records (spec §7).
 * Memory: data.pkl plus the directory; tensor bytes are read only by `TensorRef.read()`.
 */
import { open } from 'node:fs/promises';
import { SoloError } from '../../errors.js';
import { crc32 } from './crc32.js';
import { GlobalMarker, unpickle } from './pickle-read.js';
import { LazyTensor, Storage, type OpenFile } from './tensor.js';
import { preadExact, readZipEntries } from './zip-read.js';
import {
  TORCH_DTYPES,
  PyDict,
  PyNamespace,
  PySet,
  PyTuple,
  isTensorRef,
  type PyValue,
  type TensorRef,
  type TorchDType,
  type TorchFile,
  type TorchZipEntry,
} from './types.js';

export interface LoadTorchOptions {
  /** Check the CRC-32 of data.pkl and of each storage read as a whole (default true). */
  verifyCrc?: boolean;
  /**
   * Accept an archive whose storage records are absent (a `data.pkl`-only extract, e.g. to read a
   * checkpoint's `args`): the object tree loads, and reading such a tensor is an error.
   */
  allowMissingStorages?: boolean;
}

export async function loadTorchFile(path: string, opts: LoadTorchOptions = {}): Promise<TorchFile> {
  const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new SoloError(`cannot open ${path}: ${e.message}`);
  });
  try {
    const { size } = await fh.stat();
    const entries = await readZipEntries(fh, size, path);
    if (entries.length === 0) throw new SoloError(`${path}: empty zip archive`);
    const slash = entries[0].name.indexOf('/');
    if (slash <= 0) throw new SoloError(`${path}: first zip record ${entries[0].name} has no archive prefix`);
    const prefix = entries[0].name.slice(0, slash);
    const byName = new Map<string, TorchZipEntry>(entries.map((e) => [e.name, e]));
    if (byName.has(`${prefix}/constants.pkl`)) throw new SoloError(`${path}: a TorchScript archive (constants.pkl), not a torch.save file`);
    const readRecord = async (name: string, required: boolean): Promise<Buffer | undefined> => {
      const e = byName.get(`${prefix}/${name}`);
      if (!e) {
        if (required) throw new SoloError(`${path}: not a torch.save file: no ${prefix}/${name} record`);
        return undefined;
      }
      const buf = await preadExact(fh, e.size, e.dataOffset, `record ${e.name}`, path);
      const crc = crc32(buf);
      if (opts.verifyCrc !== false && crc !== e.crc32) throw new SoloError(`${path}: CRC mismatch in record ${e.name}: the file is corrupt`);
      return buf;
    };
    const pkl = (await readRecord('data.pkl', true))!;
    const version = ((await readRecord('version', false)) ?? Buffer.from('')).toString('latin1').trim();
    const bo = (await readRecord('byteorder', false))?.toString('latin1').trim();
    if (bo !== undefined && bo !== 'little' && bo !== 'big') throw new SoloError(`${path}: bad byteorder record '${bo}'`);
    const file: OpenFile = { fh, path, byteorder: bo === 'big' ? 'big' : 'little', verifyCrc: opts.verifyCrc !== false };

    const storages = new Map<string, Storage>();
    const root = unpickle(
      pkl,
      {
        persistentLoad(pid) {
          const [tag, cls, key, location, numel] = pid;
          if (tag !== 'storage' || pid.length !== 5) throw new SoloError(`${path}: unsupported persistent id ${String(tag)}`);
          if (!(cls instanceof GlobalMarker) || cls.role !== 'storage') throw new SoloError(`${path}: persistent id names no storage class`);
          if (typeof key !== 'string' || typeof location !== 'string' || typeof numel !== 'number') throw new SoloError(`${path}: malformed storage persistent id`);
          const dtype: TorchDType = cls.dtype ?? 'uint8';
          const prev = storages.get(key);
          if (prev) {
            if (prev.dtype !== dtype || prev.numel !== numel) throw new SoloError(`${path}: storage ${key} is referenced with different types or sizes`);
            return prev;
          }
          const name = `${prefix}/data/${key}`;
          const entry = byName.get(name) ?? (opts.allowMissingStorages ? { name, headerOffset: -1, dataOffset: -1, size: numel * TORCH_DTYPES[dtype].itemsize, crc32: 0 } : undefined);
          if (!entry) throw new SoloError(`${path}: storage record ${prefix}/data/${key} is missing`);
          const s = new Storage(file, entry, key, dtype, cls.name, location, numel);
          storages.set(key, s);
          return s;
        },
        rebuildTensor(storage, offset, shape, stride, requiresGrad, dtype) {
          if (!(storage instanceof Storage)) throw new SoloError(`${path}: tensor rebuilt from something that is not a storage`);
          let st = storage;
          if (dtype && dtype !== st.dtype) {
            if (st.storageClass !== 'UntypedStorage') throw new SoloError(`${path}: tensor dtype ${dtype} over a ${st.storageClass}`);
            st = st.retyped(dtype);
          }
          return new LazyTensor(st, offset, shape, stride, requiresGrad, path);
        },
        rebuildParameter(data, requiresGrad) {
          if (!(data instanceof LazyTensor)) throw new SoloError(`${path}: Parameter data is not a tensor`);
          return data.asParameter(requiresGrad);
        },
      },
      `${path}: data.pkl`,
    );
    const tensors: Array<[string, TensorRef]> = [];
    checkTree(root, '', tensors, path, new Set());
    let closed = false;
    return {
      path,
      prefix,
      entries,
      version,
      byteorder: file.byteorder,
      root: root as PyValue,
      tensors: () => [...tensors],
      async close() {
        if (closed) return;
        closed = true;
        file.fh = null;
        await fh.close();
      },
    };
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}

/** Rejects leftovers that are not values (globals never called, bare storages); lists tensors. */
function checkTree(v: unknown, at: string, out: Array<[string, TensorRef]>, file: string, seen: Set<object>): void {
  const join = (k: unknown) => (at ? `${at}/${String(k)}` : String(k));
  if (v instanceof GlobalMarker) throw new SoloError(`${file}: global ${v.path} used as a value${at ? ` at ${at}` : ''} (not allowed)`);
  if (v instanceof Storage) throw new SoloError(`${file}: bare storage${at ? ` at ${at}` : ''} (not supported)`);
  if (isTensorRef(v)) {
    out.push([at, v]);
    return;
  }
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return;
  if (seen.has(v)) return; // shared sub-objects: list their tensors once
  seen.add(v);
  if (Array.isArray(v)) v.forEach((x, i) => checkTree(x, join(i), out, file, seen));
  else if (v instanceof PyTuple) v.items.forEach((x, i) => checkTree(x, join(i), out, file, seen));
  else if (v instanceof PySet) v.items.forEach((x, i) => checkTree(x, join(i), out, file, seen));
  else if (v instanceof PyDict) {
    for (const [k, x] of v.map) checkTree(x, join(k), out, file, seen);
    if (v.metadata !== undefined) checkTree(v.metadata, join('_metadata'), [], file, seen);
  } else if (v instanceof PyNamespace) {
    for (const [k, x] of v.fields) checkTree(x, join(k), out, file, seen);
  }
}
