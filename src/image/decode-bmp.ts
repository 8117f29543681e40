/**
 * BMP decoder porting Pillow 9.4's BmpImagePlugin (a Python plugin, so the rules are Pillow's own,
 * not a C library's): header sizes 12/40/64/108/124, 1/4/8-bit palettes (a pure grey ramp gives
 * mode 1 or L, same pixels), 16-bit 5-5-5 / BITFIELDS 5-6-5 or 5-5-5 expanded as v*255/31 (or /63)
 * with integer division, 24-bit BGR, 32-bit with the supported masks (alpha ignored), RLE8/RLE4
 * (BmpRleDecoder's byte-level quirks), bottom-up rows unless the height is negative, rows padded
 * to 4 bytes. Hand-written because sharp cannot read BMP.
 */
import { ImageDecodeError } from './errors.js';
import type { RawRgb } from './decode-sharp.js';

const RAW = 0;
const RLE8 = 1;
const RLE4 = 2;
const BITFIELDS = 3;

export interface BmpInfo {
  width: number;
  height: number;
  bits: number;
  compression: number;
  /** +1 top-down, -1 bottom-up (Pillow's "direction"). */
  direction: number;
  headerSize: number;
  colors: number;
  masks?: [number, number, number, number];
  /** Where the palette / masks start being read (after the info header). */
  afterHeader: number;
  /** Pixel data offset after Pillow's adjustment. */
  offset: number;
}

function bad(msg: string): ImageDecodeError {
  return new ImageDecodeError('unsupported-format', `unsupported BMP: ${msg}`);
}
function trunc(): ImageDecodeError {
  return new ImageDecodeError('truncated', 'image file is truncated (BMP data ends early)');
}

export function bmpInfo(b: Uint8Array): BmpInfo {
  if (b.length < 18) throw trunc();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let offset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  if (headerSize !== 12 && headerSize !== 40 && headerSize !== 64 && headerSize !== 108 && headerSize !== 124) {
    throw bad(`header type ${headerSize}`);
  }
  if (14 + headerSize > b.length) throw trunc();
  const h = 18; // header data start (after the 4-byte size)
  let width: number;
  let height: number;
  let bits: number;
  let compression = RAW;
  let direction = -1;
  let colors = 0;
  let p = 14 + headerSize;
  let masks: [number, number, number, number] | undefined;
  if (headerSize === 12) {
    width = dv.getUint16(h, true);
    height = dv.getUint16(h + 2, true);
    bits = dv.getUint16(h + 6, true);
  } else {
    const yFlip = b[h + 7] === 0xff;
    direction = yFlip ? 1 : -1;
    width = dv.getUint32(h, true);
    const rawH = dv.getUint32(h + 4, true);
    height = yFlip ? 2 ** 32 - rawH : rawH;
    bits = dv.getUint16(h + 10, true);
    compression = dv.getUint32(h + 12, true);
    colors = dv.getUint32(h + 28, true);
    if (compression === BITFIELDS) {
      if (headerSize - 4 >= 52) {
        masks = [dv.getUint32(h + 36, true), dv.getUint32(h + 40, true), dv.getUint32(h + 44, true), dv.getUint32(h + 48, true)];
      } else {
        if (p + 12 > b.length) throw trunc();
        masks = [dv.getUint32(p, true), dv.getUint32(p + 4, true), dv.getUint32(p + 8, true), 0];
        p += 12;
      }
    }
  }
  if (!colors) colors = 2 ** bits;
  if (offset === 14 + headerSize && bits <= 8) offset += 4 * colors;
  return { width, height, bits, compression, direction, headerSize, colors, masks, afterHeader: p, offset };
}

export interface BmpDecoded extends RawRgb {
  mode: string;
}

/** Byte positions of R, G, B in a 32-bit pixel for Pillow's supported 32-bit masks. */
function masks32(m: [number, number, number, number]): [number, number, number, boolean] | undefined {
  const key = m.map((v) => v >>> 0).join(',');
  switch (key) {
    case `${0xff0000},${0xff00},${0xff},0`: // BGRX
      return [2, 1, 0, false];
    case `${0xff000000},${0xff0000},${0xff00},0`: // XBGR
      return [3, 2, 1, false];
    case `${0xff000000},${0xff0000},${0xff00},${0xff}`: // ABGR
      return [3, 2, 1, true];
    case `${0xff},${0xff00},${0xff0000},${0xff000000}`: // RGBA
      return [0, 1, 2, true];
    case `${0xff0000},${0xff00},${0xff},${0xff000000}`: // BGRA
    case '0,0,0,0': // BGRA
      return [2, 1, 0, true];
    default:
      return undefined;
  }
}

