/**
 * Seeded generator of diverse test strings for the interop test (spec/tokenizer.md §4.1 categories):
 * prose, code, numbers, whitespace runs (up to 40 spaces), tabs/newlines/CR, CJK (incl. astral),
 * emoji (ZWJ, flags, skin tones), combining marks, RTL with bidi controls, rare code points,
 * special-token literals, concatenations and fragments of vocabulary pieces, random Unicode, and a
 * few 100 kB strings. Deterministic for a given seed.
 */

export type Rng = () => number;

/** mulberry32 */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, a: readonly T[]): T => a[int(r, a.length)];
const cpRange = (r: Rng, lo: number, hi: number): string => String.fromCodePoint(lo + int(r, hi - lo + 1));

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were ' +
  'her she there been one all would their we him when has who more if will no out so said what up its about into than ' +
  'them can only other new some could time these two may first then do any like my now over such our man me even most ' +
  'made after also did many before must through back years where much your way well down should because each just those ' +
  'people how too little state good very make world still own see men work long get here between both life being under ' +
  'never day same another know while last might us great old year off come since against go came right used take three ' +
  'image picture photo shows red bicycle leaning brick wall afternoon children kite windy beach quick brown fox jumps lazy ' +
  'dog describe detail scene vision language model token transformer attention gradient dataset training inference'
).split(' ');
const PUNCT = ['.', ',', ';', ':', '!', '?', '...', ' -', ' —', '"', "'", '(', ')', '[', ']', '%', '&'];
const CODE_TOKENS = [
  'function', 'const', 'let', 'return', 'if', 'else', 'for', 'while', 'def', 'class', 'import', 'from', 'self', 'None',
  'true', 'false', 'null', '=>', '==', '===', '!=', '+=', '->', '::', '{', '}', '(', ')', '[', ']', ';', ',', '.', '#include',
  '<stdio.h>', 'printf("%d\\n", x);', 'x', 'y', 'i', 'n', 'foo_bar', 'camelCase', 'SNAKE_CASE', '0x1F', '1e-9', '"str"', "'c'",
  '/* comment */', '// note', '# python', '\\t', '\\n', '&&', '||', '<<', '>>', '...', '@decorator', 'async', 'await',
];
const SPECIALS = [
  '<s>', '</s>', '<unk>', '<pad>', '<0x0A>', '<0xFF>', '<vision>', '</vision>', '<vpatch>', '<vrow_sep>', '<vframe_sep>',
  '<|im_start|>', '<|im_end|>', '<loc_1>', '<loc_512>', '<loc_1024>', '<loc_0>', '<loc_1025>', '[INST]', '[/INST]', '<<SYS>>',
  '\u2581', '\u2581\u2581', '<s', 's>', '</', '<|', '|>',
];
const WS = [' ', '\t', '\n', '\r\n', '\r', '\u00a0', '\u3000', '\u2581', '\u200b', '\ufeff', '\u2028', '\u0085', '\u000b', '\u000c'];

function words(r: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = pick(r, WORDS);
    const c = r();
    if (c < 0.1) w = w[0].toUpperCase() + w.slice(1);
    else if (c < 0.12) w = w.toUpperCase();
    out.push(w);
    if (r() < 0.12) out[out.length - 1] += pick(r, PUNCT);
  }
  return out.join(' ');
}

function prose(r: Rng): string {
  let s = words(r, 1 + int(r, 40));
  if (r() < 0.5) s = s[0].toUpperCase() + s.slice(1) + '.';
  if (r() < 0.2) s += '\n\n' + words(r, 1 + int(r, 20));
  return s;
}

function code(r: Rng): string {
  const lines: string[] = [];
  const nl = 1 + int(r, 8);
  for (let l = 0; l < nl; l++) {
    const indent = r() < 0.3 ? '\t'.repeat(int(r, 3)) : ' '.repeat(int(r, 4) * 2);
    const toks: string[] = [];
    for (let k = 0, n = 1 + int(r, 10); k < n; k++) toks.push(pick(r, CODE_TOKENS));
    lines.push(indent + toks.join(r() < 0.8 ? ' ' : ''));
  }
  return lines.join(r() < 0.9 ? '\n' : '\r\n');
}

function numbers(r: Rng): string {
  const k = int(r, 8);
  const d = (): string => String(int(r, 10 ** (1 + int(r, 9))));
  switch (k) {
    case 0: return `${2000 + int(r, 30)}-${String(1 + int(r, 12)).padStart(2, '0')}-${String(1 + int(r, 28)).padStart(2, '0')}`;
    case 1: return `${d()}.${d()}`;
    case 2: return `0x${int(r, 2 ** 31).toString(16)}`;
    case 3: return `${(r() * 1000).toExponential(int(r, 6))}`;
    case 4: return ` ${d()}%`;
    case 5: return Array.from({ length: 1 + int(r, 8) }, () => cpRange(r, 0x660, 0x669)).join(''); // Arabic-Indic
    case 6: return Array.from({ length: 1 + int(r, 8) }, () => cpRange(r, 0xff10, 0xff19)).join(''); // full-width
    default: return d().repeat(1 + int(r, 3));
  }
}

