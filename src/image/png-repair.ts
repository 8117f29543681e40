/**
 * Pillow accepts a PNG whose IDAT zlib stream already yields every scanline, even if the file is
 * cut after that point (inside the last IDAT's tail, its CRC, or IEND): its ZIP decoder stops
 * once the last row is complete and never reads further. libpng (via sharp) rejects such files.
 * When sharp fails, this rebuilds a well-formed PNG from the pre-IDAT chunks plus the scanlines
 * that are fully present, so the verdict and the pixels match Pillow. Returns null when the
 * scanlines are not all there (Pillow then raises "image file is truncated" too).
 */
import { deflateSync, inflateSync, constants } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(parts: Uint8Array[]): number {
  let c = -1;
  for (const b of parts) for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 255]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const t = Buffer.from(type, 'latin1');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32([t, data]));
  return Buffer.concat([head, t, data, crc]);
}

/** Bytes of filtered scanline data Pillow's decoder needs for the whole image (Adam7 aware). */
function expectedRawBytes(w: number, h: number, depth: number, colorType: number, interlace: number): number {
  const ch = colorType === 0 ? 1 : colorType === 2 ? 3 : colorType === 3 ? 1 : colorType === 4 ? 2 : 4;
  const rowBytes = (cols: number) => 1 + Math.ceil((cols * ch * depth) / 8);
  if (!interlace) return h * rowBytes(w);
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const cols = Math.ceil((w - x0!) / dx!);
    const rows = Math.ceil((h - y0!) / dy!);
    if (cols > 0 && rows > 0) total += rows * rowBytes(cols);
  }
  return total;
}

export function repairTruncatedPng(b: Uint8Array): Uint8Array | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pre: Uint8Array[] = [];
  const idat: Uint8Array[] = [];
  let p = 8;
  let ihdr: Uint8Array | null = null;
  let sawIdat = false;
  while (p + 8 <= b.length) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    const dataStart = p + 8;
    const dataEnd = Math.min(dataStart + len, b.length);
    if (type === 'IDAT') {
      sawIdat = true;
      idat.push(b.subarray(dataStart, dataEnd));
    } else if (sawIdat) {
      break; // Pillow stops reading image data at the first non-IDAT chunk
    } else {
      if (dataStart + len + 4 > b.length) return null; // a header chunk itself is cut: Pillow fails too
      if (type === 'IHDR') ihdr = b.subarray(dataStart, dataStart + len);
      pre.push(b.subarray(p, dataStart + len + 4));
    }
    p = dataStart + len + 4;
  }
  if (!ihdr || ihdr.length < 13 || idat.length === 0) return null;
  const ih = new DataView(ihdr.buffer, ihdr.byteOffset, ihdr.byteLength);
  const need = expectedRawBytes(ih.getUint32(0), ih.getUint32(4), ihdr[8]!, ihdr[9]!, ihdr[12]!);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
  if (raw.length < need) return null;
  return Buffer.concat([b.subarray(0, 8), ...pre, chunk('IDAT', deflateSync(raw.subarray(0, need), { level: 1 })), chunk('IEND', new Uint8Array(0))]);
}
