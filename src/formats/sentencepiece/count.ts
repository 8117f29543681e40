/**
 * Piece count (= vocabulary size) of a `tokenizer.model` without decoding it: walk the top-level
 * fields with protobufjs's wire reader and count field 1 (`pieces`). Cheap enough to run on every
 * checkpoint open and every training-config validation.
 */
import protobuf from 'protobufjs';
import { SoloError } from '../../errors.js';

export function sentencePieceCount(bytes: Uint8Array, name = 'tokenizer.model'): number {
  const r = protobuf.Reader.create(bytes);
  let n = 0;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) n++;
      r.skipType(tag & 7);
    }
  } catch (e) {
    throw new SoloError(`${name}: not a SentencePiece model (${(e as Error).message} at byte ${r.pos})`);
  }
  return n;
}
