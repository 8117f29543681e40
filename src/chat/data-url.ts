/**
 * Data URLs: `data:[<mime>][;param…][;base64],<payload>`.
 *
 * `parseDataUrl` follows the reference's slicing: the payload is the text between the first and the
 * second comma (`url.split(",")[1]`), and the URL counts as base64 when the substring `base64`
 * occurs anywhere in it (`Encoder._encode`'s assert). The MIME type is informational only: the real
 * type comes from the bytes (sniffImageType).
 */
import { ChatValidationError } from './errors.js';
import { pythonB64Decode } from './base64.js';
import { sniffImageType } from './sniff.js';

export interface ParsedDataUrl {
  /** Declared MIME type (lower-cased; '' when absent or the URL is not a `data:` URL). */
  mime: string;
  /** True when the URL contains `base64` (the reference's test). */
  isBase64: boolean;
  /** Text between the first and second comma. */
  payload: string;
  /** True when the URL starts with `data:` (case-insensitive). */
  isDataUrl: boolean;
}

/** Parse a data URL header; throws ChatValidationError(`bad-data-url`) when there is no comma. */
export function parseDataUrl(url: string): ParsedDataUrl {
  const comma = url.indexOf(',');
  if (comma < 0) throw new ChatValidationError('bad-data-url', 'data URL has no comma', '');
  const header = url.slice(0, comma);
  const next = url.indexOf(',', comma + 1);
  const payload = next < 0 ? url.slice(comma + 1) : url.slice(comma + 1, next);
  const isDataUrl = /^data:/i.test(header);
  const mime = isDataUrl ? (header.slice(5).split(';')[0] ?? '').trim().toLowerCase() : '';
  return { mime, isBase64: url.includes('base64'), payload, isDataUrl };
}

export interface DecodedImageUrl {
  mime: string;
  bytes: Buffer;
  /** Sniffed type, or null when the bytes are no known image format. */
  sniffed: { type: string; mime: string } | null;
}

/**
 * Decode an image data URL as the reference does (base64 check, payload slice, Python base64).
 * Throws ChatValidationError with reason `bad-data-url`, `not-base64` or `bad-base64`.
 */
export function decodeImageDataUrl(url: string, path = ''): DecodedImageUrl {
  let p: ParsedDataUrl;
  try {
    p = parseDataUrl(url);
  } catch (e) {
    throw new ChatValidationError('bad-data-url', (e as ChatValidationError).detail, path);
  }
  if (!p.isBase64) throw new ChatValidationError('not-base64', 'image URL is not a base64 data URL', path);
  let bytes: Buffer;
  try {
    bytes = pythonB64Decode(p.payload);
  } catch (e) {
    throw new ChatValidationError('bad-base64', (e as Error).message, path);
  }
  return { mime: p.mime, bytes, sniffed: sniffImageType(bytes) };
}

/** `data:<mime>;base64,<bytes>`; the MIME type is sniffed from the bytes when not given. */
export function toDataUrl(bytes: Uint8Array, mime?: string): string {
  const m = mime ?? sniffImageType(bytes)?.mime ?? 'application/octet-stream';
  return `data:${m};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}
