/**
 * formats/sentencepiece: the embedded schema equals proto/sentencepiece_model.proto, reading then
 * writing each model is byte-identical (including the unknown TrainerSpec field 53 of the Mistral
 * file), and fields read with proto2 defaults.
 */
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  SENTENCEPIECE_MODEL_PROTO,
  UNKNOWN_FIELDS,
  hasSentencePieceField,
  readSentencePieceModel,
  writeSentencePieceModel,
} from '../../src/formats/sentencepiece/index.js';
import { SoloError } from '../../src/errors.js';
import { SHA256, modelBytes, sha256 } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('sentencepiece ModelProto format', () => {
  it('embeds exactly proto/sentencepiece_model.proto', () => {
    expect(SENTENCEPIECE_MODEL_PROTO).toBe(readFileSync(join(ROOT, 'proto', 'sentencepiece_model.proto'), 'utf8'));
  });

  it('the fixtures have the reference hashes', () => {
    const m = modelBytes();
    expect(sha256(m.base)).toBe(SHA256.base);
    expect(sha256(m.solo33029)).toBe(SHA256.solo33029);
    expect(sha256(m.solo33031)).toBe(SHA256.solo33031);
  });

  it.each(['base', 'solo33029', 'solo33031'] as const)('round-trips %s byte-identically', (name) => {
    const buf = modelBytes()[name];
    const model = readSentencePieceModel(buf);
    const out = writeSentencePieceModel(model);
    expect(out.length).toBe(buf.length);
    expect(sha256(out)).toBe(sha256(buf));
  });

  it('keeps unknown fields and applies proto2 defaults', () => {
    const model = readSentencePieceModel(modelBytes().base);
    const ts = model.trainer_spec!;
    // TrainerSpec field 53 (empty string, from a newer sentencepiece) is unknown to the 0.1.97 schema
    const unknown = (ts as unknown as Record<string, Uint8Array[]>)[UNKNOWN_FIELDS];
    expect(unknown.map((b) => Buffer.from(b).toString('hex'))).toEqual(['aa0300']);
    expect(model.pieces.length).toBe(32000);
    expect(model.pieces[31759].piece).toBe('\ufeff'); // BOM must survive decoding
    expect(model.pieces[300].type).toBe(1); // absent → NORMAL
    expect(hasSentencePieceField(model.pieces[300], 'type')).toBe(false);
    expect(hasSentencePieceField(model.pieces[0], 'type')).toBe(true);
    expect(ts.pad_id).toBe(-1);
    expect(ts.byte_fallback).toBe(true);
    expect(model.normalizer_spec!.remove_extra_whitespaces).toBe(false);
    expect(model.normalizer_spec!.escape_whitespaces).toBe(true); // absent → default
    expect(hasSentencePieceField(model.normalizer_spec, 'escape_whitespaces')).toBe(false);
  });

  it('modifications are written (and the result reads back)', () => {
    const model = readSentencePieceModel(modelBytes().base);
    model.normalizer_spec!.add_dummy_prefix = false;
    model.pieces.push({ piece: 'zzz-new', score: -5, type: 4 });
    const again = readSentencePieceModel(writeSentencePieceModel(model));
    expect(again.normalizer_spec!.add_dummy_prefix).toBe(false);
    expect(again.pieces[32000]).toMatchObject({ piece: 'zzz-new', score: -5, type: 4 });
  });

  it('unknown fields at every level survive (written after the known ones, like C++ protobuf)', () => {
    // ModelProto { pieces { piece: "a", <7: varint 5>, <300: "xy"> }, <9: fixed64>, <2000: group-free varint> }
    const piece = [0x0a, 0x01, 0x61, 0x38, 0x05, 0xe2, 0x12, 0x02, 0x78, 0x79];
    const bytes = new Uint8Array([0x0a, piece.length, ...piece, 0x49, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0x7d, 0x2a]);
    const m = readSentencePieceModel(bytes);
    expect(m.pieces[0].piece).toBe('a');
    expect(Buffer.from(writeSentencePieceModel(m))).toEqual(Buffer.from(bytes));
    // a modified message keeps them too
    m.pieces[0].score = 1.5;
    const again = readSentencePieceModel(writeSentencePieceModel(m));
    expect(again.pieces[0].score).toBe(1.5);
    expect(((again.pieces[0] as unknown as Record<string, Uint8Array[]>)[UNKNOWN_FIELDS]).length).toBe(2);
  });

  it('refuses garbage', () => {
    expect(() => readSentencePieceModel(new Uint8Array([0x0a, 0xff, 0xff, 0xff]))).toThrow(SoloError);
  });
});
