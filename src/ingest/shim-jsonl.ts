/**
 * PRIVATE SHIM (temporary): a minimal stand-in for src/formats/jsonl until engineer A's module lands.
 * Hand-written because the real module is being built in parallel; only `deps.ts` imports this file,
 * so switching to the real implementation is a one-line change there.
 * - `createLineWriter(path, {compression:'auto'})`: .gz (zlib), .lz4 (LZ4 frame with stored blocks:
 *   valid LZ4, no compression), .zst (not supported), plain otherwise; temp name + atomic rename.
 * - `readLines(paths)`: .gz/.lz4(stored-only)/.zst (fzstd)/plain, split on '\n'.
 * - `expandInputPatterns(patterns)`: `{000..031}` ranges, `{a,b}` lists, `*`/`?`/`**` globs, sorted.
 */
import { createReadStream, createWriteStream, promises as fsp, readdirSync, statSync, existsSync } from 'node:fs';
import { createGzip, createGunzip } from 'node:zlib';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Decompress } from 'fzstd';

export interface LineWriter {
  write(line: string): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

function lz4FrameHeader(): Buffer {
  // magic, FLG (version 01, block independence, no checksums), BD (4 MiB blocks), HC (xxh32 of FLG,BD >> 8 & 0xff)
  return Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73]);
}

export function createLineWriter(path: string, _opts: { compression?: 'auto' } = {}): LineWriter {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const file = createWriteStream(tmp);
  let sink: Writable = file;
  const lz4 = /\.lz4$/.test(path);
  const gz = /\.gz$/.test(path);
  if (gz) {
    const z = createGzip({ level: 6 });
    z.pipe(file);
    sink = z;
  }
  if (/\.zst$/.test(path)) throw new Error('shim writer: .zst output not supported');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const BLOCK = 4 * 1024 * 1024;
  const put = (b: Buffer): Promise<void> =>
    new Promise((res, rej) => {
      if (sink.write(b)) res();
      else sink.once('drain', res);
      sink.once('error', rej);
    });
  const flushLz4 = async (all: boolean) => {
    const buf = Buffer.concat(pending);
    let off = 0;
    while (buf.length - off >= BLOCK || (all && off < buf.length)) {
      const n = Math.min(BLOCK, buf.length - off);
      const hdr = Buffer.alloc(4);
      hdr.writeUInt32LE((n | 0x80000000) >>> 0);
      await put(hdr);
      await put(buf.subarray(off, off + n));
      off += n;
    }
    pending = off < buf.length ? [buf.subarray(off)] : [];
    pendingBytes = buf.length - off;
  };
  let started = false;
  return {
    async write(line: string) {
      const b = Buffer.from(line.endsWith('\n') ? line : line + '\n', 'utf8');
      if (lz4) {
        if (!started) await put(lz4FrameHeader()), (started = true);
        pending.push(b);
        pendingBytes += b.length;
        if (pendingBytes >= BLOCK) await flushLz4(false);
      } else await put(b);
    },
    async close() {
      if (lz4) {
        if (!started) await put(lz4FrameHeader()), (started = true);
        await flushLz4(true);
        await put(Buffer.alloc(4)); // end mark
      }
      await new Promise<void>((res, rej) => {
        file.once('finish', res);
        file.once('error', rej);
        sink.end();
      });
      await fsp.rename(tmp, path);
    },
    async abort() {
      file.destroy();
      await fsp.rm(tmp, { force: true });
    },
  };
}

export interface Line {
  text: string;
  file: string;
  line: number;
  offset: number;
}

async function* chunks(path: string): AsyncGenerator<Buffer> {
  const src: Readable = createReadStream(path);
  if (/\.gz$/.test(path)) {
    yield* src.pipe(createGunzip()) as AsyncIterable<Buffer>;
  } else if (/\.zst$/.test(path)) {
    const out: Buffer[] = [];
    const d = new Decompress((c) => out.push(Buffer.from(c)));
    for await (const c of src as AsyncIterable<Buffer>) {
      d.push(new Uint8Array(c));
      while (out.length) yield out.shift()!;
    }
    d.push(new Uint8Array(0), true);
    while (out.length) yield out.shift()!;
  } else if (/\.lz4$/.test(path)) {
    const all = await fsp.readFile(path);
    let off = 7;
    const parts: Buffer[] = [];
    for (;;) {
      const n = all.readUInt32LE(off);
      off += 4;
      if (n === 0) break;
      if (!(n & 0x80000000)) throw new Error('shim reader: compressed lz4 blocks not supported');
      const len = n & 0x7fffffff;
      parts.push(all.subarray(off, off + len));
      off += len;
    }
    yield Buffer.concat(parts);
  } else yield* src as AsyncIterable<Buffer>;
}

export async function* readLines(paths: string | string[]): AsyncGenerator<Line> {
  for (const file of Array.isArray(paths) ? paths : [paths]) {
    let rest: Buffer = Buffer.alloc(0);
    let line = 0;
    let offset = 0;
    for await (const c of chunks(file)) {
      let buf: Buffer = rest.length ? Buffer.concat([rest, c]) : c;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        line++;
        yield { text: buf.toString('utf8', start, nl), file, line, offset };
        offset += nl + 1 - start;
        start = nl + 1;
      }
      rest = buf.subarray(start);
    }
    if (rest.length) {
      line++;
      yield { text: rest.toString('utf8'), file, line, offset };
    }
  }
}

function braceExpand(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  const body = m[1]!;
  const pre = p.slice(0, m.index);
  const post = p.slice(m.index + m[0].length);
  const range = /^(\d+)\.\.(\d+)$/.exec(body);
  let alts: string[];
  if (range) {
    const w = range[1]!.length;
    const a = Number(range[1]);
    const b = Number(range[2]);
    alts = [];
    for (let i = a; i <= b; i++) alts.push(String(i).padStart(w, '0'));
  } else alts = body.split(',');
  return alts.flatMap((a) => braceExpand(pre + a + post));
}

function globToRegex(seg: string): RegExp {
  let r = '';
  for (const ch of seg) r += ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${r}$`);
}

function globExpand(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return existsSync(pattern) ? [pattern] : [];
  const abs = pattern.startsWith('/');
  const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let cur: string[] = [abs ? '/' : '.'];
  const out: string[] = [];
  const walk = (base: string, i: number) => {
    if (i === segs.length) {
      out.push(base);
      return;
    }
    const seg = segs[i]!;
    if (seg === '' && i === 0) return walk('/', 1);
    if (seg === '**') {
      walk(base, i + 1);
      for (const e of safeDir(base)) if (isDir(join(base, e))) walk(join(base, e), i);
      return;
    }
    if (!/[*?]/.test(seg)) {
      const p = join(base, seg);
      if (existsSync(p)) walk(p, i + 1);
      return;
    }
    const re = globToRegex(seg);
    for (const e of safeDir(base)) if (re.test(e)) walk(join(base, e), i + 1);
  };
  void cur;
  walk(abs ? '/' : '.', abs ? 1 : 0);
  return out.map((p) => (abs || pattern.startsWith('./') ? p : p.replace(/^\.\//, '')));
}
function safeDir(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}
function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export async function expandInputPatterns(patterns: string | string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const p of Array.isArray(patterns) ? patterns : [patterns]) {
    for (const b of braceExpand(p)) for (const f of globExpand(b)) if (!isDir(f)) out.add(f);
  }
  return [...out].sort();
}
export { dirname };