export function decodeBmp(b: Uint8Array): BmpDecoded {
  const info = bmpInfo(b);
  const { width, height, bits, compression, direction, colors } = info;
  if (width <= 0 || height <= 0) throw new ImageDecodeError('corrupt', `broken BMP: size ${width}x${height}`);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw bad(`pixel depth ${bits}`);
  let mode = bits <= 8 ? 'P' : 'RGB';
  // Pixel unpacker for direct-colour images.
  let kind: 'pal' | 'bgr' | 'b32' | 'b15' | 'b16' = bits <= 8 ? 'pal' : bits === 24 ? 'bgr' : bits === 16 ? 'b15' : 'b32';
  let pos32: [number, number, number] = [2, 1, 0];
  let rle = false;
  if (compression === BITFIELDS) {
    const m = info.masks!;
    if (bits === 32) {
      const r = masks32(m);
      if (!r) throw bad('bitfields layout');
      pos32 = [r[0], r[1], r[2]];
      if (r[3]) mode = 'RGBA';
    } else if (bits === 24 && m[0] === 0xff0000 && m[1] === 0xff00 && m[2] === 0xff) {
      kind = 'bgr';
    } else if (bits === 16 && m[0] === 0xf800 && m[1] === 0x7e0 && m[2] === 0x1f) {
      kind = 'b16';
    } else if (bits === 16 && m[0] === 0x7c00 && m[1] === 0x3e0 && m[2] === 0x1f) {
      kind = 'b15';
    } else {
      throw bad('bitfields layout');
    }
  } else if (compression === RLE8 || compression === RLE4) {
    rle = true;
  } else if (compression !== RAW) {
    throw bad(`compression ${compression}`);
  }
  if (rle && bits > 8) throw bad('RLE on a direct-colour image');
  // Palette (read right after the header / masks, like Pillow).
  const lut = new Uint8Array(768);
  for (let i = 0; i < 256; i++) lut[i * 3] = lut[i * 3 + 1] = lut[i * 3 + 2] = i;
  let greyMode = false;
  if (mode === 'P') {
    if (!(colors > 0 && colors <= 65536)) throw bad(`palette size ${colors}`);
    const pad = info.headerSize === 12 ? 3 : 4;
    const start = info.afterHeader;
    const end = Math.min(b.length, start + pad * colors);
    const pal = b.subarray(start, end);
    let grey = true;
    const idx = colors === 2 ? [0, 255] : null;
    for (let i = 0; i < colors; i++) {
      const v = idx ? idx[i]! : i;
      const o = i * pad;
      if (o + 3 > pal.length || pal[o] !== (v & 255) || pal[o + 1] !== (v & 255) || pal[o + 2] !== (v & 255) || v > 255) {
        grey = false;
        break;
      }
    }
    if (grey) {
      mode = colors === 2 ? '1' : 'L';
      greyMode = true;
      if (colors === 2) {
        lut.fill(0, 0, 3);
        lut.fill(255, 3, 6);
      }
    } else {
      // ImagePalette.raw("BGRX"/"BGR") loaded over the initial grey ramp.
      const n = Math.min(256, Math.floor(pal.length / pad));
      for (let i = 0; i < n; i++) {
        lut[i * 3] = pal[i * pad + 2]!;
        lut[i * 3 + 1] = pal[i * pad + 1]!;
        lut[i * 3 + 2] = pal[i * pad]!;
      }
    }
  }
  if (greyMode && bits === 4) {
    // Pillow reads a 4-bit grey-ramp BMP with rawmode "L" (one byte per pixel): its own quirk, not ported.
    throw bad('4-bit grey-ramp palette');
  }
  if (!rle) {
    // Check the pixel data is all there before allocating the output (a lying header must not cost memory).
    const strideBytes = ((width * bits + 31) >>> 3) & ~3;
    if (info.offset + (height - 1) * strideBytes + Math.ceil((width * bits) / 8) > b.length) throw trunc();
  }
  const out = new Uint8Array(width * height * 3);
  const putIndexRow = (row: number, get: (x: number) => number): void => {
    let d = row * width * 3;
    for (let x = 0; x < width; x++, d += 3) {
      const k = get(x) * 3;
      out[d] = lut[k]!;
      out[d + 1] = lut[k + 1]!;
      out[d + 2] = lut[k + 2]!;
    }
  };
  if (rle) {
    const idx = bmpRle(b, info.offset, width, height, compression === RLE4);
    for (let i = 0; i < height; i++) {
      const row = direction < 0 ? height - 1 - i : i;
      const base = i * width;
      putIndexRow(row, (x) => idx[base + x]!);
    }
    return { width, height, data: out, mode };
  }
  const stride = ((width * bits + 31) >>> 3) & ~3;
  const start = info.offset;
  for (let i = 0; i < height; i++) {
    const row = direction < 0 ? height - 1 - i : i;
    const s = start + i * stride;
    // The raw decoder needs the row's pixel bytes (not its padding) to be present.
    const need = Math.ceil((width * bits) / 8);
    if (s + need > b.length) throw trunc();
    if (kind === 'pal') {
      if (bits === 8) putIndexRow(row, (x) => b[s + x]!);
      else if (bits === 4) putIndexRow(row, (x) => (x & 1 ? b[s + (x >> 1)]! & 15 : b[s + (x >> 1)]! >> 4));
      else putIndexRow(row, (x) => (b[s + (x >> 3)]! >> (7 - (x & 7))) & 1);
      continue;
    }
    let d = row * width * 3;
    if (kind === 'bgr') {
      for (let x = 0, q = s; x < width; x++, q += 3, d += 3) {
        out[d] = b[q + 2]!;
        out[d + 1] = b[q + 1]!;
        out[d + 2] = b[q]!;
      }
    } else if (kind === 'b32') {
      const [pr, pg, pb] = pos32;
      for (let x = 0, q = s; x < width; x++, q += 4, d += 3) {
        out[d] = b[q + pr]!;
        out[d + 1] = b[q + pg]!;
        out[d + 2] = b[q + pb]!;
      }
    } else if (kind === 'b15') {
      for (let x = 0, q = s; x < width; x++, q += 2, d += 3) {
        const v = b[q]! | (b[q + 1]! << 8);
        out[d] = Math.trunc((((v >> 10) & 31) * 255) / 31);
        out[d + 1] = Math.trunc((((v >> 5) & 31) * 255) / 31);
        out[d + 2] = Math.trunc(((v & 31) * 255) / 31);
      }
    } else {
      for (let x = 0, q = s; x < width; x++, q += 2, d += 3) {
        const v = b[q]! | (b[q + 1]! << 8);
        out[d] = Math.trunc((((v >> 11) & 31) * 255) / 31);
        out[d + 1] = Math.trunc((((v >> 5) & 63) * 255) / 63);
        out[d + 2] = Math.trunc(((v & 31) * 255) / 31);
      }
    }
  }
  return { width, height, data: out, mode };
}

