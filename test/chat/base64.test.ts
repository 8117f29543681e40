// pythonB64Decode against CPython base64.b64decode golden vectors (fixtures/chat/base64_vectors.jsonl,
// copied from the reference fixtures) and against the live oracle on random junk strings.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonB64Decode, Base64Error } from '../../src/chat/index.js';
import { describeInterop, runPython } from '../helpers/oracle.js';

interface Vector {
  input: string;
  output_hex?: string;
  error?: string;
}
const vectors: Vector[] = readFileSync(join(__dirname, '../fixtures/chat/base64_vectors.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Vector);

describe('pythonB64Decode: golden vectors', () => {
  it('has all vectors', () => {
    expect(vectors.length).toBe(51);
  });
  for (const v of vectors) {
    it(`${JSON.stringify(v.input)} -> ${v.output_hex ?? v.error}`, () => {
      if (v.error !== undefined) {
        let err: unknown;
        try {
          pythonB64Decode(v.input);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(Base64Error);
        expect((err as Base64Error).reason).toBe('bad-base64');
        // same message text as CPython (after the exception class name)
        expect(v.error).toContain((err as Error).message);
      } else {
        expect(pythonB64Decode(v.input).toString('hex')).toBe(v.output_hex);
      }
    });
  }
  it('decodes the spec examples', () => {
    expect(pythonB64Decode('AAAA').length).toBe(3);
    expect(() => pythonB64Decode('AAA')).toThrow(/Incorrect padding/);
    expect(pythonB64Decode('AA==').length).toBe(1);
    expect(pythonB64Decode('AA==AA==').length).toBe(1);
    expect(pythonB64Decode('AAA=A').length).toBe(2);
    expect(pythonB64Decode('AAAA====').length).toBe(3);
    expect(pythonB64Decode('!!AAAA').length).toBe(3);
    expect(pythonB64Decode('Zm9v\nYmFy').toString()).toBe('foobar');
  });
});

describeInterop(['base64', 'binascii'], 'pythonB64Decode vs CPython on random junk', () => {
  it('matches b64decode on 2000 random strings', () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/====-_ \n\r\t!.';
    const inputs: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(rnd() * 24);
      let s = '';
      for (let k = 0; k < n; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      inputs.push(s);
    }
    const out = runPython(
      `import sys, json, base64
for line in sys.stdin:
    s = json.loads(line)
    try:
        print(json.dumps({"hex": base64.b64decode(s).hex()}))
    except Exception as e:
        print(json.dumps({"err": str(e)}))`,
      { input: inputs.map((s) => JSON.stringify(s)).join('\n') + '\n' },
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { hex?: string; err?: string });
    let mismatches = 0;
    inputs.forEach((s, i) => {
      const want = out[i]!;
      let got: { hex?: string; err?: string };
      try {
        got = { hex: pythonB64Decode(s).toString('hex') };
      } catch (e) {
        got = { err: (e as Error).message };
      }
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches++;
    });
    expect(mismatches).toBe(0);
  });
});
