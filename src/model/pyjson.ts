/**
 * JSON that keeps Python's int/float distinction: parse keeps each number's literal text, and
 * `pyJsonDumps` writes what Python's `json.dumps(obj, indent=2, sort_keys=True)` writes (the way
 * transformers saves config.json). JS's JSON would turn `0.0` into `0` and `10000.0` into `10000`.
 */
import { SoloError } from '../errors.js';

/** A number with its literal text (`1e-05`, `10000.0`, `4096`). */
export class PyNum {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
  get isFloat(): boolean {
    return /[.eE]|inf|nan/i.test(this.text);
  }
}

export type PyJson = null | boolean | string | PyNum | PyJson[] | { [k: string]: PyJson };

export function parsePyJson(text: string, where = 'JSON'): PyJson {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (m: string): never => {
    throw new SoloError(`${where}: ${m} at offset ${i}`);
  };
  const val = (): PyJson => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: { [k: string]: PyJson } = {};
      ws();
      if (text[i] === '}') return i++, o;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        o[k] = val();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') return i++, o;
        fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const a: PyJson[] = [];
      ws();
      if (text[i] === ']') return i++, a;
      for (;;) {
        a.push(val());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') return i++, a;
        fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) return (i += 4), null;
    const m = /^(-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|Infinity|NaN))/.exec(text.slice(i, i + 64));
    if (!m) fail('unexpected character');
    i += m![1]!.length;
    return new PyNum(m![1]!);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = val();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/** Python json.dumps string escaping with ensure_ascii=True. */
function pyStr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) {
      if (c > 0xffff) {
        const v = c - 0x10000;
        out += `\\u${(0xd800 + (v >> 10)).toString(16).padStart(4, '0')}\\u${(0xdc00 + (v & 0x3ff)).toString(16).padStart(4, '0')}`;
      } else out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

/** `json.dumps(v, indent=2, sort_keys=True)` (no trailing newline). */
export function pyJsonDumps(v: PyJson, indent = 2, level = 0): string {
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return pyStr(v);
  if (v instanceof PyNum) return v.text;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => pad + pyJsonDumps(x, indent, level + 1)).join(',\n')}\n${end}]`;
  }
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((k) => `${pad}${pyStr(k)}: ${pyJsonDumps(v[k]!, indent, level + 1)}`).join(',\n')}\n${end}}`;
}

export function num(n: number | string): PyNum {
  return new PyNum(String(n));
}
