/**
 * Streaming Megatron MMIDIDX writer: `<base>.bin` is appended item by item, `<base>.idx` is
 * written last (from the in-memory sizes/pointers), both under temporary names; `commit()`
 * renames them to their final names. Layout: spec/megatron-dataset.md §9.
 *
 * Hand-written (no dependency exists for this format). Synchronous file I/O through a large
 * buffer: items arrive in order from one thread and the OS page cache absorbs the writes.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { SoloError } from '../../errors.js';
import { MMID_FLOAT16, MMID_FLOAT32, MMID_FLOAT64, MMID_INT16, MMID_INT32, MMID_INT64, MMID_INT8, MMID_UINT16, MMID_UINT8, mmidElementSize, type MmidDtypeCode } from './dtypes.js';

/** `MMIDIDX\0\0`. */
export const MMIDIDX_MAGIC = Buffer.from([0x4d, 0x4d, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00]);
export const MMIDIDX_HEADER_BYTES = 34;

type Numeric = ArrayLike<number> & { length: number };
type TypedCtor = { new (n: number): ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number; set(a: ArrayLike<number>): void }; BYTES_PER_ELEMENT: number };

/** The typed array class holding one element of each dtype (float16 is carried as uint16 bits). */
function ctorFor(dtype: MmidDtypeCode): TypedCtor | undefined {
  switch (dtype) {
    case MMID_UINT8: return Uint8Array;
    case MMID_INT8: return Int8Array;
    case MMID_INT16: return Int16Array;
    case MMID_INT32: return Int32Array;
    case MMID_UINT16: return Uint16Array;
    case MMID_FLOAT16: return Uint16Array;
    case MMID_FLOAT32: return Float32Array;
    case MMID_FLOAT64: return Float64Array;
    default: return undefined; // int64: handled separately
  }
}

export interface MmidWriterOptions {
  /** Suffix of the temporary names (default `.partial`). Fixed, so a rerun overwrites stale temps. */
  tempSuffix?: string;
  /** Write buffer size in bytes (default 8 MiB). */
  bufferBytes?: number;
}

/** Writer for one dataset `<base>.bin` / `<base>.idx`. */
export class MmidWriter {
  readonly binPath: string;
  readonly idxPath: string;
  readonly binTemp: string;
  readonly idxTemp: string;
  readonly dtype: MmidDtypeCode;
  readonly elementSize: number;
  private fd: number;
  private buf: Buffer;
  private bufLen = 0;
  private sizes = new Int32Array(1024);
  private pointers = new Float64Array(1024);
  private count = 0;
  private byteOffset = 0;
  private finalized = false;

  constructor(base: string, dtype: MmidDtypeCode, opts: MmidWriterOptions = {}) {
    if (endianness() !== 'LE') throw new SoloError('MMIDIDX writer needs a little-endian host');
    this.dtype = dtype;
    this.elementSize = mmidElementSize(dtype);
    this.binPath = `${base}.bin`;
    this.idxPath = `${base}.idx`;
    const suffix = opts.tempSuffix ?? '.partial';
    this.binTemp = this.binPath + suffix;
    this.idxTemp = this.idxPath + suffix;
    this.buf = Buffer.allocUnsafe(opts.bufferBytes ?? 8 << 20);
    this.fd = openSync(this.binTemp, 'w');
  }

  /** Number of items written so far. */
  get length(): number {
    return this.count;
  }

  /** Bytes written to `.bin` so far. */
  get binBytes(): number {
    return this.byteOffset;
  }

  private writeBytes(b: Uint8Array): void {
    if (this.bufLen + b.byteLength > this.buf.length) this.flush();
    if (b.byteLength >= this.buf.length) {
      let off = 0;
      while (off < b.byteLength) off += writeSync(this.fd, b, off, b.byteLength - off);
      return;
    }
    this.buf.set(b, this.bufLen);
    this.bufLen += b.byteLength;
  }

  private flush(): void {
    let off = 0;
    while (off < this.bufLen) off += writeSync(this.fd, this.buf, off, this.bufLen - off);
    this.bufLen = 0;
  }

