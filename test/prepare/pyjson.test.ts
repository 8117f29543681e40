// Python-compatible helpers of the encoder: CPython base64.b64decode (non-validating) vectors,
// code-point lengths, lone surrogates, json.loads' NaN/Infinity.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codePointLength, hasUnpairedSurrogate, parsePythonJson, pythonBase64Decode } from '../../src/prepare/pyjson.js';
import { FIX } from './golden.js';

describe('pythonBase64Decode', () => {
  const vectors = readFileSync(join(FIX, 'base64_vectors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { input: string; output_hex?: string; error?: string });
  for (const v of vectors) {
    it(JSON.stringify(v.input).slice(0, 60), () => {
      if (v.output_hex !== undefined) expect(pythonBase64Decode(v.input).toString('hex')).toBe(v.output_hex);
      else expect(() => pythonBase64Decode(v.input)).toThrow();
    });
  }
  it('spec §6 examples', () => {
    const hex = (s: string) => pythonBase64Decode(s).toString('hex');
    expect(hex('AAAA')).toBe('000000');
    expect(() => pythonBase64Decode('AAA')).toThrow(/padding/);
    expect(hex('AA==')).toBe('00');
    expect(hex('AA==AA==')).toBe('00');
    expect(hex('AAA=A')).toBe('0000');
    expect(hex('AAAA====')).toBe('000000');
    expect(hex('!!AAAA')).toBe('000000');
    expect(pythonBase64Decode('Zm9v\nYmFy').toString()).toBe('foobar');
  });
});

describe('python string/json helpers', () => {
  it('code points and surrogates', () => {
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('\ud83d')).toBe(1);
    expect(hasUnpairedSurrogate('a😀b')).toBe(false);
    expect(hasUnpairedSurrogate('a\ud83d')).toBe(true);
    expect(hasUnpairedSurrogate('\ude00x')).toBe(true);
  });
  it('NaN / Infinity like json.loads', () => {
    expect(parsePythonJson('{"a": NaN, "b": [-Infinity, Infinity], "c": "NaN"}')).toEqual({ a: null, b: [null, null], c: 'NaN' });
    expect(() => parsePythonJson('{"a": nan}')).toThrow();
  });
});
