/**
 * The tricky cases of spec/tokenizer.md §6 (ids from Python sentencepiece 0.1.97), the Megatron
 * wrapper tables of spec/megatron-dataset.md §3.1 with and without --no_new_tokens, and a
 * differential check of the fast (chunked, cached) encoder against the whole-string reference path.
 */
import { describe, expect, it } from 'vitest';
import { buildablePieces, createMegatronTokenizer, pythonStrip, SOLO_CHAT_TOKENS, SOLO_VISION_TOKENS } from '../../src/tokenizer/index.js';
import { UsageError } from '../../src/errors.js';
import { generateCorpus } from './corpus.js';
import { processor } from './helpers.js';

const S = '\u2581';

describe('spec §6 cases', () => {
  const sp = processor('solo33031');
  const enc = (t: string): number[] => sp.encode(t);

  it('empty and whitespace-only input', () => {
    expect(enc('')).toEqual([]);
    expect(enc(' ')).toEqual([259]);
    expect(enc('  ')).toEqual([2287]);
    expect(enc(' a')).toEqual([28705, 264]);
    expect(enc('a ')).toEqual([264, 28705]);
  });

  it('space runs decided by position', () => {
    expect(enc('x     y')).toEqual([1318, 260, 337]);
    expect(enc(' '.repeat(15))).toEqual([359]);
    expect(enc(' '.repeat(17))).toEqual([359, 259]);
    expect(enc('a' + ' '.repeat(30) + 'b')).toEqual([264, 359, 569, 287]);
    expect(sp.encodeAsPieces('x' + ' '.repeat(15) + '\n')).toEqual([`${S}x`, S.repeat(14), S, '<0x0A>']);
    expect(sp.encodeAsPieces('x' + ' '.repeat(31) + '\n')).toEqual([`${S}x`, S.repeat(16), S.repeat(14), S, '<0x0A>']);
    expect(enc(' 12.5%')).toEqual([259, 28740, 28750, 28723, 28782, 28823]);
    const big = enc(' '.repeat(50000));
    expect(big.every((id) => [359, 1417, 569, 558, 17422, 756, 2600, 273, 5390, 428, 355, 260, 2287, 259, 28705].includes(id))).toBe(true);
    expect(big).toEqual(sp.encodeReference(' '.repeat(50000)));
  });

  it('only U+0020 is escaped; literal ▁ acts as a space', () => {
    expect(enc('\t')).toEqual([28705, 12]);
    expect(enc('\n')).toEqual([28705, 13]);
    expect(enc('Hello\nworld')).toEqual([22557, 13, 9471]);
    expect(enc('\u3000')).toEqual([28705, 29351]);
    expect(enc('\u00a0')).toEqual([28705, 29000]);
    expect(enc('\r\n')).toEqual([1302, 13]);
    expect(enc('\u2581')).toEqual([259]);
    expect(enc('hello\u2581world')).toEqual([6312, 28709, 1526]);
    expect(enc('hello\u2581world')).toEqual(enc('hello world'));
  });

  it('digits, no normalisation, byte fallback, pieces like BOM', () => {
    expect(enc('1234567')).toEqual([28705, 28740, 28750, 28770, 28781, 28782, 28784, 28787]);
    expect(enc('\u00e9')).toEqual([1233]);
    expect(enc('e\u0301')).toEqual([317, 28949]);
    expect(enc('\ufb01')).toEqual([28705, 30160]);
    expect(enc('\uff11\uff12\uff13')).toHaveLength(10);
    expect(enc('\u2028')).toEqual([28705, 229, 131, 171]);
    expect(enc('\u0000')).toEqual([28705, 3]);
    expect(enc('\ufffe')).toEqual([28705, 242, 194, 193]);
    expect(enc('\ud83c\udff3\ufe0f\u200d\ud83c\udf08')).toEqual([28705, 243, 162, 146, 182, 29096, 29274, 243, 162, 143, 139]);
    expect(enc('\ufeff')).toEqual([28705, 31759]);
    expect(enc('\u007f')).toEqual([28705, 30982]);
    expect(enc('\u0085')).toEqual([28705, 31363]);
    expect(enc('\ufffd')).toEqual([28705, 29137]);
    expect(enc('\ud83d\ude00')).toEqual([28705, 30575]);
  });

  it('lone surrogates throw', () => {
    expect(() => enc('a\ud800b')).toThrow(/not a string/);
    expect(() => enc('\udc00')).toThrow(/not a string/);
    expect(() => sp.encodeAsPieces('\udc00')).toThrow(/not a string/);
  });

  it('special-token and SOLO literals are ordinary text', () => {
    expect(enc('<s>')).toEqual([523, 28713, 28767]);
    expect(enc('</s>')).toEqual([1867, 28713, 28767]);
    expect(enc('<unk>')).toEqual([523, 2060, 28767]);
    expect(enc('<0x0A>')).toEqual([523, 28734, 28744, 28734, 28741, 28767]);
    expect(enc('[INST]')).toEqual([733, 16289, 28793]);
    expect(enc('<vision>')).toEqual([523, 9824, 28767]);
    expect(enc('<vpatch><vrow_sep>')).toEqual([523, 28728, 5559, 3409, 28728, 671, 28730, 21571, 28767]);
    expect(enc('<loc_12>')).toEqual([523, 1614, 28730, 28740, 28750, 28767]);
    expect(enc('<|im_start|>user\n')).toEqual([523, 28766, 321, 28730, 2521, 28766, 28767, 1838, 13]);
    const all = enc([...SOLO_VISION_TOKENS, ...SOLO_CHAT_TOKENS].join(' '));
    expect(Math.max(...all)).toBeLessThan(32000);
  });

  it('decode', () => {
    expect(sp.decode([28705, 28705])).toBe(' ');
    expect(sp.decode([1, 28705, 1047])).toBe(' If');
    expect(sp.decode([1, 1047])).toBe('If');
    expect(sp.decode([0, 1047])).toBe(' \u2047  If');
    expect(sp.decode([3 + 0xe2, 3 + 0x96, 3 + 0x81, 1047])).toBe('\u2581 If');
    expect(sp.decode([3 + 0x41, 1047])).toBe('A If');
    expect(sp.decode([3 + 0xe2, 3 + 0x96, 3 + 0x41, 3 + 0xff])).toBe('\ufffd\ufffdA\ufffd');
    expect(sp.decode([31759, 1047])).toBe('\ufeff If');
    expect(sp.decode([32000, 1047])).toBe('<vision> If');
    expect(sp.decode([])).toBe('');
    expect(() => sp.decode([33031])).toThrow(/out of range/);
    expect(() => sp.decode([-1])).toThrow(/out of range/);
  });

  it('§2.7: all 28,446 multi-character base pieces are buildable, no SOLO piece is', () => {
    const b = buildablePieces(sp);
    expect([...b].filter((p) => [...p].length > 1).length).toBe(28446);
    expect([...SOLO_VISION_TOKENS, ...SOLO_CHAT_TOKENS].filter((t) => b.has(t))).toEqual([]);
  });

  it('processor surface', () => {
    expect(sp.vocabSize).toBe(33031);
    expect([sp.unkId, sp.bosId, sp.eosId, sp.padId]).toEqual([0, 1, 2, -1]);
    expect(sp.pieceToId('<vision>')).toBe(32000);
    expect(sp.pieceToId('<|im_end|>')).toBe(33030);
    expect(sp.pieceToId('no such piece')).toBe(0);
    expect(sp.idToPiece(28705)).toBe(S);
    expect(sp.vocab.fastPath).toBe(true);
  });
});

