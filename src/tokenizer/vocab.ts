/**
 * Build the lookup tables of a SentencePiece BPE model and validate that solo can tokenize it
 * exactly like sentencepiece 0.1.97 (spec/tokenizer.md §1, §2.5–2.8).
 *
 * Hand-written rather than a library: see spec §4/§5 (no npm package is both exact and faster than
 * Python). Tables:
 *  - `mergeable` (NORMAL, USER_DEFINED, UNUSED) and `reserved` (CONTROL, UNKNOWN, BYTE) piece maps,
 *    mirroring ModelInterface::InitializePieces (PieceToId looks in `reserved` first);
 *  - symbol ids for the integer BPE: a mergeable piece's id, or a synthetic id (≥ piece count) for
 *    a character that occurs inside pieces but is not a piece itself; -1 = can never merge;
 *  - a (left symbol, right symbol) → merged piece open-addressing table.
 */
import { SoloError } from '../errors.js';
import {
  SentencePieceModelType,
  SentencePieceType,
  hasSentencePieceField,
  type SentencePieceModelProto,
} from '../formats/sentencepiece/index.js';

export const SPACE_SYMBOL = '\u2581';

export interface SpSettings {
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
  byteFallback: boolean;
  unkSurface: string;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
}

export interface SpVocab {
  settings: SpSettings;
  pieces: string[];
  scores: Float32Array;
  types: Uint8Array;
  reserved: Map<string, number>;
  mergeable: Map<string, number>;
  userDefined: string[];
  hasUnused: boolean;
  unkId: number;
  /** byte value → id (PieceToId("<0xHH>")) */
  byteIds: Int32Array;
  /** Whether the chunked integer fast path is exact for this model (§2.8). */
  fastPath: boolean;
  /** Why not, when fastPath is false. */
  fastPathReason?: string;
  // integer BPE tables (valid when fastPath)
  bmpSym: Int32Array;
  astralSym: Map<number, number>;
  /** mergeable piece id → output id (reserved piece of the same string wins, like PieceToId) */
  outOfPiece: Int32Array;
  merge: MergeTable;
}

/** Open-addressing (left, right) → merged table over Int32Arrays. */
export class MergeTable {
  private readonly mask: number;
  private readonly keysL: Int32Array;
  private readonly keysR: Int32Array;
  private readonly vals: Int32Array;
  size = 0;

  constructor(capacityHint: number) {
    let cap = 16;
    while (cap < capacityHint * 2) cap *= 2;
    this.mask = cap - 1;
    this.keysL = new Int32Array(cap).fill(-1);
    this.keysR = new Int32Array(cap);
    this.vals = new Int32Array(cap);
  }

