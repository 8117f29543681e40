/**
 * `SentencePieceProcessor`: the Python sentencepiece 0.1.97 API surface solo needs (encode to ids
 * or pieces, decode, piece/id lookups, special ids), over a validated BPE model.
 * Settings come from the model file; unsupported models are refused by buildVocab.
 */
import { readFile } from 'node:fs/promises';
import { InputError, SoloError } from '../errors.js';
import {
  SentencePieceType,
  readSentencePieceModel,
  type SentencePieceModelProto,
} from '../formats/sentencepiece/index.js';
import { decodeIds } from './decode.js';
import { FastEncoder } from './encode-fast.js';
import { encodeGeneral } from './encode-general.js';
import { buildVocab, type SpVocab } from './vocab.js';

/** Thrown for text that cannot be UTF-8 encoded (lone surrogate), like Python's `TypeError: not a string`. */
export class TokenizerInputError extends InputError {
  constructor(message: string) {
    super('lone-surrogate', message);
    this.name = 'TokenizerInputError';
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const hasWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';

/** Throw TokenizerInputError when `text` has a lone UTF-16 surrogate. */
export function assertWellFormed(text: string): void {
  const ok = hasWellFormed ? (text as unknown as { isWellFormed(): boolean }).isWellFormed() : !LONE_SURROGATE.test(text);
  if (!ok) {
    const m = LONE_SURROGATE.exec(text);
    throw new TokenizerInputError(
      `not a string: lone surrogate U+${m ? m[0].charCodeAt(0).toString(16).toUpperCase() : '?'} at UTF-16 offset ${m?.index ?? '?'} cannot be encoded as UTF-8`,
    );
  }
}

export class SentencePieceProcessor {
  /** The decoded ModelProto this processor was built from. */
  readonly model: SentencePieceModelProto;
  /** Lookup tables and settings (internal; exported for info and tests). */
  readonly vocab: SpVocab;
  readonly vocabSize: number;
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly fast?: FastEncoder;

  constructor(model: SentencePieceModelProto) {
    this.model = model;
    this.vocab = buildVocab(model);
    this.vocabSize = this.vocab.pieces.length;
    const s = this.vocab.settings;
    // sentencepiece: the id of the configured piece string, if it has the right type, else -1
    const typed = (piece: string, type: number): number => {
      const id = this.pieceToId(piece);
      return this.vocab.types[id] === type ? id : -1;
    };
    this.unkId = typed(s.unkPiece, SentencePieceType.UNKNOWN);
    this.bosId = typed(s.bosPiece, SentencePieceType.CONTROL);
    this.eosId = typed(s.eosPiece, SentencePieceType.CONTROL);
    this.padId = typed(s.padPiece, SentencePieceType.CONTROL);
    if (this.vocab.fastPath) this.fast = new FastEncoder(this.vocab);
  }

  /** Text → ids (`encode_as_ids`: no BOS/EOS). Throws TokenizerInputError on a lone surrogate. */
  encode(text: string): number[] {
    assertWellFormed(text);
    if (text.length === 0) return [];
    if (this.fast) return this.fast.encode(text);
    return encodeGeneral(this.vocab, text).map((p) => p.id);
  }

  /** Text → piece strings (`encode_as_pieces`). */
  encodeAsPieces(text: string): string[] {
    assertWellFormed(text);
    if (text.length === 0) return [];
    return encodeGeneral(this.vocab, text).map((p) => p.piece);
  }

  /** The slower reference path (whole-string BPE), for differential tests. */
  encodeReference(text: string): number[] {
    assertWellFormed(text);
    if (text.length === 0) return [];
    return encodeGeneral(this.vocab, text).map((p) => p.id);
  }

  /** Ids → text (`decode_ids`). Throws SoloError on an id outside the vocabulary. */
  decode(ids: ArrayLike<number>): string {
    return decodeIds(this.vocab, ids);
  }

  /** `piece_to_id`: reserved pieces first, then normal ones; unknown strings give the unk id. */
  pieceToId(piece: string): number {
    return this.vocab.reserved.get(piece) ?? this.vocab.mergeable.get(piece) ?? this.vocab.unkId;
  }

  /** Whether the vocabulary has this exact piece string. */
  hasPiece(piece: string): boolean {
    return this.vocab.reserved.has(piece) || this.vocab.mergeable.has(piece);
  }

  /** `id_to_piece`; throws SoloError when out of range (Python raises IndexError). */
  idToPiece(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new SoloError(`piece id is out of range: ${id}`);
    return this.vocab.pieces[id];
  }

  getScore(id: number): number {
    this.idToPiece(id);
    return this.vocab.scores[id];
  }

  /** The piece's type (SentencePieceType value). */
  getType(id: number): number {
    this.idToPiece(id);
    return this.vocab.types[id];
  }

  isControl(id: number): boolean {
    return this.getType(id) === SentencePieceType.CONTROL;
  }

  isUnknown(id: number): boolean {
    return this.getType(id) === SentencePieceType.UNKNOWN;
  }

  isByte(id: number): boolean {
    return this.getType(id) === SentencePieceType.BYTE;
  }
}

function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

/** Build a processor from `tokenizer.model` bytes (synchronous). */
export function loadSentencePieceFromBytes(buf: Uint8Array): SentencePieceProcessor {
  return new SentencePieceProcessor(readSentencePieceModel(buf));
}

/**
 * Load a `tokenizer.model`: from bytes synchronously, or from a path (returns a Promise).
 */
export function loadSentencePiece(pathOrBuffer: Uint8Array): SentencePieceProcessor;
export function loadSentencePiece(pathOrBuffer: string): Promise<SentencePieceProcessor>;
export function loadSentencePiece(pathOrBuffer: string | Uint8Array): SentencePieceProcessor | Promise<SentencePieceProcessor>;
export function loadSentencePiece(pathOrBuffer: string | Uint8Array): SentencePieceProcessor | Promise<SentencePieceProcessor> {
  if (isBytes(pathOrBuffer)) return loadSentencePieceFromBytes(pathOrBuffer);
  return readFile(pathOrBuffer).then(
    (buf) => {
      try {
        return loadSentencePieceFromBytes(buf);
      } catch (err) {
        if (err instanceof SoloError) throw new SoloError(`${pathOrBuffer}: ${err.message}`, { cause: err });
        throw err;
      }
    },
    (err: NodeJS.ErrnoException) => {
      throw new SoloError(`cannot read tokenizer model ${pathOrBuffer}: ${err.message}`, { cause: err });
    },
  );
}
