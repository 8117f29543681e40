/**
 * Image type from magic bytes (the reference ignores the data URL's MIME type and lets Pillow
 * look at the bytes; so does solo). Covers the formats seen in web-scale image data and those
 * Pillow opens: jpeg, png, gif, webp, bmp, tiff, ico/cur, avif, heic, jxl, jp2, psd, ppm/pgm/pbm,
 * qoi, svg (text).
 */
export interface SniffedImage {
  type: string;
  mime: string;
}

function ascii(b: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function sniffImageType(b: Uint8Array): SniffedImage | null {
  const n = b.length;
  if (n >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { type: 'jpeg', mime: 'image/jpeg' };
  if (n >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return { type: 'png', mime: 'image/png' };
  }
  if (n >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return { type: 'gif', mime: 'image/gif' };
  if (n >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return { type: 'webp', mime: 'image/webp' };
  if (n >= 14 && b[0] === 0x42 && b[1] === 0x4d) {
    // BM + plausible header: reserved fields zero-ish and a known DIB header size
    const dib = b.length >= 18 ? b[14]! | (b[15]! << 8) : 40;
    if ([12, 16, 40, 52, 56, 64, 108, 124].includes(dib)) return { type: 'bmp', mime: 'image/bmp' };
  }
  if (n >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0x00) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a))) {
    return { type: 'tiff', mime: 'image/tiff' };
  }
  if (n >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2b) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2b))) {
    return { type: 'tiff', mime: 'image/tiff' }; // BigTIFF
  }
  if (n >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'avif' || brand === 'avis') return { type: 'avif', mime: 'image/avif' };
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'].includes(brand)) return { type: 'heic', mime: 'image/heic' };
    if (brand === 'mif1' || brand === 'msf1') {
      // generic HEIF brand: look for avif among compatible brands
      const boxLen = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
      const compat = ascii(b, 16, Math.max(0, Math.min(boxLen, 64) - 16));
      if (compat.includes('avif')) return { type: 'avif', mime: 'image/avif' };
      return { type: 'heic', mime: 'image/heif' };
    }
  }
  if (n >= 2 && b[0] === 0xff && b[1] === 0x0a) return { type: 'jxl', mime: 'image/jxl' };
  if (n >= 12 && b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x0c) {
    const tag = ascii(b, 4, 8);
    if (tag === 'JXL \r\n\x87\n') return { type: 'jxl', mime: 'image/jxl' };
    if (tag === 'jP  \r\n\x87\n') return { type: 'jp2', mime: 'image/jp2' };
  }
  if (n >= 4 && b[0] === 0 && b[1] === 0 && (b[2] === 1 || b[2] === 2) && b[3] === 0 && n >= 6 && (b[4]! | (b[5]! << 8)) > 0) {
    return b[2] === 1 ? { type: 'ico', mime: 'image/x-icon' } : { type: 'cur', mime: 'image/x-icon' };
  }
  if (n >= 4 && ascii(b, 0, 4) === '8BPS') return { type: 'psd', mime: 'image/vnd.adobe.photoshop' };
  if (n >= 4 && ascii(b, 0, 4) === 'qoif') return { type: 'qoi', mime: 'image/qoi' };
  if (n >= 3 && b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x36 && (b[2] === 0x0a || b[2] === 0x20 || b[2] === 0x0d || b[2] === 0x09)) {
    return { type: 'pnm', mime: 'image/x-portable-anymap' };
  }
  // SVG: text starting (after BOM/whitespace, XML declaration, comments, doctype) with <svg
  const head = ascii(b, 0, Math.min(n, 1024)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (head.startsWith('<svg') || ((head.startsWith('<?xml') || head.startsWith('<!')) && /<svg[\s>]/.test(head))) {
    return { type: 'svg', mime: 'image/svg+xml' };
  }
  return null;
}
