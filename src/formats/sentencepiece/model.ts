/**
 * Read and write SentencePiece `tokenizer.model` files (the proto2 `ModelProto` message) with
 * protobufjs, reflectively from the embedded schema (schema.ts = proto/sentencepiece_model.proto).
 *
 * Byte fidelity: protobufjs writes known fields in field-number order and only the fields that were
 * present, like the C++/Python serializer. protobufjs drops unknown fields, so every message type's
 * decode/encode is wrapped here to keep them: unknown fields are captured raw (tag + value) and
 * written back after the known fields, which is exactly where C++ protobuf (and so Python
 * `SerializeToString`) puts them. The Mistral model has one such field (TrainerSpec 53, written by a
 * newer sentencepiece), so reading then writing it is byte-identical only thanks to this.
 *
 * Field names are kept as in the .proto (snake_case), so objects read like Python's proto objects.
 * Absent optional fields read as their proto2 default through the message prototype, and
 * `hasSentencePieceField` tells presence apart, like Python's `HasField`.
 */
import protobuf from 'protobufjs';
import { SoloError } from '../../errors.js';
import { SENTENCEPIECE_MODEL_PROTO } from './schema.js';

/** `ModelProto.SentencePiece.Type` values. */
export const SentencePieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
export type SentencePieceTypeValue = (typeof SentencePieceType)[keyof typeof SentencePieceType];

/** `TrainerSpec.ModelType` values. */
export const SentencePieceModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface SentencePieceEntry {
  piece?: string;
  /** float32; proto default 0 */
  score?: number;
  /** proto default NORMAL (1) */
  type?: number;
}

export interface SentencePieceTrainerSpec {
  model_type?: number;
  vocab_size?: number;
  byte_fallback?: boolean;
  split_digits?: boolean;
  treat_whitespace_as_suffix?: boolean;
  unk_id?: number;
  bos_id?: number;
  eos_id?: number;
  pad_id?: number;
  unk_piece?: string;
  bos_piece?: string;
  eos_piece?: string;
  pad_piece?: string;
  unk_surface?: string;
  [field: string]: unknown;
}

export interface SentencePieceNormalizerSpec {
  name?: string;
  precompiled_charsmap?: Uint8Array;
  add_dummy_prefix?: boolean;
  remove_extra_whitespaces?: boolean;
  escape_whitespaces?: boolean;
  normalization_rule_tsv?: string;
  [field: string]: unknown;
}

/** A decoded `ModelProto` (fields as in the .proto). */
export interface SentencePieceModelProto {
  pieces: SentencePieceEntry[];
  trainer_spec?: SentencePieceTrainerSpec | null;
  normalizer_spec?: SentencePieceNormalizerSpec | null;
  self_test_data?: unknown;
  denormalizer_spec?: SentencePieceNormalizerSpec | null;
}

/** Where captured unknown fields live on a decoded message (non-enumerable). */
export const UNKNOWN_FIELDS = '$unknownFields';

interface Schema {
  model: protobuf.Type;
  piece: protobuf.Type;
}

let schema: Schema | undefined;

function writeRaw(val: Uint8Array, buf: Uint8Array, pos: number): void {
  buf.set(val, pos);
}

/** Varint at p → [value, next position] (values beyond 2^53 lose precision; only used to skip). */
function varintAt(buf: Uint8Array, p: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    const b = buf[p++];
    if (b === undefined) throw new Error('truncated varint');
    v += (b & 0x7f) * mul;
    if (b < 0x80) return [v, p];
    mul *= 128;
  }
}

/** Raw bytes (tag + value) of the fields in buf[start, end) whose number is not in `known`. */
function scanUnknownFields(buf: Uint8Array, start: number, end: number, known: Set<number>): Uint8Array[] | undefined {
  let unknown: Uint8Array[] | undefined;
  let p = start;
  while (p < end) {
    const tagStart = p;
    const [tag, q] = varintAt(buf, p);
    p = q;
    const wire = tag % 8;
    if (wire === 4) break; // end of a group: the generated decoder stopped here too
    if (wire === 0) p = varintAt(buf, p)[1];
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const [len, r] = varintAt(buf, p);
      p = r + len;
    } else {
      const r = protobuf.Reader.create(buf.subarray(p, end));
      r.skipType(wire);
      p += r.pos;
    }
    if (!known.has(Math.floor(tag / 8))) (unknown ??= []).push(buf.slice(tagStart, p));
  }
  return unknown;
}

