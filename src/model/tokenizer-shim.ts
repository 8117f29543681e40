/**
 * Thin call site for the tokenizer operations model commands need: the piece count of a
 * SentencePiece `tokenizer.model` (a top-level field-1 count, no full parse: cheap on every
 * checkpoint open) and the SOLO token extension, which is the tokenizer module's.
 */
import { SoloError } from '../errors.js';

function varint(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (pos >= b.length) throw new SoloError('tokenizer.model: truncated varint');
    const c = b[pos++]!;
    v += (c & 0x7f) * mul;
    if (!(c & 0x80)) return [v, pos];
    mul *= 128;
  }
}

interface Field { num: number; start: number; end: number }

function topFields(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  while (p < b.length) {
    const start = p;
    const [key, p1] = varint(b, p);
    p = p1;
    const wt = key & 7;
    if (wt === 0) p = varint(b, p)[1];
    else if (wt === 1) p += 8;
    else if (wt === 5) p += 4;
    else if (wt === 2) {
      const [len, p2] = varint(b, p);
      p = p2 + len;
    } else throw new SoloError(`tokenizer.model: unsupported wire type ${wt}`);
    if (p > b.length) throw new SoloError('tokenizer.model: truncated field');
    out.push({ num: Math.floor(key / 8), start, end: p });
  }
  return out;
}

/** Number of pieces (= vocabulary size) of a SentencePiece model. */
export function sentencePieceCount(bytes: Uint8Array): number {
  return topFields(bytes).filter((f) => f.num === 1).length;
}

/** SOLO vocabulary extension: the tokenizer module's (spec §2.2 splice, byte-exact). */
export { extendSoloModelBytes } from '../tokenizer/index.js';
