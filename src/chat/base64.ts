/**
 * Base64 decoding exactly as CPython's non-strict `base64.b64decode(s)` (validate=False), which is
 * what the reference uses for image data URLs (spec image-preprocessing §1):
 * characters outside `A-Za-z0-9+/=` are skipped; `=` counts as padding only once 2 data characters
 * of a quad are in; a complete padded quad ends decoding (the rest is ignored); an incomplete final
 * quad is an error; any non-ASCII character is an error. Node's Buffer.from(s, 'base64') differs
 * (accepts missing padding, decodes `-`/`_`), so it is used only when its result re-encodes to `s`.
 */
import { InputError } from '../errors.js';

const TABLE = new Int16Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < 64; i++) TABLE[ALPHABET.charCodeAt(i)] = i;
const EQ = 61;


/** Error raised by pythonB64Decode: reason `bad-base64`, message as Python words it. */
export class Base64Error extends InputError {
  constructor(message: string) {
    super('bad-base64', message);
    this.name = 'Base64Error';
  }
}

export function pythonB64Decode(s: string): Buffer {
  if (s.length % 4 === 0) {
    // Fast path: `s` is exactly the canonical (padded) encoding of some bytes, so every decoder
    // agrees on them. Decode + re-encode + compare is ~15x faster than a regex over the string.
    const fast = Buffer.from(s, 'base64');
    if (fast.toString('base64') === s) return fast;
  }
  const n = s.length;
  const out = Buffer.allocUnsafe(Math.floor((n * 3) / 4) + 3);
  let o = 0;
  let quad = 0;
  let pads = 0;
  let acc = 0;
  let dataChars = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) throw new Base64Error('string argument should contain only ASCII characters');
    if (c === EQ) {
      if (quad >= 2) {
        pads++;
        if (quad + pads >= 4) return out.subarray(0, o);
      }
      continue;
    }
    const v = TABLE[c]!;
    if (v < 0) continue;
    pads = 0;
    dataChars++;
    switch (quad) {
      case 0:
        acc = v;
        quad = 1;
        break;
      case 1:
        out[o++] = (acc << 2) | (v >> 4);
        acc = v & 0x0f;
        quad = 2;
        break;
      case 2:
        out[o++] = (acc << 4) | (v >> 2);
        acc = v & 0x03;
        quad = 3;
        break;
      default:
        out[o++] = (acc << 6) | v;
        quad = 0;
    }
  }
  if (quad === 1) {
    throw new Base64Error(
      `Invalid base64-encoded string: number of data characters (${dataChars}) cannot be 1 more than a multiple of 4`,
    );
  }
  if (quad !== 0) throw new Base64Error('Incorrect padding');
  return out.subarray(0, o);
}
