/**
 * Settings come from the model file: variants of the Mistral model with other normalizer flags,
 * without byte fallback, with USER_DEFINED and UNUSED pieces, are compared with Python
 * sentencepiece 0.1.97 (ids, pieces, decode); unsupported models are refused with a clear error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeInterop, runPython } from '../helpers/oracle.js';
import {
  SentencePieceType,
  loadSentencePiece,
  readSentencePieceModel,
  writeSentencePieceModel,
  type SentencePieceModelProto,
} from '../../src/tokenizer/index.js';
import { SoloError } from '../../src/errors.js';
import { generateCorpus, generateIdSequences } from './corpus.js';
import { modelBytes } from './helpers.js';

function variant(edit: (m: SentencePieceModelProto) => void): Uint8Array {
  const m = readSentencePieceModel(modelBytes().solo33031);
  edit(m);
  return writeSentencePieceModel(m);
}

const setType = (m: SentencePieceModelProto, piece: string, type: number): void => {
  const e = m.pieces.find((p) => p.piece === piece);
  if (!e) throw new Error(`no piece ${piece}`);
  e.type = type;
};

const VARIANTS: Record<string, (m: SentencePieceModelProto) => void> = {
  'no dummy prefix': (m) => {
    m.normalizer_spec!.add_dummy_prefix = false;
  },
  'remove_extra_whitespaces': (m) => {
    m.normalizer_spec!.remove_extra_whitespaces = true;
  },
  'no dummy prefix + remove_extra_whitespaces': (m) => {
    m.normalizer_spec!.add_dummy_prefix = false;
    m.normalizer_spec!.remove_extra_whitespaces = true;
  },
  'no escape_whitespaces': (m) => {
    m.normalizer_spec!.escape_whitespaces = false;
  },
  'no byte fallback (byte pieces as CONTROL)': (m) => {
    m.trainer_spec!.byte_fallback = false;
    for (const p of m.pieces) if (p.type === SentencePieceType.BYTE) p.type = SentencePieceType.CONTROL;
  },
  'USER_DEFINED pieces': (m) => {
    for (const p of ['<vision>', '<|im_start|>', 'ing', '▁the', '<loc_12>', '▁▁']) setType(m, p, SentencePieceType.USER_DEFINED);
  },
  'UNUSED pieces': (m) => {
    for (const p of ['▁the', 'ing', '▁t', 'er', '▁▁▁▁', 'on', '▁a']) setType(m, p, SentencePieceType.UNUSED);
  },
};

const ORACLE = String.raw`
import json, sys
import sentencepiece as spm
sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
for line in sys.stdin:
    t = json.loads(line)
    if isinstance(t, list):
        print(json.dumps({"dec": sp.decode_ids(t)}))
        continue
    try:
        ids = sp.encode_as_ids(t)
        r = {"ids": ids, "pieces": sp.encode_as_pieces(t), "dec": sp.decode_ids(ids)}
    except Exception as e:
        r = {"err": type(e).__name__}
    print(json.dumps(r))
`;

const SEED = process.env.SOLO_TEST_SEED !== undefined ? Number(process.env.SOLO_TEST_SEED) : (Date.now() >>> 0);

describeInterop(['sentencepiece'], 'model variants match Python sentencepiece', () => {
  const dir = mkdtempSync(join(tmpdir(), 'solo-tokvar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const extra = ['▁ ▁x', ' ▁ ', '▁', ' ', '  ', '▁', ' a ', 'a  b   c', '   lead', 'trail   ', '\u2581x\u2581', 'Hello <vision> the <|im_start|>ing', 'theing', ' the the'];

  it.each(Object.keys(VARIANTS))('%s', (name) => {
    const bytes = variant(VARIANTS[name]);
    const path = join(dir, `${name.replace(/\W+/g, '_')}.model`);
    writeFileSync(path, bytes);
    const sp = loadSentencePiece(bytes);
    const corpus = [...extra, ...generateCorpus(SEED, 1500, sp.vocab.pieces.slice(259, 32000), 0).map((c) => c.text)];
    const seqs = [[28705, 1318], [259, 1318], [28705, 28705, 1318], [1, 28705, 1318], [0, 28705, 1318], [28705, 68], ...generateIdSequences(SEED, 400, sp.vocabSize)];
    const decoded = runPython(ORACLE, { input: seqs.map((t) => JSON.stringify(t)).join('\n') + '\n', args: [path] })
      .split('\n')
      .filter((l) => l)
      .map((l) => (JSON.parse(l) as { dec: string }).dec);
    expect(seqs.map((ids) => sp.decode(ids))).toEqual(decoded);
    const answers = runPython(ORACLE, { input: corpus.map((t) => JSON.stringify(t)).join('\n') + '\n', args: [path] })
      .split('\n')
      .filter((l) => l)
      .map((l) => JSON.parse(l) as { ids: number[]; pieces: string[]; dec: string });
    const bad: string[] = [];
    corpus.forEach((t, i) => {
      const a = answers[i];
      const ids = sp.encode(t);
      const pieces = sp.encodeAsPieces(t);
      const dec = sp.decode(ids);
      if (JSON.stringify(ids) !== JSON.stringify(a.ids) || JSON.stringify(pieces) !== JSON.stringify(a.pieces) || dec !== a.dec) {
        if (bad.length < 5) bad.push(`${JSON.stringify(t)}: ${JSON.stringify([ids, pieces, dec])} vs ${JSON.stringify([a.ids, a.pieces, a.dec])}`);
      }
    });
    console.log(`variant '${name}' (seed ${SEED}): fast path ${sp.vocab.fastPath ? 'on' : `off (${sp.vocab.fastPathReason})`}, ${corpus.length} strings`);
    expect(bad).toEqual([]);
  });
});

describe('unsupported models are refused', () => {
  it.each([
    ['unigram', (m: SentencePieceModelProto): void => void (m.trainer_spec!.model_type = 1), /model_type UNIGRAM/],
    ['charsmap', (m: SentencePieceModelProto): void => void (m.normalizer_spec!.precompiled_charsmap = new Uint8Array([1, 2, 3])), /precompiled_charsmap/],
    ['suffix whitespace', (m: SentencePieceModelProto): void => void (m.trainer_spec!.treat_whitespace_as_suffix = true), /treat_whitespace_as_suffix/],
    ['duplicate piece', (m: SentencePieceModelProto): void => void m.pieces.push({ piece: '▁the', score: 0 }), /already defined/],
    ['no unk', (m: SentencePieceModelProto): void => void (m.pieces[0].type = SentencePieceType.CONTROL), /unk is not defined/],
  ] as const)('%s', (_name, edit, msg) => {
    const bytes = variant(edit);
    expect(() => loadSentencePiece(bytes)).toThrow(SoloError);
    expect(() => loadSentencePiece(bytes)).toThrow(msg);
  });

  it('a file that is not a model', async () => {
    await expect(loadSentencePiece(join(tmpdir(), 'does-not-exist.model'))).rejects.toThrow(/cannot read tokenizer model/);
    expect(() => loadSentencePiece(new Uint8Array([0xff, 0xff]))).toThrow(SoloError);
  });
});
