/**
 * Megatron MMIDIDX reader: parses `<base>.idx` (unaligned, so through a DataView) and reads
 * items from `<base>.bin` with positioned reads (no full load). Layout: spec §9.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { SoloError } from '../../errors.js';
import { mmidElementSize, type MmidDtypeCode } from './dtypes.js';
import { MMIDIDX_HEADER_BYTES, MMIDIDX_MAGIC } from './writer.js';

export interface MmidIndex {
  dtype: MmidDtypeCode;
  elementSize: number;
  /** Elements per item. */
  sizes: Int32Array;
  /** Byte offset of each item in `.bin`. */
  pointers: Float64Array;
  docIdx: Float64Array;
}

/** Parse `.idx` bytes. */
export function parseIdx(buf: Uint8Array, name = 'idx'): MmidIndex {
  if (buf.byteLength < MMIDIDX_HEADER_BYTES || !Buffer.from(buf.buffer, buf.byteOffset, 9).equals(MMIDIDX_MAGIC))
    throw new SoloError(`${name}: not an MMIDIDX index (bad magic)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = dv.getBigUint64(9, true);
  if (version !== 1n) throw new SoloError(`${name}: unsupported MMIDIDX version ${version}`);
  const dtype = dv.getUint8(17) as MmidDtypeCode;
  const elementSize = mmidElementSize(dtype);
  const n = Number(dv.getBigUint64(18, true));
  const d = Number(dv.getBigUint64(26, true));
  const need = MMIDIDX_HEADER_BYTES + 12 * n + 8 * d;
  if (buf.byteLength < need) throw new SoloError(`${name}: truncated (${buf.byteLength} < ${need} bytes)`);
  const sizes = new Int32Array(n);
  const pointers = new Float64Array(n);
  const docIdx = new Float64Array(d);
  let o = MMIDIDX_HEADER_BYTES;
  for (let i = 0; i < n; i++, o += 4) sizes[i] = dv.getInt32(o, true);
  for (let i = 0; i < n; i++, o += 8) pointers[i] = Number(dv.getBigInt64(o, true));
  for (let i = 0; i < d; i++, o += 8) docIdx[i] = Number(dv.getBigInt64(o, true));
  return { dtype, elementSize, sizes, pointers, docIdx };
}

export type MmidItem = Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint16Array | Float32Array | Float64Array;

/** Copy raw item bytes into a typed array of the dtype (float16 → Uint16Array of bits). */
export function mmidBytesToArray(dtype: MmidDtypeCode, bytes: Uint8Array): MmidItem {
  const b = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const n = b.byteLength / mmidElementSize(dtype);
  switch (dtype) {
    case 1: return new Uint8Array(b.buffer, b.byteOffset, n);
    case 2: return new Int8Array(b.buffer, b.byteOffset, n);
    case 3: return new Int16Array(b.buffer, b.byteOffset, n);
    case 4: return new Int32Array(b.buffer, b.byteOffset, n);
    case 5: return new BigInt64Array(b.buffer, b.byteOffset, n);
    case 7: return new Float64Array(b.buffer, b.byteOffset, n);
    case 8: return new Uint16Array(b.buffer, b.byteOffset, n);
    case 9: return new Float32Array(b.buffer, b.byteOffset, n);
    case 10: return new Uint16Array(b.buffer, b.byteOffset, n);
  }
}

/** An open dataset `<base>.bin` / `<base>.idx`. */
export class MmidReader implements MmidIndex {
  readonly dtype: MmidDtypeCode;
  readonly elementSize: number;
  readonly sizes: Int32Array;
  readonly pointers: Float64Array;
  readonly docIdx: Float64Array;
  private fd: number;

  constructor(base: string) {
    const idx = parseIdx(readFileSync(`${base}.idx`), `${base}.idx`);
    this.dtype = idx.dtype;
    this.elementSize = idx.elementSize;
    this.sizes = idx.sizes;
    this.pointers = idx.pointers;
    this.docIdx = idx.docIdx;
    this.fd = openSync(`${base}.bin`, 'r');
  }

  get length(): number {
    return this.sizes.length;
  }

  /** Raw little-endian bytes of item i. */
  itemBytes(i: number): Buffer {
    if (i < 0 || i >= this.sizes.length) throw new RangeError(`item ${i} out of range (0..${this.sizes.length - 1})`);
    const len = this.sizes[i]! * this.elementSize;
    const out = Buffer.alloc(len);
    let off = 0;
    while (off < len) {
      const r = readSync(this.fd, out, off, len - off, this.pointers[i]! + off);
      if (r === 0) throw new SoloError(`item ${i}: .bin is truncated`);
      off += r;
    }
    return out;
  }

  /** Item i as a typed array of the dataset's dtype (float16 as uint16 bits). */
  item(i: number): MmidItem {
    return mmidBytesToArray(this.dtype, this.itemBytes(i));
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Open `<base>.bin/.idx` for reading. */
export function openIndexedDataset(base: string): MmidReader {
  return new MmidReader(base);
}
