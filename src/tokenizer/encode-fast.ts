/**
 * The fast SentencePiece BPE encoder (spec/tokenizer.md §2.8): integer symbols, chunking before
 * every ▁ that follows a non-▁ character, a per-chunk cache, an O(n²) rescan for short chunks and a
 * heap with stale-pair checks for long ones. Only used when `vocab.fastPath` holds (checked at load:
 * identity normaliser, escape_whitespaces, no remove_extra_whitespaces, no USER_DEFINED/UNUSED
 * pieces, no piece with ▁ after another character). Under those conditions it equals
 * encode-general.ts (whole-string BPE, a port of bpe_model.cc), which the tests check differentially.
 *
 * Merge order: highest piece score first; on a tie the pair whose left symbol starts earliest.
 */
import { SentencePieceType } from '../formats/sentencepiece/index.js';
import type { SpVocab } from './vocab.js';

const SPACE_CP = 0x2581;
const RESCAN_MAX = 24;
const CACHE_MAX_KEY = 48;
const CACHE_MAX_ENTRIES = 1 << 17;

export class FastEncoder {
  private readonly cache = new Map<string, Int32Array>();
  // scratch buffers, grown on demand
  private syms = new Int32Array(256);
  private cps = new Int32Array(256);
  private pairM = new Int32Array(256);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private hL = new Int32Array(0);
  private hR = new Int32Array(0);
  private hLS = new Int32Array(0);
  private hRS = new Int32Array(0);
  private hM = new Int32Array(0);
  private hS = new Float32Array(0);
  private heap = new Int32Array(0);
  private readonly charOutBmp: Int32Array;
  private readonly charOutAstral = new Map<number, number>();
  private readonly out: number[] = [];

  constructor(private readonly v: SpVocab) {
    this.charOutBmp = new Int32Array(0x10000).fill(-2);
  }

