/**
 * Megatron-LLM's `_SentencePieceTokenizer` (spec/megatron-dataset.md §3): vocabulary and special
 * token table built in the reference's order, `tokenize()` that cuts the text at the earliest
 * special-token string (ties: earlier registered) and encodes each segment separately, and
 * `detokenize()`. SOLO runs it with `--no_new_tokens`.
 */
import { UsageError } from '../errors.js';
import type { SentencePieceProcessor } from './processor.js';

export interface MegatronTokenizerOptions {
  /** `--no_new_tokens`: missing special tokens are skipped instead of appended; pad becomes eos. */
  noNewTokens: boolean;
  /** `--vocab_extra_ids`: registers `<extra_id_0>`…`<extra_id_{n-1}>` (always added). */
  vocabExtraIds?: number;
  /** `--vocab_extra_ids_list` split on ',' (always added). Empty strings are refused. */
  vocabExtraIdsList?: string[];
}

const PY_WHITESPACE = new Set(
  [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000].concat(
    Array.from({ length: 11 }, (_, i) => 0x2000 + i),
  ),
);

/** Python's `str.strip()` (str.isspace characters; all are BMP). */
export function pythonStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_WHITESPACE.has(s.charCodeAt(a))) a++;
  while (b > a && PY_WHITESPACE.has(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

export class MegatronSentencePieceTokenizer {
  readonly sp: SentencePieceProcessor;
  readonly noNewTokens: boolean;
  /** piece → id, including appended tokens (Megatron `vocab`). */
  readonly vocab: Map<string, number>;
  /** id → piece (Megatron `inv_vocab`). */
  readonly invVocab: Map<number, string>;
  /** Registered special tokens in registration order (string → id). */
  readonly specialTokens: Map<string, number>;
  readonly invSpecialTokens: Map<number, string>;
  readonly cls: number | null;
  readonly sep: number | null;
  readonly mask: number | null;
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  readonly eod: number;
  readonly additionalSpecialTokenIds: number[];
  private readonly tokens: string[];

  constructor(sp: SentencePieceProcessor, opts: MegatronTokenizerOptions) {
    this.sp = sp;
    this.noNewTokens = opts.noNewTokens;
    this.vocab = new Map();
    this.invVocab = new Map();
    this.specialTokens = new Map();
    this.invSpecialTokens = new Map();
    for (let i = 0; i < sp.vocabSize; i++) {
      const p = sp.idToPiece(i);
      this.vocab.set(p, i);
      this.invVocab.set(i, p);
    }
    const add = (t: string, force = false): void => {
      if (t === '') throw new UsageError('an empty string cannot be a special token (the reference would loop forever)');
      if (!this.vocab.has(t) && !force && this.noNewTokens) return;
      if (!this.vocab.has(t)) {
        const id = this.vocab.size;
        this.vocab.set(t, id);
        this.invVocab.set(id, t);
      }
      const id = this.vocab.get(t)!;
      this.specialTokens.set(t, id);
      this.invSpecialTokens.set(id, t);
    };
    // piece string of the model's configured id; sentencepiece raises for -1 → fallback string
    const pieceOr = (id: number, fallback: string): string => (id >= 0 && id < sp.vocabSize ? sp.idToPiece(id) : fallback);
    add('<CLS>');
    add('<SEP>');
    add('<EOD>');
    add('<MASK>');
    const padStr = pieceOr(sp.padId, '<PAD>');
    const bosStr = pieceOr(sp.bosId, '<BOS>');
    const eosStr = pieceOr(sp.eosId, '<EOS>');
    add(padStr);
    add(bosStr);
    add(eosStr);
    const get = (t: string): number | null => this.vocab.get(t) ?? null;
    this.cls = get('<CLS>');
    this.sep = get('<SEP>');
    this.mask = get('<MASK>');
    this.bos = get(bosStr) ?? -1;
    this.eos = get(eosStr) ?? -1;
    this.pad = this.noNewTokens ? this.eos : (get(padStr) ?? -1);
    this.eod = get('<EOD>') ?? this.eos;
    this.additionalSpecialTokenIds = [];
    const extra: string[] = [];
    for (let i = 0; i < (opts.vocabExtraIds ?? 0); i++) extra.push(`<extra_id_${i}>`);
    extra.push(...(opts.vocabExtraIdsList ?? []));
    for (const t of extra) {
      add(t, true);
      this.additionalSpecialTokenIds.push(this.vocab.get(t)!);
    }
    this.tokens = [...this.specialTokens.keys()];
  }

  /** Megatron `vocab_size`: entries of the piece → id map after all additions. */
  get vocabSize(): number {
    return this.vocab.size;
  }

  /** Split at special-token strings and encode each segment with `encode_as_ids`. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    let idx = 0;
    const tokens = this.tokens;
    // next occurrence of each token at or after idx (-1: none left); recomputed only when passed,
    // so many special tokens in a long text stay linear (same result as re-searching each time)
    const next = tokens.map((t) => text.indexOf(t));
    for (;;) {
      let bestPos = -1;
      let best = '';
      for (let k = 0; k < tokens.length; k++) {
        let p = next[k];
        if (p >= 0 && p < idx) p = next[k] = text.indexOf(tokens[k], idx);
        if (p >= 0 && (bestPos < 0 || p < bestPos)) {
          bestPos = p;
          best = tokens[k];
        }
      }
      if (bestPos < 0) break;
      for (const id of this.sp.encode(text.slice(idx, bestPos))) ids.push(id);
      ids.push(this.specialTokens.get(best)!);
      idx = bestPos + best.length;
    }
    for (const id of this.sp.encode(idx === 0 ? text : text.slice(idx))) ids.push(id);
    return ids;
  }

  /** Megatron `detokenize`: decode runs between special ids, special tokens joined with spaces, stripped. */
  detokenize(ids: ArrayLike<number>): string {
    let text = '';
    let last = 0;
    const arr = Array.from(ids);
    for (let i = 0; i < arr.length; i++) {
      const t = this.invSpecialTokens.get(arr[i]);
      if (t !== undefined) {
        text += this.sp.decode(arr.slice(last, i)) + ' ';
        text += t + ' ';
        last = i + 1;
      }
    }
    text += this.sp.decode(arr.slice(last));
    return pythonStrip(text);
  }

  /** piece → id in the Megatron vocabulary (undefined when absent). */
  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  /** id → piece in the Megatron vocabulary (undefined when absent). */
  idToToken(id: number): string | undefined {
    return this.invVocab.get(id);
  }
}

export function createMegatronTokenizer(sp: SentencePieceProcessor, opts: MegatronTokenizerOptions): MegatronSentencePieceTokenizer {
  return new MegatronSentencePieceTokenizer(sp, opts);
}
