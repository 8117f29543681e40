/**
 * expandInputPatterns: shell-style brace expansion (`a{1,2}`, nested braces, numeric ranges
 * `{000..031}` keeping the zero padding, `{0..10..2}` steps, `{a..e}` letter ranges) followed by
 * glob matching (`*`, `?`, `[abc]`, `**` for any depth). Hand-written because Node 20 has no
 * fs.glob and the brace rules needed (zero-padded ranges) are small.
 *
 * Order: patterns in the order given, brace alternatives in the order written, glob matches sorted
 * (byte order) within one glob. A literal (non-glob) path must exist; a glob must match at least
 * one file. Both errors are UsageErrors naming the pattern.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';

function findClose(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function expandRange(body: string): string[] | null {
  let m = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body);
  if (m) {
    const [a, b] = [m[1]!, m[2]!];
    const from = parseInt(a, 10);
    const to = parseInt(b, 10);
    let step = Math.abs(m[3] ? parseInt(m[3], 10) : 1) || 1;
    const padded = /^-?0\d/.test(a) || /^-?0\d/.test(b);
    const width = padded ? Math.max(a.replace('-', '').length, b.replace('-', '').length) : 0;
    const out: string[] = [];
    const dir = from <= to ? 1 : -1;
    step *= dir;
    if (Math.abs(to - from) / Math.abs(step) > 1e6) throw new UsageError(`brace range {${body}} is too large`);
    for (let v = from; dir > 0 ? v <= to : v >= to; v += step) {
      const s = String(Math.abs(v)).padStart(width, '0');
      out.push(v < 0 ? '-' + s : s);
    }
    return out;
  }
  m = /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
  if (m) {
    const from = m[1]!.charCodeAt(0);
    const to = m[2]!.charCodeAt(0);
    const out: string[] = [];
    const dir = from <= to ? 1 : -1;
    for (let v = from; dir > 0 ? v <= to : v >= to; v += dir) out.push(String.fromCharCode(v));
    return out;
  }
  return null;
}

/** Brace-expand one pattern (bash semantics for the common cases). */
export function expandBraces(pattern: string): string[] {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c !== '{') continue;
    const close = findClose(pattern, i);
    if (close < 0) return [pattern];
    const body = pattern.slice(i + 1, close);
    const pre = pattern.slice(0, i);
    const post = pattern.slice(close + 1);
    const range = expandRange(body);
    let alts: string[];
    if (range) alts = range;
    else {
      const parts = splitTopLevel(body);
      if (parts.length < 2) {
        // `{x}` is literal in bash; keep scanning after it
        const rest = expandBraces(post);
        return expandBraces(body).flatMap((b) => rest.map((r) => `${pre}{${b}}${r}`));
      }
      alts = parts.flatMap((p) => expandBraces(p));
    }
    const rest = expandBraces(post);
    const out: string[] = [];
    for (const a of alts) for (const r of rest) out.push(pre + a + r);
    return out;
  }
  return [pattern];
}

const GLOB_CHARS = /[*?[]/;

function segmentRegex(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let cls = seg.slice(i + 1, close);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else if (c === '\\' && i + 1 < seg.length) {
      re += seg[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function globSegments(base: string, segs: string[], out: string[]): Promise<void> {
  if (segs.length === 0) {
    out.push(base);
    return;
  }
  const [seg, ...rest] = segs as [string, ...string[]];
  const dir = base === '' ? '.' : base;
  const joinP = (name: string) => (base === '' ? name : base === '/' ? '/' + name : join(base, name));
  if (seg === '**') {
    await globSegments(base, rest, out); // zero directories
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.')) await globSegments(joinP(e.name), segs, out);
    }
    return;
  }
  if (!GLOB_CHARS.test(seg)) {
    const p = joinP(seg.replace(/\\(.)/g, '$1'));
    if (rest.length === 0) {
      try {
        await stat(p);
        out.push(p);
      } catch {
        /* no match */
      }
    } else if (await isDir(p)) await globSegments(p, rest, out);
    return;
  }
  const re = segmentRegex(seg);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') && !seg.startsWith('.')) continue;
    if (!re.test(e.name)) continue;
    const p = joinP(e.name);
    if (rest.length === 0) out.push(p);
    else if (e.isDirectory() || (e.isSymbolicLink() && (await isDir(p)))) await globSegments(p, rest, out);
  }
}

/** Expand one glob pattern (no braces) to the sorted list of matching paths. */
export async function globPaths(pattern: string): Promise<string[]> {
  const abs = pattern.startsWith('/');
  const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  if (abs) segs.shift();
  const out: string[] = [];
  await globSegments(abs ? '/' : '', segs.filter((s) => s !== ''), out);
  const uniq = [...new Set(out)];
  return uniq.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Expand input patterns into file paths: braces first, then globs. Throws UsageError when a
 * literal path does not exist or a glob matches nothing.
 */
export async function expandInputPatterns(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    for (const p of expandBraces(pattern)) {
      if (GLOB_CHARS.test(p.replace(/\\./g, ''))) {
        const m = await globPaths(p);
        if (m.length === 0) throw new UsageError(`no file matches '${p}'${p !== pattern ? ` (from '${pattern}')` : ''}`);
        out.push(...m);
      } else {
        const lit = p.replace(/\\(.)/g, '$1');
        try {
          await stat(lit);
        } catch {
          throw new UsageError(`input file not found: '${lit}'${p !== pattern ? ` (from '${pattern}')` : ''}`);
        }
        out.push(lit);
      }
    }
  }
  return out;
}
