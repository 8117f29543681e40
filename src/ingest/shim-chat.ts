/**
 * PRIVATE SHIM (temporary): minimal stand-ins for src/chat helpers until engineer A's module lands.
 * Only `deps.ts` imports this file.
 */
export interface SniffedImage {
  type: string;
  mime: string;
}

/** Magic-byte sniffing of the image formats PIL (and so the converter) reads. */
export function sniffImageType(b: Uint8Array): SniffedImage | null {
  const at = (i: number) => b[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return { type: 'jpeg', mime: 'image/jpeg' };
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return { type: 'png', mime: 'image/png' };
  if (at(0) === 0x47 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x38) return { type: 'gif', mime: 'image/gif' };
  if (at(0) === 0x52 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x46 && at(8) === 0x57 && at(9) === 0x45 && at(10) === 0x42 && at(11) === 0x50)
    return { type: 'webp', mime: 'image/webp' };
  if (at(0) === 0x42 && at(1) === 0x4d) return { type: 'bmp', mime: 'image/bmp' };
  if ((at(0) === 0x49 && at(1) === 0x49 && at(2) === 0x2a && at(3) === 0) || (at(0) === 0x4d && at(1) === 0x4d && at(2) === 0 && at(3) === 0x2a))
    return { type: 'tiff', mime: 'image/tiff' };
  return null;
}

export function toDataUrl(bytes: Uint8Array, mime?: string): string {
  const m = mime ?? sniffImageType(bytes)?.mime ?? 'application/octet-stream';
  return `data:${m};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** Lenient base64 decode in the spirit of CPython's non-validating b64decode. */
export function pythonB64Decode(s: string): Uint8Array {
  const clean = s.replace(/[^A-Za-z0-9+/=]/g, '');
  if (clean.replace(/=+$/, '').length % 4 === 1) throw new Error('Incorrect padding');
  return Buffer.from(clean, 'base64');
}

export function parseDataUrl(url: string): { mime: string; bytes: Uint8Array } {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0 || !url.slice(0, comma).includes('base64')) throw new Error('not a base64 data URL');
  const mime = url.slice(5, comma).split(';')[0] ?? '';
  return { mime, bytes: pythonB64Decode(url.slice(comma + 1)) };
}
