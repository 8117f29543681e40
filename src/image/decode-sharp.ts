/**
 * JPEG / PNG / WebP / TIFF decoding through sharp (libvips), with the options and fix-ups that
 * make the pixels equal Pillow 9.4's `Image.open(...).convert("RGB")`:
 * - `ignoreIcc` (Pillow ignores ICC profiles), no autoOrient (Pillow ignores EXIF orientation),
 *   no resize and no shrink-on-load, `failOn: 'truncated'` (same accept/reject verdict as Pillow);
 * - 1/2-channel output replicated to RGB, alpha dropped (never composited);
 * - 4-component JPEG: decoded as raw (inverted) CMYK, then Pillow's CMYK→RGB formula;
 * - 16-bit grey PNG: Pillow opens it as mode I and `convert("RGB")` clamps to 0..255.
 */
import sharp from 'sharp';
import { ImageDecodeError } from './errors.js';
import type { SoloImageFormat } from './sniff.js';

sharp.cache(false);

export interface RawRgb {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Map a libvips/sharp error to the reference's error classes. */
export function sharpError(err: unknown, format: string): ImageDecodeError {
  const msg = err instanceof Error ? err.message : String(err);
  const m = msg.toLowerCase();
  if (/premature end|truncat|unexpected end|end of (file|data|stream)|not enough data|out of data|read error|incomplete/.test(m)) {
    return new ImageDecodeError('truncated', `image file is truncated (${format}: ${msg.split('\n')[0]})`, undefined, { cause: err });
  }
  if (/pixel limit|exceeds|too large/.test(m)) {
    return new ImageDecodeError('too-large', `${format}: ${msg.split('\n')[0]}`, undefined, { cause: err });
  }
  if (/unsupported|not supported|not a known|bad input|input buffer contains unsupported/.test(m)) {
    return new ImageDecodeError('unsupported-format', `cannot decode ${format}: ${msg.split('\n')[0]}`, undefined, { cause: err });
  }
  return new ImageDecodeError('corrupt', `broken ${format} data: ${msg.split('\n')[0]}`, undefined, { cause: err });
}

function open(bytes: Uint8Array, maxPixels: number): sharp.Sharp {
  return sharp(bytes, {
    ignoreIcc: true,
    failOn: 'truncated',
    autoOrient: false,
    limitInputPixels: maxPixels > 0 && Number.isFinite(maxPixels) ? Math.max(1, Math.floor(maxPixels)) : false,
    sequentialRead: true,
  });
}

/** Common recipe: raw pixels, grey replicated, alpha dropped. */
export async function decodeWithSharp(bytes: Uint8Array, format: SoloImageFormat, maxPixels: number): Promise<RawRgb> {
  let res: { data: Buffer; info: sharp.OutputInfo };
  try {
    res = await open(bytes, maxPixels).raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw sharpError(err, format);
  }
  const { data, info } = res;
  const { width, height, channels } = info;
  const n = width * height;
  if (channels === 3) return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, n * 3) };
  const out = new Uint8Array(n * 3);
  if (channels === 1 || channels === 2) {
    for (let i = 0, s = 0, d = 0; i < n; i++, s += channels, d += 3) {
      const v = data[s]!;
      out[d] = v;
      out[d + 1] = v;
      out[d + 2] = v;
    }
  } else if (channels === 4) {
    for (let i = 0, s = 0, d = 0; i < n; i++, s += 4, d += 3) {
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  } else {
    throw new ImageDecodeError('corrupt', `${format}: unexpected channel count ${channels}`);
  }
  return { width, height, data: out };
}

/**
 * 4-component JPEG (Adobe CMYK, YCCK, plain CMYK). libvips hands back the CMYK samples already
 * inverted the way Pillow's rawmode `CMYK;I` does; then Pillow's `cmyk2rgb`:
 * `nk = 255 - K; R = clamp(nk - MULDIV255(C, nk))`, MULDIV255(a,b) = ((a*b+128) + ((a*b+128)>>8)) >> 8.
 */
export async function decodeJpegCmyk(bytes: Uint8Array, maxPixels: number, format: SoloImageFormat = 'JPEG'): Promise<RawRgb> {
  let res: { data: Buffer; info: sharp.OutputInfo };
  try {
    res = await open(bytes, maxPixels).pipelineColourspace('cmyk').toColourspace('cmyk').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw sharpError(err, format);
  }
  const { data, info } = res;
  if (info.channels !== 4) throw new ImageDecodeError('corrupt', `${format} CMYK: unexpected channel count ${info.channels}`);
  const n = info.width * info.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0, s = 0, d = 0; i < n; i++, s += 4, d += 3) {
    const nk = 255 - data[s + 3]!;
    for (let c = 0; c < 3; c++) {
      const t = data[s + c]! * nk + 128;
      const v = nk - (((t >> 8) + t) >> 8);
      out[d + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width: info.width, height: info.height, data: out };
}

/** 16-bit grey PNG (Pillow mode I): clamp each 16-bit sample to 0..255, replicate. */
export async function decodePngGrey16(bytes: Uint8Array, maxPixels: number, format: SoloImageFormat = 'PNG'): Promise<RawRgb> {
  let res: { data: Buffer; info: sharp.OutputInfo };
  try {
    res = await open(bytes, maxPixels).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw sharpError(err, format);
  }
  const { data, info } = res;
  const ch = info.channels;
  const n = info.width * info.height;
  const u16 = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(n * 3);
  for (let i = 0, s = 0, d = 0; i < n; i++, s += ch, d += 3) {
    const v16 = u16[s]!;
    const v = v16 > 255 ? 255 : v16;
    out[d] = v;
    out[d + 1] = v;
    out[d + 2] = v;
  }
  return { width: info.width, height: info.height, data: out };
}

/** Header-only dimensions (used for the pixel limit and WebP/TIFF modes). */
export async function sharpMetadata(bytes: Uint8Array, format: SoloImageFormat): Promise<sharp.Metadata> {
  try {
    return await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch (err) {
    throw sharpError(err, format);
  }
}
