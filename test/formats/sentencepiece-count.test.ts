import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSentencePieceModel, sentencePieceCount } from '../../src/formats/sentencepiece/index.js';
import { extendSoloModelBytes } from '../../src/tokenizer/index.js';

const MISTRAL = readFileSync(join(__dirname, '../fixtures/tokenizer/mistral-7b-v0.1.tokenizer.model'));

describe('sentencePieceCount (field walk, no decode)', () => {
  it('agrees with the full protobuf decode: Mistral 32,000 pieces, SOLO-extended 33,029', () => {
    expect(sentencePieceCount(MISTRAL)).toBe(readSentencePieceModel(MISTRAL).pieces.length);
    expect(sentencePieceCount(MISTRAL)).toBe(32000);
    expect(sentencePieceCount(extendSoloModelBytes(MISTRAL))).toBe(33029);
  });
  it('a truncated file is an error naming it and the byte offset', () => {
    expect(() => sentencePieceCount(MISTRAL.subarray(0, 1001), 'x/tokenizer.model')).toThrow(/x\/tokenizer\.model: not a SentencePiece model .* at byte \d+/);
  });
});
