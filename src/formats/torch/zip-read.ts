/**
 * Reads the central directory of a torch.save zip by pread (never the whole file) and locates each
 * stored record's bytes. Hand-written: torch files are plain "stored" zips with zip64 end records
 * (spec §7.1), so a small exact parser is safer than a general unzip dependency and lets tensors be
 * read lazily by offset. Every offset and size is bounds-checked against the file size.
 */
import type { FileHandle } from 'node:fs/promises';
import { SoloError } from '../../errors.js';
import type { TorchZipEntry } from './types.js';

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;

export async function preadExact(fh: FileHandle, length: number, position: number, what: string, file: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new SoloError(`${file}: truncated: ${what} ends past the end of the file (offset ${position + done})`);
    done += bytesRead;
  }
  return buf;
}

function u64(buf: Buffer, off: number, what: string, file: string): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SoloError(`${file}: ${what} ${v} is too large`);
  return Number(v);
}

/** Parses the zip directory; returns the entries in central-directory (= archive) order. */
export async function readZipEntries(fh: FileHandle, fileSize: number, file: string): Promise<TorchZipEntry[]> {
  if (fileSize < 22) throw new SoloError(`${file}: not a torch.save zip (only ${fileSize} bytes)`);
  const tailLen = Math.min(fileSize, 22 + 0xffff + 20 + 56);
  const tail = await preadExact(fh, tailLen, fileSize - tailLen, 'end of central directory', file);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const magic = tail.length >= 2 && fileSize === tailLen ? tail.subarray(0, 2).toString('latin1') : '';
    const legacy = magic === '\x80\x02' ? ' (a legacy non-zip torch.save file, not supported)' : '';
    throw new SoloError(`${file}: not a torch.save zip or truncated: no end-of-central-directory record${legacy}`);
  }
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdPos = fileSize - tailLen + eocd;
  // Zip64: torch always writes the zip64 EOCD + locator; use them when present.
  if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIG) {
    const z64Pos = u64(tail, eocd - 20 + 8, 'zip64 end record offset', file);
    if (z64Pos + 56 > eocdPos - 20) throw new SoloError(`${file}: corrupt zip: zip64 end record offset ${z64Pos} out of range`);
    const z = await preadExact(fh, 56, z64Pos, 'zip64 end record', file);
    if (z.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new SoloError(`${file}: corrupt zip: bad zip64 end record signature at ${z64Pos}`);
    count = u64(z, 32, 'entry count', file);
    cdSize = u64(z, 40, 'central directory size', file);
    cdOffset = u64(z, 48, 'central directory offset', file);
  } else if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new SoloError(`${file}: corrupt zip: zip64 values without a zip64 locator`);
  }
  if (cdOffset + cdSize > fileSize || cdSize < count * 46) {
    throw new SoloError(`${file}: corrupt or truncated zip: central directory (offset ${cdOffset}, ${cdSize} bytes, ${count} entries) does not fit in ${fileSize} bytes`);
  }
  const cd = await preadExact(fh, cdSize, cdOffset, 'central directory', file);
  const entries: TorchZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG) throw new SoloError(`${file}: corrupt zip: bad central directory entry ${i} at ${cdOffset + p}`);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let csize = cd.readUInt32LE(p + 20);
    let usize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let offset = cd.readUInt32LE(p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new SoloError(`${file}: corrupt zip: central directory entry ${i} overruns the directory`);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // Zip64 extra block: the fields present are exactly those saturated in the fixed part, in order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (e + 4 + len > eEnd) throw new SoloError(`${file}: corrupt zip: extra field of ${name} overruns`);
      if (id === 0x0001) {
        let q = e + 4;
        const need = (n: string) => {
          if (q + 8 > e + 4 + len) throw new SoloError(`${file}: corrupt zip: short zip64 extra field for ${name}`);
          const v = u64(cd, q, `zip64 ${n} of ${name}`, file);
          q += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = need('size');
        if (csize === 0xffffffff) csize = need('compressed size');
        if (offset === 0xffffffff) offset = need('offset');
      }
      e += 4 + len;
    }
    if (method !== 0) throw new SoloError(`${file}: unsupported zip record ${name}: compression method ${method} (torch.save stores records uncompressed)`);
    if (csize !== usize) throw new SoloError(`${file}: corrupt zip: record ${name} has compressed size ${csize} ≠ size ${usize}`);
    entries.push({ name, headerOffset: offset, dataOffset: -1, size: usize, crc32: crc });
    p += 46 + nameLen + extraLen + commentLen;
  }
  // Local headers: their extra field (alignment padding) decides where the data starts.
  for (const ent of entries) {
    if (ent.headerOffset + 30 > cdOffset) throw new SoloError(`${file}: corrupt zip: local header of ${ent.name} at ${ent.headerOffset} is outside the data area`);
    const h = await preadExact(fh, 30, ent.headerOffset, `local header of ${ent.name}`, file);
    if (h.readUInt32LE(0) !== LFH_SIG) throw new SoloError(`${file}: corrupt zip: no local header for ${ent.name} at offset ${ent.headerOffset}`);
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    ent.dataOffset = ent.headerOffset + 30 + nameLen + extraLen;
    if (ent.dataOffset + ent.size > cdOffset) {
      throw new SoloError(`${file}: corrupt or truncated zip: record ${ent.name} (${ent.size} bytes at ${ent.dataOffset}) runs past the data area (ends at ${cdOffset})`);
    }
  }
  return entries;
}