/** Pillow 9.4's BmpRleDecoder.decode, byte for byte; returns width*height indices in file row order. */
function bmpRle(b: Uint8Array, offset: number, xsize: number, ysize: number, rle4: boolean): Uint8Array {
  const total = xsize * ysize;
  const data = new Uint8Array(total);
  let len = 0; // logical length of Pillow's bytearray (may exceed total: extra bytes are dropped)
  const push = (v: number, count = 1): void => {
    for (let i = 0; i < count; i++) {
      if (len < total) data[len] = v;
      len++;
    }
  };
  let p = offset;
  let x = 0;
  while (len < total) {
    if (p + 2 > b.length) {
      p = b.length;
      break;
    }
    let num = b[p]!;
    const byte = b[p + 1]!;
    p += 2;
    if (num) {
      if (x + num > xsize) num = Math.max(0, xsize - x);
      if (rle4) {
        const hi = byte >> 4;
        const lo = byte & 15;
        for (let i = 0; i < num; i++) push(i % 2 === 0 ? hi : lo);
      } else {
        push(byte, num);
      }
      x += num;
    } else if (byte === 0) {
      while (len % xsize !== 0) push(0);
      x = 0;
    } else if (byte === 1) {
      break;
    } else if (byte === 2) {
      if (p + 2 > b.length) break;
      const right = b[p]!;
      const up = b[p + 1]!;
      p += 2;
      push(0, right + up * xsize);
      x = len % xsize;
    } else {
      let count: number;
      let got: number;
      if (rle4) {
        count = byte >> 1;
        got = Math.min(count, b.length - p);
        for (let i = 0; i < got; i++) {
          push(b[p + i]! >> 4);
          push(b[p + i]! & 15);
        }
      } else {
        count = byte;
        got = Math.min(count, b.length - p);
        for (let i = 0; i < got; i++) push(b[p + i]!);
      }
      p += got;
      if (got < count) break;
      x += byte;
      if (p % 2 !== 0) p++; // align to a 16-bit word (file position)
    }
  }
  if (len < total) throw new ImageDecodeError('truncated', 'image file is truncated (not enough BMP RLE image data)');
  return data;
}
