/**
 * Thin call site for the tokenizer operations model commands need: the piece count of a
 * SentencePiece `tokenizer.model` and the SOLO token splice (spec §2.2). PRIVATE SHIM: the
 * tokenizer module (src/tokenizer, `extendSoloModelBytes`) owns this logic; until it is exported
 * this file carries a minimal implementation so swapping is a one-line change here.
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

/** SOLO's added pieces, in id order (spec §2.2). */
export function soloTokenList(chatTokens: boolean): string[] {
  const t = ['<vision>', '<vpatch>', '<vrow_sep>', '<vframe_sep>', '</vision>'];
  for (let i = 1; i <= 1024; i++) t.push(`<loc_${i}>`);
  if (chatTokens) t.push('<|im_start|>', '<|im_end|>');
  return t;
}

/** Appends the SOLO pieces (NORMAL type, score 0.0) right after the last `pieces` record. */
export function extendSoloModelBytesShim(bytes: Uint8Array, opts: { chatTokens?: boolean } = {}): Buffer {
  const fields = topFields(bytes);
  const pieces = fields.filter((f) => f.num === 1);
  if (!pieces.length) throw new SoloError('tokenizer.model has no pieces');
  const last = pieces[pieces.length - 1]!;
  if (fields.slice(0, pieces.length).some((f) => f.num !== 1)) throw new SoloError('tokenizer.model is not canonical: pieces are not contiguous at the start');
  const recs: Buffer[] = [];
  const enc = (n: number) => {
    const o: number[] = [];
    while (n >= 0x80) {
      o.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    o.push(n);
    return Buffer.from(o);
  };
  for (const t of soloTokenList(!!opts.chatTokens)) {
    const s = Buffer.from(t, 'utf8');
    const body = Buffer.concat([Buffer.from([0x0a]), enc(s.length), s, Buffer.from([0x15, 0, 0, 0, 0])]);
    recs.push(Buffer.from([0x0a]), enc(body.length), body);
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Buffer.concat([b.subarray(0, last.end), ...recs, b.subarray(last.end)]);
}
