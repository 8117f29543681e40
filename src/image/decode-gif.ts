/**
 * GIF decoder for the first frame, with Pillow 9.4's rules (GifImagePlugin + GifDecode.c):
 * - the canvas is the logical screen (grown if frame 0 extends past it);
 * - pixels outside frame 0 hold the transparency index if frame 0's graphic control extension
 *   has one, else index 0; transparent pixels keep their palette colour (no compositing);
 * - the local colour table is used if present, else the global one; a palette that is the
 *   identity grey ramp gives mode L, no palette at all gives mode L (index = grey level);
 * - palette indices past the table's end map to Pillow's initial grey ramp (i, i, i).
 * Hand-written (about 200 lines) because sharp returns (0,0,0,0) for transparent pixels and there is
 * no decoder package that keeps palette colours with these canvas rules.
 */
import { ImageDecodeError } from './errors.js';
import type { RawRgb } from './decode-sharp.js';

export interface GifHeader {
  width: number;
  height: number;
}

export function gifHeader(b: Uint8Array): GifHeader {
  if (b.length < 13) throw new ImageDecodeError('truncated', 'image file is truncated (GIF header)');
  const v = String.fromCharCode(b[3]!, b[4]!, b[5]!);
  if (v !== '87a' && v !== '89a') throw new ImageDecodeError('unsupported-format', 'cannot identify image file: not a GIF87a/GIF89a file');
  return { width: b[6]! | (b[7]! << 8), height: b[8]! | (b[9]! << 8) };
}

/** Pillow's `_is_palette_needed`: false when entry i is (i, i, i) for every entry. */
function paletteNeeded(p: Uint8Array): boolean {
  for (let i = 0; i < p.length; i += 3) {
    const v = i / 3;
    if (!(p[i] === v && p[i + 1] === v && p[i + 2] === v)) return true;
  }
  return false;
}

function truncated(): ImageDecodeError {
  return new ImageDecodeError('truncated', 'image file is truncated (GIF data ends early)');
}

/** Decode LZW data of one frame into `pix` (fw*fh indices, rows in stream order). Returns pixels written. */
function lzwDecode(b: Uint8Array, pos: number, minCodeSize: number, pix: Uint8Array): { written: number; end: number; complete: boolean } {
  if (minCodeSize < 1 || minCodeSize > 11) throw new ImageDecodeError('corrupt', `broken GIF: bad LZW code size ${minCodeSize}`);
  const total = pix.length;
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const stack = new Uint8Array(4097);
  for (let i = 0; i < clear; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    first[i] = i;
  }
  let codeSize = minCodeSize + 1;
  let codeMask = (1 << codeSize) - 1;
  let next = clear + 2;
  let prev = -1;
  let bits = 0;
  let nbits = 0;
  let written = 0;
  let blockLeft = 0;
  let p = pos;
  let ended = false; // saw the 0-length block terminator
  let done = false; // EOI code or all pixels written
  while (!done) {
    // Refill the bit buffer from sub-blocks.
    while (nbits < codeSize) {
      if (blockLeft === 0) {
        if (ended) break;
        if (p >= b.length) return { written, end: p, complete: false };
        blockLeft = b[p++]!;
        if (blockLeft === 0) {
          ended = true;
          break;
        }
      }
      if (p >= b.length) return { written, end: p, complete: false };
      bits |= b[p++]! << nbits;
      nbits += 8;
      blockLeft--;
    }
    if (nbits < codeSize) break; // data sub-blocks exhausted before EOI
    const code = bits & codeMask;
    bits >>>= codeSize;
    nbits -= codeSize;
    if (code === clear) {
      codeSize = minCodeSize + 1;
      codeMask = (1 << codeSize) - 1;
      next = clear + 2;
      prev = -1;
      continue;
    }
    if (code === eoi) {
      done = true;
      break;
    }
    let sp = 0;
    let c: number;
    if (prev === -1) {
      if (code >= clear) throw new ImageDecodeError('corrupt', 'broken GIF: bad first LZW code');
      c = code;
    } else if (code < next) {
      c = code;
    } else if (code === next) {
      stack[sp++] = first[prev]!;
      c = prev;
    } else {
      throw new ImageDecodeError('corrupt', 'broken GIF: LZW code out of range');
    }
    const firstOfC = first[c]!;
    while (c >= 0 && sp < 4097) {
      stack[sp++] = suffix[c]!;
      c = prefix[c]!;
    }
    while (sp > 0 && written < total) pix[written++] = stack[--sp]!;
    if (prev !== -1 && next < 4096) {
      prefix[next] = prev;
      suffix[next] = firstOfC;
      first[next] = first[prev]!;
      next++;
      if (next === codeMask + 1 && codeSize < 12) {
        codeSize++;
        codeMask = (1 << codeSize) - 1;
      }
    }
    prev = code;
    if (written >= total) done = true;
  }
  // Skip the rest of the sub-blocks.
  if (!ended) {
    if (blockLeft > 0) p += blockLeft;
    for (;;) {
      if (p >= b.length) return { written, end: p, complete: written >= total };
      const n = b[p++]!;
      if (n === 0) break;
      p += n;
    }
  }
  return { written, end: p, complete: true };
}

