/**
 * Lazy tensors of a file being read: `Storage` (one `data/<key>` record, read by pread) and
 * `LazyTensor` (a strided view into it, as torch's `_rebuild_tensor_v2`). Nothing is read before
 * `read()`; non-contiguous views and views sharing one storage are gathered from the record.
 */
import type { FileHandle } from 'node:fs/promises';
import { SoloError } from '../../errors.js';
import { crc32 } from './crc32.js';
import { preadExact } from './zip-read.js';
import { TORCH_DTYPES, type StorageRef, type TensorRef, type TorchDType, type TorchZipEntry } from './types.js';

/** Shared state of an open file: the handle (null once closed). */
export interface OpenFile {
  fh: FileHandle | null;
  path: string;
  byteorder: 'little' | 'big';
  verifyCrc: boolean;
}

export class Storage implements StorageRef {
  readonly nbytes: number;
  private crcChecked = false;
  constructor(
    private readonly file: OpenFile,
    readonly entry: TorchZipEntry,
    readonly key: string,
    readonly dtype: TorchDType,
    readonly storageClass: string,
    readonly location: string,
    readonly numel: number,
  ) {
    this.nbytes = numel * TORCH_DTYPES[dtype].itemsize;
    if (entry.size !== this.nbytes) {
      throw new SoloError(`${file.path}: storage ${key} (${storageClass}, ${numel} elements = ${this.nbytes} bytes) but record ${entry.name} holds ${entry.size} bytes`);
    }
  }

  /** The same record seen with another dtype (for `_rebuild_tensor_v3` over an UntypedStorage). */
  retyped(dtype: TorchDType): Storage {
    const size = TORCH_DTYPES[dtype].itemsize;
    if (this.nbytes % size) throw new SoloError(`${this.file.path}: storage ${this.key} of ${this.nbytes} bytes is not a whole number of ${dtype}`);
    return new Storage(this.file, this.entry, this.key, dtype, this.storageClass, this.location, this.nbytes / size);
  }

  async stream(sink: (chunk: Buffer) => Promise<void>, chunkBytes = 64 << 20): Promise<void> {
    const fh = this.file.fh;
    if (!fh) throw new SoloError(`${this.file.path}: file is closed`);
    if (this.entry.dataOffset < 0) throw new SoloError(`${this.file.path}: storage record ${this.entry.name} is missing (opened with allowMissingStorages)`);
    const size = TORCH_DTYPES[this.dtype].itemsize;
    const step = Math.max(size, chunkBytes - (chunkBytes % size));
    let crc = 0;
    for (let p = 0; p < this.nbytes; p += step) {
      const buf = await preadExact(fh, Math.min(step, this.nbytes - p), this.entry.dataOffset + p, `record ${this.entry.name}`, this.file.path);
      crc = crc32(buf, crc);
      if (this.file.byteorder === 'big') byteswap(buf, this.dtype);
      await sink(buf);
    }
    if (this.file.verifyCrc && crc !== this.entry.crc32) {
      throw new SoloError(`${this.file.path}: CRC mismatch in record ${this.entry.name} (stored ${hex(this.entry.crc32)}, computed ${hex(crc)}): the file is corrupt`);
    }
    this.crcChecked = this.file.verifyCrc;
  }