describe('Megatron _SentencePieceTokenizer', () => {
  it('--no_new_tokens on the 33031 model', () => {
    const meg = createMegatronTokenizer(processor('solo33031'), { noNewTokens: true });
    expect([...meg.specialTokens]).toEqual([['<s>', 1], ['</s>', 2]]);
    expect([meg.bos, meg.eos, meg.pad, meg.eod]).toEqual([1, 2, 2, 2]);
    expect([meg.cls, meg.sep, meg.mask]).toEqual([null, null, null]);
    expect(meg.vocabSize).toBe(33031);
    expect(meg.tokenToId('<vision>')).toBe(32000);
    expect(meg.tokenToId('<loc_1024>')).toBe(33028);
    expect(meg.tokenToId('<|im_start|>')).toBe(33029);
    expect(meg.tokenize('Hello <s> world')).toEqual([22557, 28705, 1, 28705, 1526]);
    expect(meg.tokenize(' </s> ')).toEqual([259, 2, 259]);
    expect(meg.tokenize('<s>\n')).toEqual([1, 28705, 13]);
    expect(meg.tokenize('<s><s>')).toEqual([1, 1]);
    expect(meg.tokenize('')).toEqual([]);
    expect(meg.tokenize('a</s><s>b')).toEqual([264, 2, 1, 287]);
  });

  it('--no_new_tokens on the 33029 model', () => {
    const meg = createMegatronTokenizer(processor('solo33029'), { noNewTokens: true });
    expect(meg.vocabSize).toBe(33029);
    expect(meg.tokenToId('<|im_start|>')).toBeUndefined();
  });

  it('without --no_new_tokens: appended tokens', () => {
    const meg = createMegatronTokenizer(processor('solo33031'), { noNewTokens: false });
    expect([...meg.specialTokens]).toEqual([
      ['<CLS>', 33031],
      ['<SEP>', 33032],
      ['<EOD>', 33033],
      ['<MASK>', 33034],
      ['<PAD>', 33035],
      ['<s>', 1],
      ['</s>', 2],
    ]);
    expect([meg.pad, meg.bos, meg.eos, meg.eod, meg.vocabSize]).toEqual([33035, 1, 2, 33033, 33036]);
    expect(meg.tokenize('a<MASK>b<EOD>')).toEqual([264, 33034, 287, 33033]);
  });

  it('extra ids are forced; empty special token refused', () => {
    const meg = createMegatronTokenizer(processor('base'), { noNewTokens: true, vocabExtraIds: 2, vocabExtraIdsList: ['<x>'] });
    expect(meg.additionalSpecialTokenIds).toEqual([32000, 32001, 32002]);
    expect(meg.tokenize('a<extra_id_1>')).toEqual([264, 32001]);
    expect(() => createMegatronTokenizer(processor('base'), { noNewTokens: true, vocabExtraIdsList: ['a', ''] })).toThrow(UsageError);
  });

  it('detokenize', () => {
    const meg = createMegatronTokenizer(processor('solo33031'), { noNewTokens: true });
    expect(meg.detokenize(meg.tokenize('Hello <s> world'))).toBe('Hello  <s>  world');
    expect(meg.detokenize([1, 22557])).toBe('<s> Hello');
    expect(meg.detokenize([22557, 13])).toBe('Hello');
    expect(pythonStrip('\u001c a \u0085')).toBe('a');
    expect(pythonStrip('\ufeffa')).toBe('\ufeffa');
  });
});

describe('fast encoder equals the whole-string reference path', () => {
  it('on generated strings', () => {
    const sp = processor('solo33031');
    const corpus = generateCorpus(4242, 1500, sp.vocab.pieces.slice(259, 32000), 1);
    let n = 0;
    for (const { text } of corpus) {
      // twice: the second call is served from the chunk cache
      expect(sp.encode(text)).toEqual(sp.encodeReference(text));
      expect(sp.encode(text)).toEqual(sp.encodeReference(text));
      n++;
    }
    expect(n).toBe(1501);
  });
});