/** Wrap a Type's generated codec so unknown fields survive decode → encode. */
function keepUnknownFields(t: protobuf.Type): void {
  t.setup();
  const known = new Set(t.fieldsArray.map((f) => f.id));
  const decode0 = t.decode;
  const encode0 = t.encode;
  t.decode = function decodeKeepingUnknown(r: protobuf.Reader | Uint8Array, l?: number): protobuf.Message {
    const reader = r instanceof protobuf.Reader ? r : protobuf.Reader.create(r);
    const start = reader.pos;
    // eslint-disable-next-line prefer-rest-params
    const rest = Array.prototype.slice.call(arguments, 2) as unknown[];
    const msg = (decode0 as (...a: unknown[]) => protobuf.Message).call(t, reader, l, ...rest);
    const end = reader.pos;
    const unknown = scanUnknownFields(reader.buf, start, end, known);
    if (unknown) Object.defineProperty(msg, UNKNOWN_FIELDS, { value: unknown, enumerable: false, writable: true, configurable: true });
    return msg;
  } as typeof t.decode;
  t.encode = function encodeKeepingUnknown(message: protobuf.Message | Record<string, unknown>, w?: protobuf.Writer): protobuf.Writer {
    const writer = encode0.call(t, message, w);
    const unknown = (message as Record<string, unknown>)[UNKNOWN_FIELDS] as Uint8Array[] | undefined;
    if (unknown) {
      const push = (writer as unknown as { _push(fn: typeof writeRaw, len: number, val: Uint8Array): protobuf.Writer })._push;
      for (const b of unknown) push.call(writer, writeRaw, b.length, b);
    }
    return writer;
  } as typeof t.encode;
}

function allTypes(ns: protobuf.NamespaceBase, out: protobuf.Type[] = []): protobuf.Type[] {
  for (const child of ns.nestedArray) {
    if (child instanceof protobuf.Type) out.push(child);
    if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) allTypes(child, out);
  }
  return out;
}

function getSchema(): Schema {
  if (schema) return schema;
  const root = protobuf.parse(SENTENCEPIECE_MODEL_PROTO, { keepCase: true }).root;
  root.resolveAll();
  for (const t of allTypes(root)) keepUnknownFields(t);
  schema = {
    model: root.lookupType('sentencepiece.ModelProto'),
    piece: root.lookupType('sentencepiece.ModelProto.SentencePiece'),
  };
  return schema;
}

/** Decode a `tokenizer.model` buffer. Throws SoloError when the bytes are not a ModelProto. */
export function readSentencePieceModel(buf: Uint8Array): SentencePieceModelProto {
  const { model } = getSchema();
  try {
    return model.decode(buf) as unknown as SentencePieceModelProto;
  } catch (err) {
    throw new SoloError(`not a SentencePiece model (ModelProto decode failed: ${(err as Error).message})`, { cause: err });
  }
}

/** Encode a ModelProto (as read by readSentencePieceModel, possibly modified, or a plain object). */
export function writeSentencePieceModel(model: SentencePieceModelProto): Uint8Array {
  const s = getSchema();
  const problem = s.model.verify(model as unknown as Record<string, unknown>);
  if (problem) throw new SoloError(`invalid SentencePiece ModelProto: ${problem}`);
  const out = s.model.encode(model as unknown as Record<string, unknown>).finish();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Proto2 presence test (Python's HasField) for a field of a decoded message. */
export function hasSentencePieceField(msg: object | null | undefined, field: string): boolean {
  return msg != null && Object.prototype.hasOwnProperty.call(msg, field) && (msg as Record<string, unknown>)[field] != null;
}

/** A new SentencePiece entry as protobufjs message (piece and score present, type absent = NORMAL). */
export function newSentencePieceEntry(piece: string, score: number): SentencePieceEntry {
  return getSchema().piece.create({ piece, score }) as unknown as SentencePieceEntry;
}
