/**
 * Format detection by magic bytes (Pillow identifies images by content, never by MIME type) and
 * the few header fields decoding needs before the pixels: JPEG SOFn (component count, precision),
 * PNG IHDR (bit depth, colour type). Formats Pillow 9.4 cannot open here (AVIF, HEIC, SVG, JPEG XL)
 * and rare ones we do not port are rejected with a named reason.
 */
import { ImageDecodeError } from './errors.js';

/** PIL format names of the formats we decode. */
export type SoloImageFormat = 'JPEG' | 'PNG' | 'GIF' | 'WEBP' | 'BMP' | 'TIFF';

function ascii(b: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Name a known-but-unsupported format for the error message, or undefined. */
function unsupportedName(b: Uint8Array): string | undefined {
  const a4 = ascii(b, 4, 8);
  if (a4.startsWith('ftyp')) {
    const brand = ascii(b, 8, 4);
    if (/^avi[fs]$/.test(brand)) return 'AVIF';
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) return 'HEIF/HEIC';
    return `ISO-BMFF (${brand.trim()})`;
  }
  if (b[0] === 0xff && b[1] === 0x0a) return 'JPEG XL';
  if (ascii(b, 4, 8) === 'JXL \r\n\x87\n') return 'JPEG XL';
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0x00 && b[3] === 0x0c && ascii(b, 4, 4) === 'jP  ') return 'JPEG 2000';
  if (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) return 'JPEG 2000 codestream';
  if (ascii(b, 0, 4) === '%PDF') return 'PDF';
  if (ascii(b, 0, 4) === '8BPS') return 'PSD';
  if (b[0] === 0 && b[1] === 0 && (b[2] === 1 || b[2] === 2) && b[3] === 0) return 'ICO/CUR';
  if (b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x37 && (b[2] === 0x0a || b[2] === 0x20 || b[2] === 0x0d)) return 'PNM';
  if (ascii(b, 0, 4) === 'qoif') return 'QOI';
  if (ascii(b, 0, 4) === 'RIFF') return `RIFF (${ascii(b, 8, 4)})`;
  const head = ascii(b, 0, Math.min(b.length, 256)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (head.startsWith('<?xml') || head.startsWith('<svg') || head.startsWith('<!doctype svg')) return 'SVG/XML';
  if (head.startsWith('<')) return 'HTML/XML text';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON text';
  return undefined;
}

export function sniffImageFormat(b: Uint8Array): SoloImageFormat {
  if (b.length === 0) throw new ImageDecodeError('empty', 'image data is empty');
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
  if (b.length >= 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'PNG';
  if (b.length >= 4 && ascii(b, 0, 4) === 'GIF8') return 'GIF';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'WEBP';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'BMP';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) return 'TIFF';
  const name = unsupportedName(b);
  throw new ImageDecodeError('unsupported-format', name ? `cannot identify image file: ${name} is not a supported image format` : 'cannot identify image file: unknown format (no JPEG/PNG/GIF/WebP/BMP/TIFF signature)');
}

export interface JpegInfo {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** SOF marker code (0xC0..0xCF). */
  sof: number;
}

/** Walk JPEG markers up to the first SOFn. Throws 'truncated' if the data ends first. */
export function jpegInfo(b: Uint8Array): JpegInfo {
  let p = 2;
  for (;;) {
    // Find the next marker (skip garbage / fill bytes the way libjpeg does: tolerate extraneous bytes).
    while (p < b.length && b[p] !== 0xff) p++;
    while (p < b.length && b[p] === 0xff) p++;
    if (p >= b.length) throw new ImageDecodeError('truncated', 'image file is truncated (no frame header found)');
    const m = b[p]!;
    p++;
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue;
    if (m === 0xd9 || m === 0xda) throw new ImageDecodeError('corrupt', 'broken JPEG: scan data before the frame header');
    if (p + 2 > b.length) throw new ImageDecodeError('truncated', 'image file is truncated (in a marker segment)');
    const len = (b[p]! << 8) | b[p + 1]!;
    if (len < 2) throw new ImageDecodeError('corrupt', 'broken JPEG: bad marker segment length');
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (p + 8 > b.length) throw new ImageDecodeError('truncated', 'image file is truncated (in the frame header)');
      return {
        sof: m,
        precision: b[p + 2]!,
        height: (b[p + 3]! << 8) | b[p + 4]!,
        width: (b[p + 5]! << 8) | b[p + 6]!,
        components: b[p + 7]!,
      };
    }
    p += len;
  }
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

export function pngInfo(b: Uint8Array): PngInfo {
  if (b.length < 29) throw new ImageDecodeError('truncated', 'image file is truncated (PNG header)');
  if (ascii(b, 12, 4) !== 'IHDR') throw new ImageDecodeError('corrupt', 'broken PNG file: first chunk is not IHDR');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: b[24]!, colorType: b[25]! };
}

/** Pillow's mode for a PNG (PngImagePlugin._MODES). */
export function pngMode(info: PngInfo): string {
  const { bitDepth: d, colorType: t } = info;
  switch (t) {
    case 0:
      return d === 1 ? '1' : d === 16 ? 'I' : 'L';
    case 2:
      return 'RGB';
    case 3:
      return 'P';
    case 4:
      return d === 16 ? 'RGBA' : 'LA';
    case 6:
      return 'RGBA';
    default:
      throw new ImageDecodeError('corrupt', `broken PNG file: unknown colour type ${t}`);
  }
}
