/**
 * Streaming writer for the torch.save zip container, byte-compatible with torch 1.13's
 * PyTorchStreamWriter (miniz): stored records, local headers with zero sizes and flags 0x0808,
 * an 'FB' extra field padding each record's data to a 64-byte boundary, data descriptors,
 * zip64 blocks for records ≥ 4 GiB or offsets ≥ 4 GiB, and always zip64 end records (spec §7.1).
 * Hand-written because no zip library reproduces this framing, and records must be streamed.
 */
import type { FileHandle } from 'node:fs/promises';
import { SoloError } from '../../errors.js';
import { crc32 } from './crc32.js';

const U32_MAX = 0xffffffff;
const ALIGN = 64;

interface Written {
  name: Buffer;
  offset: number;
  size: number;
  crc: number;
}

export class TorchZipWriter {
  private pos = 0;
  private readonly records: Written[] = [];
  private finished = false;

  private readonly big: number;

  /**
   * `zip64Threshold` (tests only): sizes/offsets at or above it use zip64 fields, as torch does
   * from 0xFFFFFFFF; lowering it exercises the zip64 paths on small files.
   */
  constructor(
    private readonly fh: FileHandle,
    opts: { zip64Threshold?: number } = {},
  ) {
    this.big = opts.zip64Threshold ?? U32_MAX;
  }

  /** Bytes written so far. */
  get position(): number {
    return this.pos;
  }

  private async write(buf: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, this.pos + done);
      done += bytesWritten;
    }
    this.pos += buf.length;
  }

  /** Adds one record of `data`. */
  async addBuffer(name: string, data: Uint8Array): Promise<void> {
    await this.addRecord(name, data.length, async (sink) => sink(data));
  }

  /**
   * Adds one record of exactly `size` bytes; `produce` pushes the bytes through `sink` in one or
   * more chunks (each written before the next is requested, so memory stays bounded).
   */
  async addRecord(name: string, size: number, produce: (sink: (chunk: Uint8Array) => Promise<void>) => Promise<void>): Promise<void> {
    if (this.finished) throw new SoloError('zip writer already finished');
    const nameBuf = Buffer.from(name, 'utf8');
    const offset = this.pos;
    const bigSize = size >= this.big;
    const bigOffset = offset >= this.big;
    let z64Len = 0;
    if (bigSize || bigOffset) z64Len = 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
    const start = offset + 30 + nameBuf.length + 4 + z64Len;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    const extraLen = z64Len + 4 + pad;
    const header = Buffer.alloc(30 + nameBuf.length + extraLen);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(0, 4); // version needed
    header.writeUInt16LE(0x0808, 6); // data descriptor + UTF-8 names
    // method, time, date, crc, sizes: all 0 (sizes follow in the data descriptor)
    header.writeUInt16LE(nameBuf.length, 26);
    header.writeUInt16LE(extraLen, 28);
    nameBuf.copy(header, 30);
    let e = 30 + nameBuf.length;
    if (z64Len) {
      header.writeUInt16LE(0x0001, e);
      header.writeUInt16LE(z64Len - 4, e + 2);
      e += 4;
      if (bigSize) {
        // miniz: real size, compressed size 0 (it follows in the data descriptor)
        header.writeBigUInt64LE(BigInt(size), e);
        e += 16;
      }
      if (bigOffset) {
        header.writeBigUInt64LE(BigInt(offset), e);
        e += 8;
      }
    }
    header.write('FB', e, 'latin1');
    header.writeUInt16LE(pad, e + 2);
    header.fill(0x5a, e + 4, e + 4 + pad);
    await this.write(header);
    let crc = 0;
    let written = 0;
    await produce(async (chunk) => {
      if (written + chunk.length > size) throw new SoloError(`zip record ${name}: more than the announced ${size} bytes`);
      crc = crc32(chunk, crc);
      written += chunk.length;
      await this.write(chunk);
    });
    if (written !== size) throw new SoloError(`zip record ${name}: got ${written} bytes, announced ${size}`);
    // miniz writes 8-byte sizes whenever the record needed a zip64 block (size or offset)
    const dd = Buffer.alloc(z64Len ? 24 : 16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(crc, 4);
    if (z64Len) {
      dd.writeBigUInt64LE(BigInt(size), 8);
      dd.writeBigUInt64LE(BigInt(size), 16);
    } else {
      dd.writeUInt32LE(size, 8);
      dd.writeUInt32LE(size, 12);
    }
    await this.write(dd);
    this.records.push({ name: nameBuf, offset, size, crc });
  }

  /** Writes the central directory and the (zip64 + classic) end records; returns the file size. */
  async finish(): Promise<number> {
    if (this.finished) throw new SoloError('zip writer already finished');
    this.finished = true;
    const cdOffset = this.pos;
    const parts: Buffer[] = [];
    for (const r of this.records) {
      const bigSize = r.size >= this.big;
      const bigOffset = r.offset >= this.big;
      const z64Len = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
      const h = Buffer.alloc(46 + r.name.length + z64Len);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(0, 4); // made by
      h.writeUInt16LE(0, 6); // needed
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt32LE(r.crc, 16);
      h.writeUInt32LE(bigSize ? U32_MAX : r.size, 20);
      h.writeUInt32LE(bigSize ? U32_MAX : r.size, 24);
      h.writeUInt16LE(r.name.length, 28);
      h.writeUInt16LE(z64Len, 30);
      h.writeUInt32LE(bigOffset ? U32_MAX : r.offset, 42);
      r.name.copy(h, 46);
      let e = 46 + r.name.length;
      if (z64Len) {
        h.writeUInt16LE(0x0001, e);
        h.writeUInt16LE(z64Len - 4, e + 2);
        e += 4;
        if (bigSize) {
          h.writeBigUInt64LE(BigInt(r.size), e);
          h.writeBigUInt64LE(BigInt(r.size), e + 8);
          e += 16;
        }
        if (bigOffset) h.writeBigUInt64LE(BigInt(r.offset), e);
      }
      parts.push(h);
    }
    const cd = Buffer.concat(parts);
    await this.write(cd);
    const cdSize = cd.length;
    const n = this.records.length;
    const z64Pos = this.pos;
    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(0x06064b50, 0);
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(0x031e, 12);
    end.writeUInt16LE(45, 14);
    // disk numbers 0
    end.writeBigUInt64LE(BigInt(n), 24);
    end.writeBigUInt64LE(BigInt(n), 32);
    end.writeBigUInt64LE(BigInt(cdSize), 40);
    end.writeBigUInt64LE(BigInt(cdOffset), 48);
    end.writeUInt32LE(0x07064b50, 56);
    end.writeBigUInt64LE(BigInt(z64Pos), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(0x06054b50, 76);
    end.writeUInt16LE(Math.min(n, 0xffff), 84);
    end.writeUInt16LE(Math.min(n, 0xffff), 86);
    end.writeUInt32LE(cdSize >= this.big ? U32_MAX : cdSize, 88);
    end.writeUInt32LE(cdOffset >= this.big ? U32_MAX : cdOffset, 92);
    await this.write(end);
    return this.pos;
  }
}