  /** Elements of `values` as little-endian bytes of this dataset's dtype (wrap-around casts like numpy). */
  private toBytes(values: Numeric): Uint8Array {
    const ctor = ctorFor(this.dtype);
    if (ctor) {
      const v = values as unknown as { buffer?: ArrayBufferLike; byteOffset?: number; byteLength?: number; constructor: unknown };
      let arr: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
      if (v.constructor === ctor && v.buffer) arr = v as { buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
      else {
        const a = new ctor(values.length);
        a.set(values);
        arr = a;
      }
      return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    }
    const a = new BigInt64Array(values.length);
    if (values instanceof BigInt64Array) a.set(values);
    else for (let i = 0; i < values.length; i++) a[i] = BigInt(Math.trunc(values[i]!));
    return new Uint8Array(a.buffer);
  }

  private pushIndex(elements: number): void {
    if (this.finalized) throw new SoloError(`${this.binPath}: write after finalize`);
    if (elements > 0x7fffffff) throw new SoloError(`${this.binPath}: item of ${elements} elements exceeds int32 sizes`);
    if (this.count === this.sizes.length) {
      const s = new Int32Array(this.sizes.length * 2);
      s.set(this.sizes);
      this.sizes = s;
      const p = new Float64Array(this.pointers.length * 2);
      p.set(this.pointers);
      this.pointers = p;
    }
    this.sizes[this.count] = elements;
    this.pointers[this.count] = this.byteOffset;
    this.count++;
    this.byteOffset += elements * this.elementSize;
  }

  /** Append one item (any numeric array; float16 items are given as uint16 bit patterns). */
  addItem(values: Numeric): void {
    this.addItemParts([values]);
  }

  /** Append one item made of several consecutive parts (e.g. the documents of a pack). */
  addItemParts(parts: readonly Numeric[]): void {
    let n = 0;
    for (const p of parts) n += p.length;
    this.pushIndex(n);
    for (const p of parts) if (p.length) this.writeBytes(this.toBytes(p));
  }

  /** Append one item given as raw little-endian bytes (length must be a multiple of the element size). */
  addItemBytes(bytes: Uint8Array): void {
    if (bytes.byteLength % this.elementSize) throw new SoloError(`${this.binPath}: ${bytes.byteLength} bytes is not a whole number of elements`);
    this.pushIndex(bytes.byteLength / this.elementSize);
    this.writeBytes(bytes);
  }

  /** Flush `.bin`, write `.idx` (both still under temporary names). */
  finalize(): void {
    if (this.finalized) return;
    this.flush();
    closeSync(this.fd);
    this.finalized = true;
    writeIdxFile(this.idxTemp, this.dtype, this.sizes.subarray(0, this.count), this.pointers.subarray(0, this.count), [0]);
  }

  /** Rename the finalized temporary files to their final names (`.bin` first, `.idx` last). */
  commit(): void {
    this.finalize();
    renameSync(this.binTemp, this.binPath);
    renameSync(this.idxTemp, this.idxPath);
  }

  /** Close and delete the temporary files (abandoned run). */
  abort(): void {
    if (!this.finalized) {
      closeSync(this.fd);
      this.finalized = true;
    }
    rmSync(this.binTemp, { force: true });
    rmSync(this.idxTemp, { force: true });
  }
}

/** Serialise a complete `.idx` (header, sizes, pointers, doc_idx). */
export function encodeIdx(dtype: MmidDtypeCode, sizes: ArrayLike<number>, pointers: ArrayLike<number>, docIdx: ArrayLike<number> = [0]): Buffer {
  const n = sizes.length;
  const d = docIdx.length;
  const out = Buffer.alloc(MMIDIDX_HEADER_BYTES + 12 * n + 8 * d);
  MMIDIDX_MAGIC.copy(out, 0);
  out.writeBigUInt64LE(1n, 9);
  out.writeUInt8(dtype, 17);
  out.writeBigUInt64LE(BigInt(n), 18);
  out.writeBigUInt64LE(BigInt(d), 26);
  let o = MMIDIDX_HEADER_BYTES;
  for (let i = 0; i < n; i++, o += 4) out.writeInt32LE(sizes[i]!, o);
  for (let i = 0; i < n; i++, o += 8) out.writeBigInt64LE(BigInt(pointers[i]!), o);
  for (let i = 0; i < d; i++, o += 8) out.writeBigInt64LE(BigInt(docIdx[i]!), o);
  return out;
}

function writeIdxFile(path: string, dtype: MmidDtypeCode, sizes: ArrayLike<number>, pointers: ArrayLike<number>, docIdx: ArrayLike<number>): void {
  const buf = encodeIdx(dtype, sizes, pointers, docIdx);
  const fd = openSync(path, 'w');
  try {
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } finally {
    closeSync(fd);
  }
}