  /** Encode text that is already known to be well-formed UTF-16 and non-empty. */
  encode(text: string): number[] {
    const out: number[] = [];
    const v = this.v;
    const n = text.length;
    let start = 0;
    let first = v.settings.addDummyPrefix;
    let prevWs = first; // the dummy ▁ counts as the previous character of text[0]
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const ws = c === 0x20 || c === SPACE_CP;
      if (ws && !prevWs && i > 0) {
        this.chunk(text, start, i, first, out);
        first = false;
        start = i;
      }
      prevWs = ws;
    }
    this.chunk(text, start, n, first, out);
    return out;
  }

  private charOut(cp: number): number {
    if (cp < 0x10000) {
      let id = this.charOutBmp[cp];
      if (id === -2) {
        const ch = String.fromCharCode(cp);
        id = this.v.reserved.get(ch) ?? this.v.mergeable.get(ch) ?? -1;
        this.charOutBmp[cp] = id;
      }
      return id;
    }
    let id = this.charOutAstral.get(cp);
    if (id === undefined) {
      const ch = String.fromCodePoint(cp);
      id = this.v.reserved.get(ch) ?? this.v.mergeable.get(ch) ?? -1;
      this.charOutAstral.set(cp, id);
    }
    return id;
  }

  private grow(n: number): void {
    if (this.syms.length >= n) return;
    let cap = this.syms.length;
    while (cap < n) cap *= 2;
    this.syms = new Int32Array(cap);
    this.cps = new Int32Array(cap);
    this.pairM = new Int32Array(cap);
  }

  private chunk(text: string, s: number, e: number, withPrefix: boolean, dst: number[]): void {
    const key = withPrefix ? '\u2581' + text.slice(s, e) : text.slice(s, e);
    const cacheable = key.length <= CACHE_MAX_KEY;
    if (cacheable) {
      const hit = this.cache.get(key);
      if (hit !== undefined) {
        this.append(hit, dst);
        return;
      }
    }
    const v = this.v;
    this.grow(e - s + 1);
    const syms = this.syms;
    const cps = this.cps;
    let n = 0;
    if (withPrefix) {
      syms[0] = v.bmpSym[SPACE_CP];
      cps[0] = SPACE_CP;
      n = 1;
    }
    for (let i = s; i < e; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff) {
        cp = ((cp - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00) + 0x10000;
        syms[n] = v.astralSym.get(cp) ?? -1;
      } else {
        if (cp === 0x20) cp = SPACE_CP;
        syms[n] = v.bmpSym[cp];
      }
      cps[n++] = cp;
    }
    const out = this.out;
    out.length = 0;
    if (n <= RESCAN_MAX) this.rescan(n, out);
    else this.heapMerge(n, out);
    const ids = Int32Array.from(out);
    if (cacheable) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(key, ids);
    }
    this.append(ids, dst);
  }

  /** Append ids; without byte fallback consecutive unknowns are one unk id (sentencepiece merges them). */
  private append(ids: Int32Array, dst: number[]): void {
    if (this.v.settings.byteFallback) {
      for (let i = 0; i < ids.length; i++) dst.push(ids[i]);
      return;
    }
    const unk = this.v.unkId;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === unk && dst.length > 0 && dst[dst.length - 1] === unk) continue;
      dst.push(id);
    }
  }

  /** Output ids of one final symbol (piece, or character; unknown → byte fallback or unk). */
  private emit(sym: number, cp: number, out: number[]): void {
    const v = this.v;
    let id: number;
    let surface: string | undefined;
    if (sym >= 0 && sym < v.pieces.length) {
      id = v.outOfPiece[sym];
      if (v.types[id] === SentencePieceType.UNKNOWN) surface = v.pieces[sym];
    } else {
      id = this.charOut(cp);
      if (id < 0 || v.types[id] === SentencePieceType.UNKNOWN) surface = String.fromCodePoint(cp);
    }
    if (surface === undefined) {
      out.push(id);
      return;
    }
    if (!v.settings.byteFallback) {
      out.push(v.unkId);
      return;
    }
    const bytes = Buffer.from(surface, 'utf8');
    for (let i = 0; i < bytes.length; i++) out.push(v.byteIds[bytes[i]]);
  }

  private rescan(n: number, out: number[]): void {
    const { merge, scores } = this.v;
    const syms = this.syms;
    const cps = this.cps;
    const pairM = this.pairM;
    for (let i = 0; i + 1 < n; i++) pairM[i] = merge.get(syms[i], syms[i + 1]);
    for (;;) {
      let best = -1;
      let bestScore = -Infinity;
      for (let i = 0; i + 1 < n; i++) {
        const m = pairM[i];
        if (m >= 0) {
          const sc = scores[m];
          if (sc > bestScore) {
            bestScore = sc;
            best = i;
          }
        }
      }
      if (best < 0) break;
      syms[best] = pairM[best];
      for (let j = best + 1; j + 1 < n; j++) {
        syms[j] = syms[j + 1];
        cps[j] = cps[j + 1];
      }
      for (let j = best + 1; j + 2 < n; j++) pairM[j] = pairM[j + 1];
      n--;
      if (best > 0) pairM[best - 1] = merge.get(syms[best - 1], syms[best]);
      if (best + 1 < n) pairM[best] = merge.get(syms[best], syms[best + 1]);
    }
    for (let i = 0; i < n; i++) this.emit(syms[i], cps[i], out);
  }

  private heapMerge(n: number, out: number[]): void {
    const { merge, scores } = this.v;
    const syms = this.syms;
    const cps = this.cps;
    if (this.prev.length < n) {
      this.prev = new Int32Array(n);
      this.next = new Int32Array(n);
    }
    const cap = 3 * n + 4;
    if (this.hL.length < cap) {
      this.hL = new Int32Array(cap);
      this.hR = new Int32Array(cap);
      this.hLS = new Int32Array(cap);
      this.hRS = new Int32Array(cap);
      this.hM = new Int32Array(cap);
      this.hS = new Float32Array(cap);
      this.heap = new Int32Array(cap);
    }
    const prev = this.prev;
    const next = this.next;
    const hL = this.hL;
    const hR = this.hR;
    const hLS = this.hLS;
    const hRS = this.hRS;
    const hM = this.hM;
    const hS = this.hS;
    const heap = this.heap;
    let entries = 0;
    let size = 0;
    // a before b: higher score, then smaller left index
    const before = (a: number, b: number): boolean => hS[a] > hS[b] || (hS[a] === hS[b] && hL[a] < hL[b]);
    const push = (l: number, r: number): void => {
      const m = merge.get(syms[l], syms[r]);
      if (m < 0) return;
      const e = entries++;
      hL[e] = l;
      hR[e] = r;
      hLS[e] = syms[l];
      hRS[e] = syms[r];
      hM[e] = m;
      hS[e] = scores[m];
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!before(e, heap[p])) break;
        heap[i] = heap[p];
        i = p;
      }
      heap[i] = e;
    };
    const pop = (): number => {
      const top = heap[0];
      const last = heap[--size];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
      return top;
    };
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (let i = 0; i + 1 < n; i++) push(i, i + 1);
    while (size > 0) {
      const e = pop();
      const l = hL[e];
      const r = hR[e];
      if (syms[l] !== hLS[e] || syms[r] !== hRS[e] || next[l] !== r) continue; // stale
      syms[l] = hM[e];
      const nr = next[r];
      next[l] = nr;
      if (nr >= 0) prev[nr] = l;
      syms[r] = -3; // dead
      if (prev[l] >= 0) push(prev[l], l);
      if (nr >= 0) push(l, nr);
    }
    for (let i = 0; i >= 0; i = next[i]) this.emit(syms[i], cps[i], out);
  }
}
