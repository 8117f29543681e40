/**
 * decodeImage: encoded bytes → RGB uint8 (H×W×3), exactly as Pillow 9.4's
 * `Image.open(BytesIO(bytes)).convert("RGB")`. Dispatches by magic bytes (never by MIME type) to
 * sharp (JPEG/PNG/WebP/TIFF, with the CMYK and 16-bit-grey fix-ups) or the hand-written GIF and BMP
 * decoders, after the decompression-bomb check on the header's size.
 */
import { DEFAULT_MAX_PIXELS, ImageDecodeError } from './errors.js';
import { decodeBmp, bmpInfo } from './decode-bmp.js';
import { decodeGif, gifHeader } from './decode-gif.js';
import { decodeJpegCmyk, decodePngGrey16, decodeWithSharp, sharpMetadata, type RawRgb } from './decode-sharp.js';
import { repairTruncatedPng } from './png-repair.js';
import { jpegInfo, pngInfo, pngMode, sniffImageFormat } from './sniff.js';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGB, H×W×3, row-major. */
  data: Uint8Array;
  /** PIL format name: JPEG, PNG, GIF, BMP, WEBP, TIFF. */
  format: string;
  /** PIL mode before convert("RGB"): RGB, L, P, RGBA, LA, CMYK, I, 1, … */
  mode: string;
}

export interface DecodeImageOptions {
  /**
   * Refuse images with more than this many pixels (default 2 × 89,478,485 = Pillow's
   * DecompressionBombError threshold). `Infinity` disables the check.
   */
  maxPixels?: number;
}

function checkPixels(width: number, height: number, maxPixels: number, format: string): void {
  if (width * height > maxPixels) {
    throw new ImageDecodeError('too-large', `${format} image of ${width}x${height} = ${width * height} pixels exceeds the limit of ${maxPixels} pixels (could be a decompression bomb)`);
  }
}

function checkResult(r: RawRgb, expectW: number, expectH: number, format: string): void {
  if (r.width !== expectW || r.height !== expectH) {
    throw new ImageDecodeError('corrupt', `${format}: decoded size ${r.width}x${r.height} differs from the header's ${expectW}x${expectH}`);
  }
}

export async function decodeImage(bytes: Uint8Array, opts: DecodeImageOptions = {}): Promise<DecodedImage> {
  try {
    return await decodeImageInner(bytes, opts);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    // Safety net: a malformed file must be one bad record, never a crash of the whole run.
    throw new ImageDecodeError('corrupt', `broken image data: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}

async function decodeImageInner(bytes: Uint8Array, opts: DecodeImageOptions): Promise<DecodedImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const format = sniffImageFormat(bytes);
  switch (format) {
    case 'JPEG': {
      const info = jpegInfo(bytes);
      if (info.precision !== 8) throw new ImageDecodeError('unsupported-format', `unsupported JPEG data precision ${info.precision}`);
      if (info.sof === 0xc3 || info.sof === 0xc7 || info.sof === 0xcb || info.sof === 0xcf) throw new ImageDecodeError('unsupported-format', 'unsupported JPEG process: lossless');
      if (info.width === 0 || info.height === 0) throw new ImageDecodeError('corrupt', `broken JPEG: empty image ${info.width}x${info.height}`);
      checkPixels(info.width, info.height, maxPixels, format);
      const mode = info.components === 1 ? 'L' : info.components === 3 ? 'RGB' : info.components === 4 ? 'CMYK' : '';
      if (!mode) throw new ImageDecodeError('unsupported-format', `unsupported JPEG with ${info.components} components`);
      const r = mode === 'CMYK' ? await decodeJpegCmyk(bytes, maxPixels) : await decodeWithSharp(bytes, format, maxPixels);
      checkResult(r, info.width, info.height, format);
      return { ...r, format, mode };
    }
    case 'PNG': {
      const info = pngInfo(bytes);
      const mode = pngMode(info);
      if (info.width === 0 || info.height === 0) throw new ImageDecodeError('corrupt', `broken PNG: empty image ${info.width}x${info.height}`);
      checkPixels(info.width, info.height, maxPixels, format);
      const dec = (b: Uint8Array) => (mode === 'I' ? decodePngGrey16(b, maxPixels) : decodeWithSharp(b, format, maxPixels));
      let r: RawRgb;
      try {
        r = await dec(bytes);
      } catch (e) {
        // Pillow accepts PNGs cut after the last complete scanline; libpng does not.
        const repaired = e instanceof ImageDecodeError && (e.reason === 'truncated' || e.reason === 'corrupt') ? repairTruncatedPng(bytes) : null;
        if (!repaired) throw e;
        r = await dec(repaired);
      }
      checkResult(r, info.width, info.height, format);
      return { ...r, format, mode };
    }
    case 'GIF': {
      const h = gifHeader(bytes);
      checkPixels(h.width, h.height, maxPixels, format);
      const r = decodeGif(bytes, maxPixels);
      checkPixels(r.width, r.height, maxPixels, format);
      return { width: r.width, height: r.height, data: r.data, format, mode: r.mode };
    }
    case 'BMP': {
      const info = bmpInfo(bytes);
      checkPixels(info.width, info.height, maxPixels, format);
      const r = decodeBmp(bytes);
      return { width: r.width, height: r.height, data: r.data, format, mode: r.mode };
    }
    case 'WEBP':
    case 'TIFF': {
      const meta = await sharpMetadata(bytes, format);
      const w = meta.width ?? 0;
      const h = meta.pageHeight ?? meta.height ?? 0;
      checkPixels(w, h, maxPixels, format);
      let mode: string;
      let r: RawRgb;
      if (format === 'WEBP') {
        mode = meta.hasAlpha ? 'RGBA' : 'RGB';
        r = await decodeWithSharp(bytes, format, maxPixels);
      } else if (meta.space === 'cmyk' && meta.channels === 4) {
        mode = 'CMYK';
        r = await decodeJpegCmyk(bytes, maxPixels, format);
      } else if (meta.depth === 'ushort' && (meta.channels === 1 || meta.channels === 2)) {
        // Pillow opens 16-bit grey TIFF as I;16 and clamps to 255 on convert("RGB").
        mode = 'I;16';
        r = await decodePngGrey16(bytes, maxPixels, format);
      } else {
        const ch = meta.channels;
        mode = ch === 1 ? (meta.bitsPerSample === 1 ? '1' : 'L') : ch === 2 ? 'LA' : ch === 4 ? 'RGBA' : 'RGB';
        r = await decodeWithSharp(bytes, format, maxPixels);
      }
      return { ...r, format, mode };
    }
  }
}