export interface GifDecoded extends RawRgb {
  mode: string;
}

export function decodeGif(b: Uint8Array, maxPixels = Infinity): GifDecoded {
  const hdr = gifHeader(b);
  let width = hdr.width;
  let height = hdr.height;
  const flags = b[10]!;
  let p = 13;
  let globalPal: Uint8Array | null = null;
  if (flags & 0x80) {
    const n = 3 << ((flags & 7) + 1);
    if (p + n > b.length) throw truncated();
    const pal = b.subarray(p, p + n);
    if (paletteNeeded(pal)) globalPal = pal;
    p += n;
  }
  let transparency: number | null = null;
  for (;;) {
    if (p >= b.length) throw truncated();
    const t = b[p++]!;
    if (t === 0x3b) throw new ImageDecodeError('corrupt', 'broken GIF: no image data before the trailer');
    if (t === 0x21) {
      if (p >= b.length) throw truncated();
      const label = b[p++]!;
      let first = true;
      for (;;) {
        if (p >= b.length) throw truncated();
        const n = b[p++]!;
        if (n === 0) break;
        if (p + n > b.length) throw truncated();
        if (label === 0xf9 && first && n >= 4) {
          transparency = b[p]! & 1 ? b[p + 3]! : null;
        }
        first = false;
        p += n;
      }
      continue;
    }
    if (t !== 0x2c) {
      // Pillow stops scanning at an unknown block; without a frame there is nothing to load.
      throw new ImageDecodeError('corrupt', `broken GIF: unexpected block 0x${t.toString(16)}`);
    }
    if (p + 9 > b.length) throw truncated();
    const x0 = b[p]! | (b[p + 1]! << 8);
    const y0 = b[p + 2]! | (b[p + 3]! << 8);
    const fw = b[p + 4]! | (b[p + 5]! << 8);
    const fh = b[p + 6]! | (b[p + 7]! << 8);
    const fflags = b[p + 8]!;
    p += 9;
    let pal: Uint8Array | null = globalPal;
    if (fflags & 0x80) {
      const n = 3 << ((fflags & 7) + 1);
      if (p + n > b.length) throw truncated();
      const lp = b.subarray(p, p + n);
      pal = paletteNeeded(lp) ? lp : null;
      p += n;
    }
    const interlaced = (fflags & 0x40) !== 0;
    if (x0 + fw > width || y0 + fh > height) {
      width = Math.max(width, x0 + fw);
      height = Math.max(height, y0 + fh);
    }
    if (width * height > maxPixels || fw * fh > maxPixels) {
      throw new ImageDecodeError('too-large', `GIF canvas ${width}x${height} exceeds the limit of ${maxPixels} pixels (could be a decompression bomb)`);
    }
    if (p >= b.length) throw truncated();
    const minCode = b[p++]!;
    const pix = new Uint8Array(fw * fh);
    const r = lzwDecode(b, p, minCode, pix);
    if (!r.complete) throw truncated();
    // Canvas of indices: fill, then blit the frame (deinterlacing rows).
    const canvas = new Uint8Array(width * height).fill(transparency ?? 0);
    const rowOrder = (i: number): number => {
      if (!interlaced) return i;
      const g1 = (fh + 7) >> 3;
      if (i < g1) return i * 8;
      i -= g1;
      const g2 = (fh + 3) >> 3;
      if (i < g2) return i * 8 + 4;
      i -= g2;
      const g3 = (fh + 1) >> 2;
      if (i < g3) return i * 4 + 2;
      i -= g3;
      return i * 2 + 1;
    };
    const rowsWritten = Math.floor(r.written / Math.max(1, fw));
    for (let i = 0; i < fh; i++) {
      const ry = rowOrder(i);
      const off = i * fw;
      const count = i < rowsWritten ? fw : i === rowsWritten ? r.written - off : 0;
      if (count <= 0) continue;
      canvas.set(pix.subarray(off, off + count), (y0 + ry) * width + x0);
    }
    const out = new Uint8Array(width * height * 3);
    // Palette lookup with Pillow's grey-ramp initialisation beyond the table.
    const lut = new Uint8Array(768);
    for (let i = 0; i < 256; i++) lut[i * 3] = lut[i * 3 + 1] = lut[i * 3 + 2] = i;
    if (pal) lut.set(pal.subarray(0, Math.min(768, pal.length)));
    for (let i = 0, d = 0; i < canvas.length; i++, d += 3) {
      const k = canvas[i]! * 3;
      out[d] = lut[k]!;
      out[d + 1] = lut[k + 1]!;
      out[d + 2] = lut[k + 2]!;
    }
    return { width, height, data: out, mode: pal ? 'P' : 'L' };
  }
}
