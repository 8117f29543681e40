/**
 * JSON description of a torch file, in the format of the golden fixtures' `describe/*.json`
 * (model-reference MANIFEST §5, written there by describe_ckpt.py): zip framing with per-record
 * sha256, the object tree with Python types, and per-tensor geometry + sha256 of its row-major
 * bytes. Used by golden tests and `solo model info`.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { SoloError } from '../../errors.js';
import { loadTorchFile } from './load.js';
import { preadExact } from './zip-read.js';
import {
  NumpyArray,
  NumpyDType,
  NumpyScalar,
  PyDict,
  PyEnum,
  PyFloat,
  PyNamespace,
  PySet,
  PyTorchDType,
  PyTuple,
  TORCH_DTYPES,
  TensorSource,
  isTensorRef,
  pyFloatRepr,
  type PyValue,
} from './types.js';

export interface DescribeTorchOptions {
  /** Value of the `file` field (the fixtures use the path relative to the fixture root). Default: the path. */
  file?: string;
}

export interface TorchTensorDescription {
  dtype: string;
  shape: number[];
  sha256: string;
  storage_key: string;
  storage_class: string;
  location: string;
  storage_numel: number;
  offset: number;
  stride: number[];
}

export interface TorchFileDescription {
  file: string;
  size: number;
  sha256: string;
  format: 'torch-zip';
  zip: { prefix: string; entries: Array<{ name: string; size: number; sha256: string }> };
  object: unknown;
  tensors: Record<string, TorchTensorDescription>;
}

const CHUNK = 8 << 20;

export async function describeTorchFile(path: string, opts: DescribeTorchOptions = {}): Promise<TorchFileDescription> {
  const tf = await loadTorchFile(path);
  try {
    const fh = await open(path, 'r');
    let size: number;
    const fileHash = createHash('sha256');
    const entries: TorchFileDescription['zip']['entries'] = [];
    try {
      size = (await fh.stat()).size;
      for (let p = 0; p < size; p += CHUNK) fileHash.update(await preadExact(fh, Math.min(CHUNK, size - p), p, 'file', path));
      for (const e of tf.entries) {
        const h = createHash('sha256');
        for (let p = 0; p < e.size; p += CHUNK) h.update(await preadExact(fh, Math.min(CHUNK, e.size - p), e.dataOffset + p, e.name, path));
        entries.push({ name: e.name, size: e.size, sha256: h.digest('hex') });
      }
    } finally {
      await fh.close();
    }
    const tensors: Record<string, TorchTensorDescription> = {};
    for (const [p, t] of tf.tensors()) {
      const bytes = await t.read();
      tensors[p] = {
        dtype: t.dtype,
        shape: [...t.shape],
        sha256: createHash('sha256').update(bytes).digest('hex'),
        storage_key: t.storage.key,
        storage_class: t.storage.storageClass,
        location: t.storage.location,
        storage_numel: t.storage.numel,
        offset: t.storageOffset,
        stride: [...t.stride],
      };
    }
    return {
      file: opts.file ?? path,
      size,
      sha256: fileHash.digest('hex'),
      format: 'torch-zip',
      zip: { prefix: tf.prefix, entries },
      object: describeTorchValue(tf.root),
      tensors,
    };
  } finally {
    await tf.close();
  }
}

/**
 * The `object` part of a description: `{t: 'dict', items: [[k, v]…]}`, `{t: 'float', v: '1e-05'}`,
 * `{t: 'tensor', path}` (path = '/'-joined keys, as `TorchFile.tensors()`)…
 */
export function describeTorchValue(value: PyValue, at = ''): unknown {
  const join = (k: unknown) => (at ? `${at}/${String(k)}` : String(k));
  const v = value as unknown;
  if (v === null) return { t: 'none' };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return Number.isInteger(v) ? { t: 'int', v } : { t: 'float', v: pyFloatRepr(v) };
  if (typeof v === 'bigint') return { t: 'int', v: v.toString() };
  if (typeof v === 'string') return { t: 'str', v };
  if (v instanceof PyFloat) return { t: 'float', v: pyFloatRepr(v.value) };
  if (v instanceof Uint8Array) return { t: 'bytes', v: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  if (Array.isArray(v)) return { t: 'list', items: v.map((x, i) => describeTorchValue(x as PyValue, join(i))) };
  if (v instanceof PyTuple) return { t: 'tuple', items: v.items.map((x, i) => describeTorchValue(x, join(i))) };
  if (v instanceof PySet) return { t: v.frozen ? 'frozenset' : 'set', items: v.items.map((x, i) => describeTorchValue(x, join(i))) };
  if (v instanceof PyDict) {
    const out: Record<string, unknown> = { t: v.kind, items: [...v.map].map(([k, x]) => [k === null || typeof k !== 'bigint' ? k : k.toString(), describeTorchValue(x, join(k))]) };
    if (v.metadata !== undefined) out._metadata = describeTorchValue(v.metadata, join('_metadata'));
    return out;
  }
  if (v instanceof PyNamespace) return { t: 'Namespace', fields: [...v.fields].map(([k, x]) => [k, describeTorchValue(x, join(k))]) };
  if (v instanceof PyEnum) return { t: 'enum', class: v.cls, name: v.name ?? null, value: v.value === undefined ? null : plain(v.value) };
  if (v instanceof PyTorchDType) return { t: 'dtype', v: `torch.${v.name}` };
  if (v instanceof NumpyDType) return { t: 'numpy.dtype', v: v.str, byteorder: v.byteorder };
  if (v instanceof NumpyArray) {
    return { t: 'ndarray', dtype: v.dtype.str, shape: v.shape, sha256: createHash('sha256').update(v.data).digest('hex') };
  }
  if (v instanceof NumpyScalar) return { t: 'numpy.scalar', dtype: v.dtype.str, v: Buffer.from(v.data).toString('hex') };
  if (isTensorRef(v) || v instanceof TensorSource) {
    void TORCH_DTYPES;
    return { t: 'tensor', path: at };
  }
  throw new SoloError(`describeTorchValue: not a Python value: ${String(v)}`);
}

function plain(v: PyValue): unknown {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'bigint') return v.toString();
  return v;
}