function whitespace(r: Rng): string {
  const parts: string[] = [];
  for (let i = 0, n = 1 + int(r, 6); i < n; i++) {
    const c = r();
    if (c < 0.45) parts.push(' '.repeat(1 + int(r, 40)));
    else if (c < 0.6) parts.push('\u2581'.repeat(1 + int(r, 20)));
    else if (c < 0.8) parts.push(Array.from({ length: 1 + int(r, 4) }, () => pick(r, WS)).join(''));
    else parts.push(pick(r, ['x', 'a', 'If', '1', '.', '\n', '日', 'é', 'world']));
    if (r() < 0.5) parts.push(pick(r, WORDS));
  }
  return parts.join('');
}

function cjk(r: Rng): string {
  const ranges: [number, number][] = [[0x4e00, 0x9fff], [0x3040, 0x309f], [0x30a0, 0x30ff], [0xac00, 0xd7a3], [0x20000, 0x2a6df], [0x3000, 0x303f]];
  let s = '';
  for (let i = 0, n = 1 + int(r, 30); i < n; i++) {
    const [lo, hi] = pick(r, ranges);
    s += cpRange(r, lo, hi);
    if (r() < 0.1) s += pick(r, [' ', '，', '。', '\n']);
  }
  return s;
}

function emoji(r: Rng): string {
  let s = '';
  for (let i = 0, n = 1 + int(r, 8); i < n; i++) {
    const c = r();
    if (c < 0.4) s += cpRange(r, 0x1f300, 0x1faff);
    else if (c < 0.55) s += cpRange(r, 0x1f466, 0x1f469) + '\u200d' + cpRange(r, 0x1f466, 0x1f469);
    else if (c < 0.7) s += cpRange(r, 0x1f1e6, 0x1f1ff) + cpRange(r, 0x1f1e6, 0x1f1ff);
    else if (c < 0.8) s += cpRange(r, 0x1f44a, 0x1f450) + cpRange(r, 0x1f3fb, 0x1f3ff);
    else if (c < 0.9) s += cpRange(r, 0x2600, 0x27bf) + '\ufe0f';
    else s += '😀';
    if (r() < 0.3) s += ' ' + pick(r, WORDS) + ' ';
  }
  return s;
}

function combining(r: Rng): string {
  let s = '';
  for (let i = 0, n = 1 + int(r, 12); i < n; i++) {
    s += pick(r, ['a', 'e', 'o', 'u', 'n', 'c', 'A', 'E', ' ', 'i']);
    for (let k = int(r, 3); k > 0; k--) s += cpRange(r, 0x300, 0x36f);
  }
  return r() < 0.5 ? s : s.normalize(pick(r, ['NFC', 'NFD', 'NFKC', 'NFKD']));
}

function rtl(r: Rng): string {
  let s = '';
  for (let i = 0, n = 1 + int(r, 20); i < n; i++) {
    const c = r();
    if (c < 0.4) s += cpRange(r, 0x621, 0x64a);
    else if (c < 0.7) s += cpRange(r, 0x5d0, 0x5ea);
    else if (c < 0.8) s += pick(r, ['\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2069']);
    else if (c < 0.9) s += ' ';
    else s += pick(r, WORDS);
  }
  return s;
}

function rare(r: Rng): string {
  let s = '';
  for (let i = 0, n = 1 + int(r, 10); i < n; i++) {
    const c = r();
    if (c < 0.3) s += cpRange(r, 0, 0x1f);
    else if (c < 0.4) s += '\u007f';
    else if (c < 0.55) s += cpRange(r, 0x80, 0x9f);
    else if (c < 0.65) s += pick(r, ['\ufffd', '\ufffe', '\uffff', '\u{10ffff}', '\ufdd0', '\u{1fffe}', '\u{e0001}']);
    else if (c < 0.75) s += cpRange(r, 0xe000, 0xf8ff);
    else if (c < 0.85) s += cpRange(r, 0xf0000, 0xffffd);
    else s += pick(r, WORDS);
  }
  return s;
}

function specials(r: Rng): string {
  const parts: string[] = [];
  for (let i = 0, n = 1 + int(r, 6); i < n; i++) {
    const c = r();
    if (c < 0.5) parts.push(pick(r, SPECIALS));
    else if (c < 0.6) parts.push(`<loc_${int(r, 1100)}>`);
    else if (c < 0.9) parts.push(words(r, 1 + int(r, 4)));
    else parts.push(pick(r, ['\n', ' ', '', '  ']));
  }
  return parts.join(r() < 0.5 ? '' : pick(r, [' ', '\n']));
}

