/**
 * The general SentencePiece BPE encoder: a direct port of sentencepiece 0.1.97's identity
 * Normalizer::Normalize, bpe::Model::Encode (user-defined prefix matching with frozen symbols, a
 * score/leftmost priority queue with the "sizes still add up" stale check, UNUSED resegmentation)
 * and SentencePieceProcessor's byte fallback / unknown merging. String symbols, whole input as one
 * sequence: slower than encode-fast.ts but valid for every model buildVocab accepts. Used for
 * `encodeAsPieces`, for models where the fast path is not exact, and as the tests' in-process
 * reference for the fast path.
 */
import { SentencePieceType } from '../formats/sentencepiece/index.js';
import { SPACE_SYMBOL, type SpVocab } from './vocab.js';

/** One output piece: its surface/piece string and id. */
export interface EncodedPiece {
  piece: string;
  id: number;
}

/** Identity normalisation with the model's whitespace flags (no charsmap). */
export function normalizeIdentity(v: SpVocab, text: string): string {
  const { addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces } = v.settings;
  const chars = Array.from(text);
  let i = 0;
  if (removeExtraWhitespaces) while (i < chars.length && chars[i] === ' ') i++;
  if (i === chars.length) return '';
  const ws = escapeWhitespaces ? SPACE_SYMBOL : ' ';
  const parts: string[] = [];
  if (addDummyPrefix) parts.push(ws);
  let isPrevSpace = removeExtraWhitespaces;
  for (; i < chars.length; i++) {
    const ch = chars[i];
    if (!(isPrevSpace && ch === ' ')) {
      parts.push(escapeWhitespaces && ch === ' ' ? SPACE_SYMBOL : ch);
      isPrevSpace = ch === ' ';
    }
    if (!removeExtraWhitespaces) isPrevSpace = false;
  }
  let s = parts.join('');
  if (removeExtraWhitespaces) while (s.endsWith(ws)) s = s.slice(0, s.length - ws.length);
  return s;
}

interface Sym {
  prev: number;
  next: number;
  freeze: boolean;
  piece: string;
}

interface Pair {
  left: number;
  right: number;
  score: number;
  size: number;
}

/** Encode to (piece, id) pairs exactly like SentencePieceProcessor::Encode. Text must be well-formed. */
export function encodeGeneral(v: SpVocab, text: string): EncodedPiece[] {
  const normalized = normalizeIdentity(v, text);
  if (normalized === '') return [];
  const { mergeable, scores, types } = v;
  const pieceToId = (p: string): number => v.reserved.get(p) ?? mergeable.get(p) ?? v.unkId;
  const isUnused = (id: number): boolean => types[id] === SentencePieceType.UNUSED;

  // Split into characters, user-defined pieces (longest match) being one frozen symbol each.
  const symbols: Sym[] = [];
  const ud = v.userDefined.length > 0 ? [...v.userDefined].sort((a, b) => b.length - a.length) : [];
  let pos = 0;
  while (pos < normalized.length) {
    let len = 0;
    let freeze = false;
    for (const u of ud) {
      if (normalized.startsWith(u, pos)) {
        len = u.length;
        freeze = true;
        break;
      }
    }
    if (!freeze) len = normalized.codePointAt(pos)! > 0xffff ? 2 : 1;
    symbols.push({ prev: symbols.length - 1, next: -1, freeze, piece: normalized.slice(pos, pos + len) });
    pos += len;
  }
  for (let i = 0; i + 1 < symbols.length; i++) symbols[i].next = i + 1;

  const heap: Pair[] = [];
  const before = (a: Pair, b: Pair): boolean => a.score > b.score || (a.score === b.score && a.left < b.left);
  const push = (p: Pair): void => {
    let i = heap.length;
    heap.push(p);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(p, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = p;
  };
  const pop = (): Pair => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  const revMerge = new Map<string, [string, string]>();
  const maybeAdd = (left: number, right: number): void => {
    if (left === -1 || right === -1 || symbols[left].freeze || symbols[right].freeze) return;
    const piece = symbols[left].piece + symbols[right].piece;
    const id = mergeable.get(piece);
    if (id === undefined) return;
    push({ left, right, score: scores[id], size: piece.length });
    if (isUnused(id)) revMerge.set(piece, [symbols[left].piece, symbols[right].piece]);
  };
  for (let i = 1; i < symbols.length; i++) maybeAdd(i - 1, i);
  while (heap.length > 0) {
    const top = pop();
    const L = symbols[top.left];
    const R = symbols[top.right];
    if (L.piece === '' || R.piece === '' || L.piece.length + R.piece.length !== top.size) continue;
    L.piece += R.piece;
    L.next = R.next;
    if (R.next >= 0) symbols[R.next].prev = top.left;
    R.piece = '';
    maybeAdd(L.prev, top.left);
    maybeAdd(top.left, L.next);
  }

  const model: EncodedPiece[] = [];
  const resegment = (w: string): void => {
    const id = pieceToId(w);
    if (!isUnused(id)) {
      model.push({ piece: w, id });
      return;
    }
    const p = revMerge.get(w);
    if (!p) {
      model.push({ piece: w, id });
      return;
    }
    resegment(p[0]);
    resegment(p[1]);
  };
  for (let i = 0; i !== -1; i = symbols[i].next) resegment(symbols[i].piece);

  // SentencePieceProcessor: byte fallback for unknown pieces, else merge runs of unknowns.
  const out: EncodedPiece[] = [];
  let prevIsUnk = false;
  for (const { piece, id } of model) {
    const isUnk = types[id] === SentencePieceType.UNKNOWN;
    if (isUnk && v.settings.byteFallback) {
      for (const b of Buffer.from(piece, 'utf8')) {
        out.push({ piece: `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, id: v.byteIds[b] });
      }
    } else if (isUnk && prevIsUnk) {
      out[out.length - 1].piece += piece;
    } else {
      out.push({ piece, id });
    }
    prevIsUnk = isUnk;
  }
  return out;
}