  private slot(l: number, r: number): number {
    return (Math.imul(l, 0x9e3779b1) ^ Math.imul(r + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  }

  set(l: number, r: number, v: number): void {
    let i = this.slot(l, r) & this.mask;
    while (this.keysL[i] !== -1) {
      if (this.keysL[i] === l && this.keysR[i] === r) {
        this.vals[i] = v;
        return;
      }
      i = (i + 1) & this.mask;
    }
    this.keysL[i] = l;
    this.keysR[i] = r;
    this.vals[i] = v;
    this.size++;
  }

  get(l: number, r: number): number {
    if (l < 0 || r < 0) return -1;
    const kl = this.keysL;
    let i = this.slot(l, r) & this.mask;
    for (;;) {
      const k = kl[i];
      if (k === -1) return -1;
      if (k === l && this.keysR[i] === r) return this.vals[i];
      i = (i + 1) & this.mask;
    }
  }
}

function bool(spec: object | null | undefined, field: string, dflt: boolean): boolean {
  if (!spec) return dflt;
  const v = (spec as Record<string, unknown>)[field];
  return v == null ? dflt : !!v;
}

function str(spec: object | null | undefined, field: string, dflt: string): string {
  if (!spec) return dflt;
  const v = (spec as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : dflt;
}

function byteToPiece(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** `<0xHH>` → byte, else -1 (SentencePiece's PieceToByte accepts exactly this form). */
function pieceToByte(p: string): number {
  const m = /^<0x([0-9A-F]{2})>$/.exec(p);
  return m ? parseInt(m[1], 16) : -1;
}

/** Validate a decoded ModelProto and build every table the encoder and decoder need. */
export function buildVocab(model: SentencePieceModelProto): SpVocab {
  const ts = model.trainer_spec ?? null;
  const ns = model.normalizer_spec ?? null;
  const modelType = ts ? Number(ts.model_type ?? SentencePieceModelType.UNIGRAM) : SentencePieceModelType.UNIGRAM;
  if (modelType !== SentencePieceModelType.BPE) {
    const name = Object.entries(SentencePieceModelType).find(([, v]) => v === modelType)?.[0] ?? String(modelType);
    throw new SoloError(`unsupported SentencePiece model: model_type ${name} (only BPE is implemented)`);
  }
  const charsmap = ns?.precompiled_charsmap;
  if (charsmap && charsmap.length > 0) {
    throw new SoloError(
      `unsupported SentencePiece model: normalizer '${str(ns, 'name', '')}' has a non-empty precompiled_charsmap ` +
        `(${charsmap.length} bytes); only the identity normalizer is implemented`,
    );
  }
  if (str(ns, 'normalization_rule_tsv', '') !== '') {
    throw new SoloError('unsupported SentencePiece model: normalizer_spec.normalization_rule_tsv is set');
  }
  const dn = model.denormalizer_spec;
  if (hasSentencePieceField(model, 'denormalizer_spec') && dn) {
    const dmap = dn.precompiled_charsmap;
    if ((dmap && dmap.length > 0) || str(dn, 'normalization_rule_tsv', '') !== '') {
      throw new SoloError('unsupported SentencePiece model: a denormalizer_spec with rules is set');
    }
  }
  if (bool(ts, 'treat_whitespace_as_suffix', false)) {
    throw new SoloError('unsupported SentencePiece model: trainer_spec.treat_whitespace_as_suffix is true');
  }
  const settings: SpSettings = {
    addDummyPrefix: bool(ns, 'add_dummy_prefix', true),
    removeExtraWhitespaces: bool(ns, 'remove_extra_whitespaces', true),
    escapeWhitespaces: bool(ns, 'escape_whitespaces', true),
    byteFallback: bool(ts, 'byte_fallback', false),
    unkSurface: str(ts, 'unk_surface', ' \u2047 '),
    unkPiece: str(ts, 'unk_piece', '<unk>'),
    bosPiece: str(ts, 'bos_piece', '<s>'),
    eosPiece: str(ts, 'eos_piece', '</s>'),
    padPiece: str(ts, 'pad_piece', '<pad>'),
  };

  const n = model.pieces.length;
  const pieces: string[] = new Array(n);
  const scores = new Float32Array(n);
  const types = new Uint8Array(n);
  const reserved = new Map<string, number>();
  const mergeable = new Map<string, number>();
  const userDefined: string[] = [];
  const byteIds = new Int32Array(256).fill(-1);
  let unkId = -1;
  let hasUnused = false;
  for (let i = 0; i < n; i++) {
    const sp = model.pieces[i];
    const piece = sp.piece ?? '';
    const type = Number(sp.type ?? SentencePieceType.NORMAL);
    if (piece === '') throw new SoloError(`invalid SentencePiece model: piece ${i} is empty`);
    if (type < 1 || type > 6) throw new SoloError(`invalid SentencePiece model: piece ${i} has unknown type ${type}`);
    pieces[i] = piece;
    scores[i] = Number(sp.score ?? 0);
    types[i] = type;
    const normal = type === SentencePieceType.NORMAL || type === SentencePieceType.USER_DEFINED || type === SentencePieceType.UNUSED;
    const map = normal ? mergeable : reserved;
    if (map.has(piece)) throw new SoloError(`invalid SentencePiece model: piece ${JSON.stringify(piece)} (id ${i}) is already defined`);
    map.set(piece, i);
    if (type === SentencePieceType.USER_DEFINED) userDefined.push(piece);
    if (type === SentencePieceType.UNUSED) hasUnused = true;
    if (type === SentencePieceType.UNKNOWN) {
      if (unkId >= 0) throw new SoloError('invalid SentencePiece model: unk is already defined');
      unkId = i;
    }
    if (type === SentencePieceType.BYTE) {
      if (!settings.byteFallback) {
        throw new SoloError(`invalid SentencePiece model: byte piece ${JSON.stringify(piece)} is found although byte_fallback is false`);
      }
      const b = pieceToByte(piece);
      if (b < 0) throw new SoloError(`invalid SentencePiece model: byte piece ${JSON.stringify(piece)} is invalid`);
      byteIds[b] = i;
    }
  }
  if (unkId < 0) throw new SoloError('invalid SentencePiece model: unk is not defined');
  const pieceToId = (p: string): number => reserved.get(p) ?? mergeable.get(p) ?? unkId;
  for (let b = 0; b < 256; b++) byteIds[b] = pieceToId(byteToPiece(b));

  // Fast-path eligibility (§2.8): every merge stays inside a chunk that starts at a ▁ following a
  // non-▁ character, and the plain (non-frozen, non-resegmented) BPE applies.
  let fastPathReason: string | undefined;
  if (!settings.escapeWhitespaces) fastPathReason = 'escape_whitespaces is false';
  else if (settings.removeExtraWhitespaces) fastPathReason = 'remove_extra_whitespaces is true';
  else if (userDefined.length > 0) fastPathReason = 'the model has USER_DEFINED pieces';
  else if (hasUnused) fastPathReason = 'the model has UNUSED pieces';
  else {
    for (const p of mergeable.keys()) {
      let prevNonSpace = false;
      for (const ch of p) {
        const sp = ch === SPACE_SYMBOL;
        if (sp && prevNonSpace) {
          fastPathReason = `piece ${JSON.stringify(p)} has ${SPACE_SYMBOL} after another character`;
          break;
        }
        prevNonSpace = !sp;
      }
      if (fastPathReason) break;
    }
  }

  const bmpSym = new Int32Array(0x10000).fill(-1);
  const astralSym = new Map<number, number>();
  const outOfPiece = new Int32Array(n).fill(-1);
  let merge = new MergeTable(1);
  if (!fastPathReason) {
    let nextSynthetic = n;
    const setSym = (cp: number, id: number): void => {
      if (cp < 0x10000) bmpSym[cp] = id;
      else astralSym.set(cp, id);
    };
    const getSym = (cp: number): number => (cp < 0x10000 ? bmpSym[cp] : (astralSym.get(cp) ?? -1));
    const split: string[] = [];
    for (const [p, id] of mergeable) {
      const cp0 = p.codePointAt(0)!;
      if (p.length === (cp0 > 0xffff ? 2 : 1)) setSym(cp0, id);
      else split.push(p);
      outOfPiece[id] = reserved.get(p) ?? id;
    }
    let pairs = 0;
    for (const p of split) {
      for (let i = 0; i < p.length; i++) {
        const cp = p.codePointAt(i)!;
        if (cp > 0xffff) i++;
        if (getSym(cp) < 0) setSym(cp, nextSynthetic++);
        pairs++;
      }
    }
    const symOf = (s: string): number => {
      const id = mergeable.get(s);
      if (id !== undefined) return id;
      const cp = s.codePointAt(0)!;
      return s.length === (cp > 0xffff ? 2 : 1) ? getSym(cp) : -1;
    };
    merge = new MergeTable(pairs);
    for (const p of split) {
      const id = mergeable.get(p)!;
      // every split point between code points: left = p[0:k], right = p[k:]
      for (let k = p.codePointAt(0)! > 0xffff ? 2 : 1; k < p.length; k += p.codePointAt(k)! > 0xffff ? 2 : 1) {
        const l = symOf(p.slice(0, k));
        if (l < 0) continue;
        const r = symOf(p.slice(k));
        if (r < 0) continue;
        merge.set(l, r, id);
      }
    }
  }

  return {
    settings,
    pieces,
    scores,
    types,
    reserved,
    mergeable,
    userDefined,
    hasUnused,
    unkId,
    byteIds,
    fastPath: !fastPathReason,
    fastPathReason,
    bmpSym,
    astralSym,
    outOfPiece,
    merge,
  };
}