function randomUnicode(r: Rng): string {
  let s = '';
  for (let i = 0, n = 1 + int(r, 20); i < n; i++) {
    let cp: number;
    const c = r();
    if (c < 0.5) cp = 0x20 + int(r, 0x5f);
    else if (c < 0.85) cp = int(r, 0x10000);
    else cp = int(r, 0x110000);
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
    s += String.fromCodePoint(cp);
  }
  return s;
}

function vocabConcat(r: Rng, pieces: readonly string[]): string {
  let s = '';
  for (let i = 0, n = 1 + int(r, 12); i < n; i++) {
    let p = pick(r, pieces);
    if (r() < 0.2) {
      const a = int(r, p.length);
      p = p.slice(a, a + 1 + int(r, p.length));
    }
    s += p;
  }
  s = s.replace(/[\ud800-\udfff]/g, 'x'); // slicing may have cut a pair
  return r() < 0.5 ? s.replaceAll('\u2581', ' ') : s;
}

export interface CorpusItem {
  cat: string;
  text: string;
}

/** `count` strings from the seed, plus `long` strings of about 100 kB. */
export function generateCorpus(seed: number, count: number, pieces: readonly string[], long = 4): CorpusItem[] {
  const r = makeRng(seed);
  const gens: [string, number, (r: Rng) => string][] = [
    ['prose', 16, prose],
    ['code', 10, code],
    ['numbers', 6, numbers],
    ['whitespace', 10, whitespace],
    ['cjk', 6, cjk],
    ['emoji', 6, emoji],
    ['combining', 5, combining],
    ['rtl', 5, rtl],
    ['rare', 6, rare],
    ['specials', 8, specials],
    ['vocab', 16, (rr) => vocabConcat(rr, pieces)],
    ['unicode', 6, randomUnicode],
  ];
  const total = gens.reduce((a, g) => a + g[1], 0);
  const out: CorpusItem[] = [];
  for (let i = 0; i < count; i++) {
    let x = r() * total;
    let g = gens[0];
    for (const cand of gens) {
      if (x < cand[1]) {
        g = cand;
        break;
      }
      x -= cand[1];
    }
    let text = g[2](r);
    // mix categories sometimes
    if (r() < 0.15) text += pick(r, [' ', '\n', '']) + pick(r, gens)[2](r);
    out.push({ cat: g[0], text });
  }
  const longGens: [string, () => string][] = [
    ['long-prose', () => words(r, 20000)],
    ['long-word', () => Array.from({ length: 100000 }, () => pick(r, ['a', 'b', 'e', 'r', 's', 't', 'n'])).join('')],
    ['long-spaces', () => ' '.repeat(50000 + int(r, 1000)) + 'x'],
    ['long-cjk', () => Array.from({ length: 35000 }, () => cpRange(r, 0x4e00, 0x9fff)).join('')],
    ['long-vocab', () => Array.from({ length: 8000 }, () => vocabConcat(r, pieces)).join('')],
    ['long-mixed', () => Array.from({ length: 1500 }, () => pick(r, gens)[2](r)).join(' ')],
  ];
  for (let i = 0; i < long; i++) {
    const [cat, f] = longGens[(i + int(r, longGens.length)) % longGens.length];
    out.push({ cat, text: f() });
  }
  return out;
}

/** Random id sequences for decode tests (control, unk, byte runs valid and broken, spaces, SOLO ids). */
export function generateIdSequences(seed: number, count: number, vocabSize: number, byteBase = 3): number[][] {
  const r = makeRng(seed ^ 0x5bd1e995);
  const out: number[][] = [];
  const utf8 = (s: string): number[] => Array.from(Buffer.from(s, 'utf8'), (b) => byteBase + b);
  for (let i = 0; i < count; i++) {
    const ids: number[] = [];
    for (let k = 0, n = int(r, 12); k < n; k++) {
      const c = r();
      if (c < 0.15) ids.push(int(r, 3));
      else if (c < 0.35) ids.push(byteBase + int(r, 256));
      else if (c < 0.45) ids.push(...utf8(pick(r, ['é', '日', '😀', '\u2581', '\ufeff', 'A', '\u{10ffff}'])));
      else if (c < 0.52) ids.push(...utf8(pick(r, ['日', '😀'])).slice(0, 1 + int(r, 2)));
      else if (c < 0.6) ids.push(pick(r, [28705, 259, 2287, 359, 1047, 31759, 29137]));
      else if (c < 0.67 && vocabSize > 32000) ids.push(32000 + int(r, vocabSize - 32000));
      else ids.push(int(r, Math.min(vocabSize, 32000)));
    }
    out.push(ids);
  }
  return out;
}
