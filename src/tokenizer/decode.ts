/**
 * SentencePiece `decode_ids` (0.1.97, spec/tokenizer.md §3): control pieces vanish, the unknown
 * piece becomes `unk_surface`, the first non-control piece loses one leading ▁ (if the model adds a
 * dummy prefix or removes extra whitespace), ▁ becomes a space,
 * and each maximal run of BYTE pieces is decoded as UTF-8 where every byte that does not start a
 * valid sequence becomes one U+FFFD (SentencePiece's DecodeUTF8, which differs from TextDecoder's
 * "maximal subpart" rule, hence hand-written).
 */
import { SoloError } from '../errors.js';
import { SentencePieceType } from '../formats/sentencepiece/index.js';
import { SPACE_SYMBOL, type SpVocab } from './vocab.js';

const isTrail = (b: number): boolean => (b & 0xc0) === 0x80;
const validCp = (c: number): boolean => c < 0xd800 || (c >= 0xe000 && c <= 0x10ffff);

/** Decode bytes like sentencepiece's string_util::DecodeUTF8 loop (one U+FFFD per bad byte). */
export function decodeUtf8Lenient(bytes: number[]): string {
  let s = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b0 = bytes[i];
    const left = n - i;
    if (b0 < 0x80) {
      s += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    if (left >= 2 && (b0 & 0xe0) === 0xc0) {
      const cp = ((b0 & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      if (isTrail(bytes[i + 1]) && cp >= 0x80 && validCp(cp)) {
        s += String.fromCodePoint(cp);
        i += 2;
        continue;
      }
    } else if (left >= 3 && (b0 & 0xf0) === 0xe0) {
      const cp = ((b0 & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      if (isTrail(bytes[i + 1]) && isTrail(bytes[i + 2]) && cp >= 0x800 && validCp(cp)) {
        s += String.fromCodePoint(cp);
        i += 3;
        continue;
      }
    } else if (left >= 4 && (b0 & 0xf8) === 0xf0) {
      const cp = ((b0 & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      if (isTrail(bytes[i + 1]) && isTrail(bytes[i + 2]) && isTrail(bytes[i + 3]) && cp >= 0x10000 && validCp(cp)) {
        s += String.fromCodePoint(cp);
        i += 4;
        continue;
      }
    }
    s += '\ufffd';
    i += 1;
  }
  return s;
}

export function decodeIds(v: SpVocab, ids: ArrayLike<number>): string {
  const { types, pieces } = v;
  const parts: string[] = [];
  let bytes: number[] = [];
  let isBosWs = true;
  // 0.1.97 strips the first piece's ▁ only when the normaliser may have added or kept one there
  const stripFirst = v.settings.addDummyPrefix || v.settings.removeExtraWhitespaces;
  const keepBosWhileEmpty = v.settings.removeExtraWhitespaces;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= pieces.length) {
      throw new SoloError(`piece id is out of range: ${id} (the model has ${pieces.length} pieces)`);
    }
    const type = types[id];
    if (type === SentencePieceType.BYTE) {
      bytes.push(parseInt(pieces[id].slice(3, 5), 16));
      isBosWs = false;
      continue;
    }
    if (bytes.length > 0) {
      parts.push(decodeUtf8Lenient(bytes));
      bytes = [];
    }
    if (type === SentencePieceType.CONTROL) continue;
    if (type === SentencePieceType.UNKNOWN) {
      parts.push(v.settings.unkSurface);
      isBosWs = false;
      continue;
    }
    let piece = pieces[id];
    if (isBosWs && stripFirst && piece.startsWith(SPACE_SYMBOL)) piece = piece.slice(SPACE_SYMBOL.length);
    // With remove_extra_whitespaces a piece that decodes to nothing (a lone ▁) does not end the
    // leading-space stripping (measured against 0.1.97: [▁, ▁x] → "x"); without it, it does.
    if (!(keepBosWhileEmpty && piece === '')) isBosWs = false;
    parts.push(piece.includes(SPACE_SYMBOL) ? piece.replaceAll(SPACE_SYMBOL, ' ') : piece);
  }
  if (bytes.length > 0) parts.push(decodeUtf8Lenient(bytes));
  return parts.join('');
}
