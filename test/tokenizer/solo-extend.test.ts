/**
 * SOLO surgery: extending the base model reproduces both reference files byte for byte (sha256 from
 * the reference MANIFEST), the SFT path (33029 + chat tokens) equals the 33031 file, refusals, the
 * atomic file-level function, and the extended models encode exactly like the base model.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SOLO_CHAT_TOKENS,
  SOLO_VISION_TOKENS,
  extendSoloModelBytes,
  extendSoloTokenizer,
  readSentencePieceModel,
} from '../../src/tokenizer/index.js';
import { SoloError, UsageError } from '../../src/errors.js';
import { BASE_MODEL_PATH, SHA256, modelBytes, sha256 } from './helpers.js';

describe('extendSoloModelBytes', () => {
  it('token lists', () => {
    expect(SOLO_VISION_TOKENS.length).toBe(1029);
    expect(SOLO_VISION_TOKENS.slice(0, 6)).toEqual(['<vision>', '<vpatch>', '<vrow_sep>', '<vframe_sep>', '</vision>', '<loc_1>']);
    expect(SOLO_VISION_TOKENS[1028]).toBe('<loc_1024>');
    expect(SOLO_CHAT_TOKENS).toEqual(['<|im_start|>', '<|im_end|>']);
  });

  it('reproduces solo-33029 and solo-33031 from the base model', () => {
    const { base } = modelBytes();
    const a = extendSoloModelBytes(base);
    const b = extendSoloModelBytes(base, { chatTokens: true });
    expect([a.length, sha256(a)]).toEqual([511884, SHA256.solo33029]);
    expect([b.length, sha256(b)]).toEqual([511924, SHA256.solo33031]);
    const m = readSentencePieceModel(b);
    expect(m.pieces.length).toBe(33031);
    expect(m.trainer_spec!.vocab_size).toBe(32000);
    // NORMAL pieces: piece and score present, type absent; bytes 0a 08 "<vision>" 15 00000000
    const raw = Buffer.from(b);
    expect(raw.indexOf(Buffer.concat([Buffer.from([0x0a, 0x0f, 0x0a, 0x08]), Buffer.from('<vision>'), Buffer.from([0x15, 0, 0, 0, 0])]))).toBeGreaterThan(0);
  });

  it('SFT path: 33029 + chat tokens = 33031', () => {
    const { solo33029 } = modelBytes();
    expect(sha256(extendSoloModelBytes(solo33029, { chatTokens: true }))).toBe(SHA256.solo33031);
  });

  it('refuses models that already have the tokens', () => {
    const { solo33029, solo33031 } = modelBytes();
    expect(() => extendSoloModelBytes(solo33029)).toThrow(UsageError);
    expect(() => extendSoloModelBytes(solo33031, { chatTokens: true })).toThrow(/already has all SOLO tokens/);
    expect(() => extendSoloModelBytes(solo33031)).toThrow(UsageError);
  });
});

describe('extendSoloTokenizer (file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'solo-ext-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically and returns the piece count', async () => {
    const out = join(dir, 'solo.model');
    expect(await extendSoloTokenizer({ base: BASE_MODEL_PATH, out, chatTokens: true })).toEqual({ pieces: 33031, bytes: 511924 });
    expect(sha256(readFileSync(out))).toBe(SHA256.solo33031);
    expect(readdirSync(dir)).toEqual(['solo.model']);
    await expect(extendSoloTokenizer({ base: out, out: join(dir, 'again.model') })).rejects.toThrow(UsageError);
    expect(existsSync(join(dir, 'again.model'))).toBe(false);
    await expect(extendSoloTokenizer({ base: join(dir, 'missing.model'), out: join(dir, 'x.model') })).rejects.toThrow(UsageError);
  });

  it('partial SOLO vocabularies are refused', async () => {
    const { writeSentencePieceModel } = await import('../../src/tokenizer/index.js');
    const m = readSentencePieceModel(modelBytes().solo33029);
    m.pieces.pop();
    expect(() => extendSoloModelBytes(writeSentencePieceModel(m), { chatTokens: true })).toThrow(SoloError);
    expect(() => extendSoloModelBytes(writeSentencePieceModel(m), { chatTokens: true })).toThrow(/only part/);
  });
});
