/**
 * Interop with Python sentencepiece 0.1.97 (the reference): ≥ 20,000 generated strings from a seed
 * that changes every run (override with SOLO_TEST_SEED), compared on encode_as_ids (raw and through
 * the Megatron wrapper as the reference code splits it), decode_ids of the results, and random id
 * sequences through decode_ids. One Python process answers all requests (JSON lines).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInterop, runPython } from '../helpers/oracle.js';
import { createMegatronTokenizer } from '../../src/tokenizer/index.js';
import { generateCorpus, generateIdSequences } from './corpus.js';
import { modelBytes, processor } from './helpers.js';

const ORACLE = String.raw`
import json, sys
import sentencepiece as spm
models = [spm.SentencePieceProcessor(model_file=p) for p in sys.argv[1:]]

def wrapper(sp, text, specials):
    # Megatron-LLM _SentencePieceTokenizer.tokenize (--no_new_tokens: only <s>, </s> are special)
    ids = []
    idx = 0
    while 1:
        indices = {}
        for token in specials:
            try:
                indices[token] = text[idx:].index(token)
            except ValueError:
                continue
        if len(indices) == 0:
            break
        next_token = min(indices, key=indices.get)
        next_idx = idx + indices[next_token]
        ids.extend(sp.encode_as_ids(text[idx:next_idx]))
        ids.append(specials[next_token])
        idx = next_idx + len(next_token)
    ids.extend(sp.encode_as_ids(text[idx:]))
    return ids

out = sys.stdout
for line in sys.stdin:
    q = json.loads(line)
    sp = models[q["m"]]
    try:
        if q["op"] == "enc":
            ids = sp.encode_as_ids(q["t"])
            r = {"ids": ids, "dec": sp.decode_ids(ids)}
            if q.get("w"):
                r["w"] = wrapper(sp, q["t"], {"<s>": 1, "</s>": 2})
        else:
            r = {"dec": sp.decode_ids(q["ids"])}
    except Exception as e:
        r = {"err": type(e).__name__ + ": " + str(e)}
    out.write(json.dumps(r) + "\n")
`;

const COUNT = Number(process.env.SOLO_TEST_COUNT ?? 20000);
const SEED = process.env.SOLO_TEST_SEED !== undefined ? Number(process.env.SOLO_TEST_SEED) : (Date.now() ^ (process.pid << 16)) >>> 0;

describeInterop(['sentencepiece'], 'tokenizer interop with Python sentencepiece 0.1.97', () => {
  let dir = '';
  const paths: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'solo-tok-'));
    const m = modelBytes();
    for (const [name, bytes] of [['solo33031', m.solo33031], ['base', m.base]] as const) {
      const p = join(dir, `${name}.model`);
      writeFileSync(p, bytes);
      paths.push(p);
    }
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`encode + decode + wrapper match on ${COUNT} generated strings (seed ${SEED})`, () => {
    console.log(`tokenizer interop seed: ${SEED} (rerun with SOLO_TEST_SEED=${SEED})`);
    const sp = processor('solo33031');
    const base = processor('base');
    const meg = createMegatronTokenizer(sp, { noNewTokens: true });
    const pieces = sp.vocab.pieces.slice(259, 32000);
    const corpus = generateCorpus(SEED, COUNT, pieces, 5);
    const seqs = generateIdSequences(SEED, 3000, sp.vocabSize);
    const requests: string[] = [];
    corpus.forEach((c, i) => requests.push(JSON.stringify({ op: 'enc', m: i % 10 === 0 ? 1 : 0, t: c.text, w: i % 2 === 0 })));
    for (const ids of seqs) requests.push(JSON.stringify({ op: 'dec', m: 0, ids }));
    // lone surrogates: both sides must refuse
    const bad = ['a\ud800b', '\udc00', 'x\ud83d', '\ude00y'];
    for (const t of bad) requests.push(JSON.stringify({ op: 'enc', m: 0, t }));
    const answers = runPython(ORACLE, { input: requests.join('\n') + '\n', args: paths })
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { ids?: number[]; dec?: string; w?: number[]; err?: string });
    expect(answers.length).toBe(requests.length);

    const mismatches: string[] = [];
    const perCat = new Map<string, number>();
    let bytes = 0;
    corpus.forEach((c, i) => {
      const a = answers[i];
      bytes += Buffer.byteLength(c.text);
      const proc = i % 10 === 0 ? base : sp;
      const fail = (what: string, got: unknown, want: unknown): void => {
        perCat.set(c.cat, (perCat.get(c.cat) ?? 0) + 1);
        if (mismatches.length < 10) {
          mismatches.push(`${what} [${c.cat}] ${JSON.stringify(c.text.slice(0, 200))}: got ${JSON.stringify(got).slice(0, 300)} want ${JSON.stringify(want).slice(0, 300)}`);
        }
      };
      if (a.err) return fail('python error', null, a.err);
      const ids = proc.encode(c.text);
      if (JSON.stringify(ids) !== JSON.stringify(a.ids)) return fail('encode', ids, a.ids);
      const dec = proc.decode(ids);
      if (dec !== a.dec) return fail('decode(encode)', dec, a.dec);
      if (a.w) {
        const w = meg.tokenize(c.text);
        if (JSON.stringify(w) !== JSON.stringify(a.w)) return fail('wrapper', w, a.w);
      }
    });
    seqs.forEach((ids, k) => {
      const a = answers[corpus.length + k];
      let got: string;
      try {
        got = sp.decode(ids);
      } catch (e) {
        got = `error ${(e as Error).message}`;
      }
      if (got !== a.dec) {
        perCat.set('decode', (perCat.get('decode') ?? 0) + 1);
        if (mismatches.length < 10) mismatches.push(`decode ${JSON.stringify(ids)}: got ${JSON.stringify(got)} want ${JSON.stringify(a.dec ?? a.err)}`);
      }
    });
    bad.forEach((t, k) => {
      const a = answers[corpus.length + seqs.length + k];
      expect(a.err).toMatch(/TypeError/);
      expect(() => sp.encode(t)).toThrow(/not a string/);
    });
    console.log(`tokenizer interop: ${corpus.length} strings (${(bytes / 1e6).toFixed(2)} MB), ${seqs.length} decode sequences; mismatches by category: ${JSON.stringify(Object.fromEntries(perCat))}`);
    expect(mismatches).toEqual([]);
  });
});