  async readElements(elemOffset: number, count: number): Promise<Buffer> {
    const size = TORCH_DTYPES[this.dtype].itemsize;
    if (elemOffset < 0 || count < 0 || elemOffset + count > this.numel) {
      throw new SoloError(`${this.file.path}: read of elements [${elemOffset}, ${elemOffset + count}) outside storage ${this.key} (${this.numel} elements)`);
    }
    const fh = this.file.fh;
    if (!fh) throw new SoloError(`${this.file.path}: file is closed`);
    if (this.entry.dataOffset < 0) throw new SoloError(`${this.file.path}: storage record ${this.entry.name} is missing (opened with allowMissingStorages)`);
    const buf = await preadExact(fh, count * size, this.entry.dataOffset + elemOffset * size, `record ${this.entry.name}`, this.file.path);
    if (this.file.verifyCrc && !this.crcChecked && elemOffset === 0 && count === this.numel) {
      const crc = crc32(buf);
      if (crc !== this.entry.crc32) {
        throw new SoloError(`${this.file.path}: CRC mismatch in record ${this.entry.name} (stored ${hex(this.entry.crc32)}, computed ${hex(crc)}): the file is corrupt`);
      }
      this.crcChecked = true;
    }
    if (this.file.byteorder === 'big') byteswap(buf, this.dtype);
    return buf;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** In-place byte swap of big-endian elements to little-endian (complex: each half). */
export function byteswap(buf: Buffer, dtype: TorchDType): void {
  let size = TORCH_DTYPES[dtype].itemsize;
  if (dtype === 'complex64' || dtype === 'complex128') size /= 2;
  if (size === 2) buf.swap16();
  else if (size === 4) buf.swap32();
  else if (size === 8) buf.swap64();
}

export class LazyTensor implements TensorRef {
  readonly kind = 'tensor-ref' as const;
  readonly numel: number;
  readonly nbytes: number;
  constructor(
    readonly storage: Storage,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly requiresGrad: boolean,
    path: string,
    readonly parameter = false,
  ) {
    if (shape.length !== stride.length) throw new SoloError(`${path}: tensor has ${shape.length} sizes but ${stride.length} strides`);
    for (const v of [storageOffset, ...shape, ...stride]) {
      if (!Number.isSafeInteger(v) || v < 0) throw new SoloError(`${path}: bad tensor geometry offset ${storageOffset} size [${shape.join(', ')}] stride [${stride.join(', ')}]`);
    }
    this.numel = shape.reduce((a, b) => a * b, 1);
    this.nbytes = this.numel * TORCH_DTYPES[storage.dtype].itemsize;
    if (this.numel > 0) {
      const last = storageOffset + shape.reduce((acc, s, i) => acc + (s - 1) * stride[i], 0);
      if (last >= storage.numel) {
        throw new SoloError(`${path}: tensor view (offset ${storageOffset}, size [${shape.join(', ')}], stride [${stride.join(', ')}]) reaches element ${last} of storage ${storage.key}, which has ${storage.numel}`);
      }
    }
  }

  /** The same view as a `torch.nn.Parameter` with the given requires_grad. */
  asParameter(requiresGrad: boolean): LazyTensor {
    return new LazyTensor(this.storage, this.storageOffset, this.shape, this.stride, requiresGrad, this.storage.key, true);
  }

  get dtype(): TorchDType {
    return this.storage.dtype;
  }

  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.stride[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  async read(): Promise<Buffer> {
    if (this.numel === 0) return Buffer.alloc(0);
    if (this.isContiguous()) return this.storage.readElements(this.storageOffset, this.numel);
    // Strided view: read the span it covers, then gather rows (innermost runs when stride is 1).
    const size = TORCH_DTYPES[this.dtype].itemsize;
    const span = this.shape.reduce((acc, s, i) => acc + (s - 1) * this.stride[i], 0) + 1;
    const src = await this.storage.readElements(this.storageOffset, span);
    const out = Buffer.allocUnsafe(this.nbytes);
    const nd = this.shape.length;
    const innerRun = this.stride[nd - 1] === 1 ? this.shape[nd - 1] : 1;
    const outer = nd - (innerRun > 1 ? 1 : 0);
    const idx = new Array<number>(outer).fill(0);
    let o = 0;
    for (;;) {
      let s = 0;
      for (let i = 0; i < outer; i++) s += idx[i] * this.stride[i];
      src.copy(out, o, s * size, (s + innerRun) * size);
      o += innerRun * size;
      let d = outer - 1;
      while (d >= 0 && ++idx[d] === this.shape[d]) idx[d--] = 0;
      if (d < 0) break;
    }
    return out;
  }
}
