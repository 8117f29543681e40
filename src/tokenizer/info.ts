/**
 * `solo tokenizer info`: a summary of a tokenizer.model (piece count, type counts, flags, special
 * ids, SOLO token ids when present, Megatron --no_new_tokens view), all read from the file.
 */
import { SentencePieceType } from '../formats/sentencepiece/index.js';
import { createMegatronTokenizer } from './megatron.js';
import type { SentencePieceProcessor } from './processor.js';
import { SOLO_CHAT_TOKENS, SOLO_VISION_TOKENS } from './solo-extend.js';

export interface TokenizerInfo {
  pieces: number;
  trainerVocabSize: number | null;
  modelType: string;
  typeCounts: Record<string, number>;
  flags: {
    addDummyPrefix: boolean;
    removeExtraWhitespaces: boolean;
    escapeWhitespaces: boolean;
    byteFallback: boolean;
    normalizer: string;
  };
  special: { unk: number; bos: number; eos: number; pad: number; unkSurface: string };
  /** Whether the chunked fast encoder is exact for this model, and why not. */
  fastPath: boolean;
  fastPathReason?: string;
  solo: {
    /** SOLO pieces that BPE could build by merging (spec §2.7: should be 0, so text never yields them). */
    buildable: number;
    vision: Record<string, number>;
    loc1: number | null;
    loc1024: number | null;
    chat: Record<string, number>;
    variant: string;
  } | null;
  megatron: { vocabSize: number; specialTokens: Record<string, number>; bos: number; eos: number; pad: number; eod: number };
}

/**
 * Pieces (by id) that BPE can form: a single character, or a mergeable piece with a split into two
 * buildable strings. Computed shortest first.
 */
export function buildablePieces(sp: SentencePieceProcessor): Set<string> {
  const ok = new Set<string>();
  const mergeable = [...sp.vocab.mergeable.keys()].sort((a, b) => a.length - b.length);
  const isChar = (s: string): boolean => s.length === (s.codePointAt(0)! > 0xffff ? 2 : 1);
  const built = (s: string): boolean => isChar(s) || ok.has(s);
  for (const p of mergeable) {
    if (isChar(p)) {
      ok.add(p);
      continue;
    }
    for (let k = p.codePointAt(0)! > 0xffff ? 2 : 1; k < p.length; k += p.codePointAt(k)! > 0xffff ? 2 : 1) {
      if (built(p.slice(0, k)) && built(p.slice(k))) {
        ok.add(p);
        break;
      }
    }
  }
  return ok;
}

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SentencePieceType).map(([k, v]) => [v, k]));

export function tokenizerInfo(sp: SentencePieceProcessor): TokenizerInfo {
  const v = sp.vocab;
  const typeCounts: Record<string, number> = {};
  for (const t of v.types) typeCounts[TYPE_NAMES[t]] = (typeCounts[TYPE_NAMES[t]] ?? 0) + 1;
  const ts = sp.model.trainer_spec;
  const idOf = (t: string): number | null => (sp.hasPiece(t) ? sp.pieceToId(t) : null);
  const vision: Record<string, number> = {};
  for (const t of SOLO_VISION_TOKENS.slice(0, 5)) {
    const id = idOf(t);
    if (id !== null) vision[t] = id;
  }
  const chat: Record<string, number> = {};
  for (const t of SOLO_CHAT_TOKENS) {
    const id = idOf(t);
    if (id !== null) chat[t] = id;
  }
  const nVision = SOLO_VISION_TOKENS.filter((t) => sp.hasPiece(t)).length;
  const solo =
    nVision === 0 && Object.keys(chat).length === 0
      ? null
      : {
          buildable: (() => {
            const b = buildablePieces(sp);
            return [...SOLO_VISION_TOKENS, ...SOLO_CHAT_TOKENS].filter((t) => b.has(t)).length;
          })(),
          vision,
          loc1: idOf('<loc_1>'),
          loc1024: idOf('<loc_1024>'),
          chat,
          variant:
            nVision === SOLO_VISION_TOKENS.length
              ? Object.keys(chat).length === SOLO_CHAT_TOKENS.length
                ? 'vision+chat'
                : Object.keys(chat).length === 0
                  ? 'vision'
                  : 'partial'
              : 'partial',
        };
  const meg = createMegatronTokenizer(sp, { noNewTokens: true });
  return {
    pieces: sp.vocabSize,
    trainerVocabSize: ts && ts.vocab_size != null ? Number(ts.vocab_size) : null,
    modelType: 'BPE',
    typeCounts,
    flags: {
      addDummyPrefix: v.settings.addDummyPrefix,
      removeExtraWhitespaces: v.settings.removeExtraWhitespaces,
      escapeWhitespaces: v.settings.escapeWhitespaces,
      byteFallback: v.settings.byteFallback,
      normalizer: String(sp.model.normalizer_spec?.name ?? ''),
    },
    special: { unk: sp.unkId, bos: sp.bosId, eos: sp.eosId, pad: sp.padId, unkSurface: v.settings.unkSurface },
    fastPath: v.fastPath,
    ...(v.fastPathReason ? { fastPathReason: v.fastPathReason } : {}),
    solo,
    megatron: {
      vocabSize: meg.vocabSize,
      specialTokens: Object.fromEntries(meg.specialTokens),
      bos: meg.bos,
      eos: meg.eos,
      pad: meg.pad,
      eod: meg.eod,
    },
  };
}
