/**
 * Golden vectors from the reference (Python sentencepiece 0.1.97 + Megatron wrapper with
 * --no_new_tokens): raw ids, pieces and wrapper ids for all three models, lone-surrogate errors,
 * and the tricky cases of spec/tokenizer.md §6.
 */
import { describe, expect, it } from 'vitest';
import { createMegatronTokenizer, TokenizerInputError } from '../../src/tokenizer/index.js';
import { golden, processor } from './helpers.js';

const MODELS = ['base', 'solo33029', 'solo33031'] as const;

describe.each(MODELS)('golden tokenization (%s)', (name) => {
  const sp = processor(name);
  const meg = createMegatronTokenizer(sp, { noNewTokens: true });
  const records = golden();

  it('has 401 records', () => {
    expect(records.length).toBe(401);
  });

  it('matches sp_ids (fast path) for every record', () => {
    let ok = 0;
    for (const r of records) {
      if (r.error) continue;
      expect(sp.encode(r.text), `record ${r.id} (${r.note})`).toEqual(r.sp_ids);
      ok++;
    }
    expect(ok).toBe(399);
  });

  it('matches sp_ids (general path) and sp_pieces', () => {
    for (const r of records) {
      if (r.error) continue;
      expect(sp.encodeReference(r.text), `record ${r.id}`).toEqual(r.sp_ids);
      expect(sp.encodeAsPieces(r.text), `record ${r.id}`).toEqual(r.sp_pieces);
    }
  });

  it('matches wrapper_ids', () => {
    for (const r of records) {
      if (r.error) continue;
      expect(meg.tokenize(r.text), `record ${r.id}`).toEqual(r.wrapper_ids);
    }
  });

  it('throws on lone surrogates like Python (TypeError: not a string)', () => {
    const errs = records.filter((r) => r.error);
    expect(errs.length).toBe(2);
    for (const r of errs) {
      expect(r.error).toBe('TypeError: not a string');
      expect(() => sp.encode(r.text)).toThrow(TokenizerInputError);
      expect(() => meg.tokenize(r.text)).toThrow(TokenizerInputError);
    }
  });
});
