/**
 * Tar access for the adapters.
 * - `tarSamples(path)`: streams a (optionally gzipped) tar and groups consecutive
 *   members by WebDataset key (directory + basename up to its first '.'). Unsafe names (absolute,
 *   any `..` segment), links and other non-file members are reported, never used or followed. A
 *   truncated member or corrupt header ends the tar with an error record; samples before it stand.
 * - `TarIndex`: random access by member name (hand-written ustar/pax/GNU header walk, since
 *   tar-stream has no offsets) for MMC4-style lookups; members are read with pread.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { IngestErrorRecord } from './types.js';

export interface TarSample {
  key: string;
  /** extension (lower case, after the first '.') → bytes */
  members: Map<string, Buffer>;
}

export type TarEvent = { kind: 'sample'; sample: TarSample } | { kind: 'error'; error: IngestErrorRecord };

export function isUnsafeMemberName(name: string): boolean {
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) || name.startsWith('\\')) return true;
  return name.split(/[\\/]/).some((s) => s === '..');
}

export function splitKey(name: string): { key: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const base = name.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot < 0) return { key: name, ext: '' };
  return { key: name.slice(0, slash + 1) + base.slice(0, dot), ext: base.slice(dot + 1).toLowerCase() };
}

/**
 * Sequential reader over a chunk stream: `read(n)` returns n bytes, or fewer at end of input. Bytes
 * inside one chunk are returned as views (no copy); only reads spanning chunks are assembled.
 */
class ByteReader {
  private chunks: Buffer[] = [];
  private head = 0; // offset into chunks[0]
  private avail = 0;
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}
  async read(n: number): Promise<Buffer> {
    while (this.avail < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length) {
        this.chunks.push(r.value);
        this.avail += r.value.length;
      }
    }
    const want = Math.min(n, this.avail);
    this.avail -= want;
    const first = this.chunks[0];
    if (!first || want === 0) return Buffer.alloc(0);
    if (first.length - this.head >= want) {
      const out = first.subarray(this.head, this.head + want);
      this.head += want;
      if (this.head === first.length) this.chunks.shift(), (this.head = 0);
      return out;
    }
    const out = Buffer.allocUnsafe(want);
    let o = 0;
    while (o < want) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length - this.head, want - o);
      c.copy(out, o, this.head, this.head + take);
      o += take;
      this.head += take;
      if (this.head === c.length) this.chunks.shift(), (this.head = 0);
    }
    return out;
  }
}

function checksumOk(h: Buffer): boolean {
  const stored = octal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

/**
 * Hand-written streaming tar walk (rather than tar-stream's extractor) so that a truncated member
 * is reported by name and a bad header checksum is detected before any of its data is used.
 */
export async function* tarSamples(path: string): AsyncGenerator<TarEvent> {
  let src: Readable = createReadStream(path, { highWaterMark: 1 << 20 });
  if (/\.(t?gz)$/.test(path)) src = src.pipe(createGunzip());
  const rd = new ByteReader((src as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
  let cur: TarSample | undefined;
  let lastGood: string | undefined;
  let longName: string | undefined;
  const flush = function* (): Generator<TarEvent> {
    if (cur) yield { kind: 'sample', sample: cur };
    cur = undefined;
  };
  const err = (reason: string, message: string, member?: string): TarEvent => ({ kind: 'error', error: { reason, message, file: path, member } });
  try {
    for (;;) {
      const h = await rd.read(512);
      if (h.length === 0) break;
      if (h.length < 512) {
        yield* flush();
        yield err('corrupt-tar', `tar ends inside a header after ${lastGood ?? 'its start'}`, lastGood);
        return;
      }
      if (h.every((x) => x === 0)) break;
      if (!checksumOk(h)) {
        yield* flush();
        yield err('corrupt-tar', `bad tar header checksum after ${lastGood ?? 'its start'}`, lastGood);
        return;
      }
      const size = octal(h, 124, 12);
      const type = String.fromCharCode(h[156] || 0x30);
      let name = cstr(h, 0, 100);
      if (h.toString('latin1', 257, 262) === 'ustar') {
        const prefix = cstr(h, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      if (type !== 'L' && type !== 'x' && longName !== undefined) name = longName;
      const data = await rd.read(size);
      if (data.length < size) {
        // the truncated member's own sample is incomplete: it is covered by this one record
        if (cur && cur.key === splitKey(name).key) cur = undefined;
        yield* flush();
        yield err('truncated-member', `tar member is truncated: ${data.length} of ${size} bytes present`, name);
        return;
      }
      await rd.read((512 - (size % 512)) % 512);
      if (type === 'L') {
        longName = cstr(data, 0, size);
        continue;
      }
      if (type === 'x') {
        const m = /\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
        if (m) longName = m[1];
        continue;
      }
      if (type === 'g') continue;
      longName = undefined;
      lastGood = name;
      if (type === '5') continue;
      if (isUnsafeMemberName(name)) {
        yield* flush();
        yield err('unsafe-member-name', `member name escapes the archive: ${JSON.stringify(name)}`, name);
        continue;
      }
      if (type !== '0' && type !== '7') {
        yield* flush();
        yield err('non-file-member', `member of type '${type}' ignored (links are never followed)`, name);
        continue;
      }
      const { key, ext } = splitKey(name);
      if (cur && cur.key !== key) yield* flush();
      if (!cur) cur = { key, members: new Map() };
      cur.members.set(ext, data);
    }
  } catch (e) {
    yield* flush();
    yield err('corrupt-tar', `tar unreadable after ${lastGood ?? 'its start'}: ${(e as Error).message}`, lastGood);
    src.destroy();
    return;
  }
  yield* flush();
}

function octal(b: Buffer, off: number, len: number): number {
  if (b[off]! & 0x80) {
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = b.toString('latin1', off, off + len).replace(/\0.*$/s, '').trim();
  return s ? parseInt(s, 8) : 0;
}
function cstr(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

/** Member name → (data offset, size) for one uncompressed tar; built once, read with pread. */
export class TarIndex {
  private constructor(
    readonly path: string,
    readonly members: Map<string, { offset: number; size: number }>,
  ) {}

  static async open(path: string): Promise<TarIndex> {
    const fh = await fsp.open(path, 'r');
    const members = new Map<string, { offset: number; size: number }>();
    try {
      const { size: total } = await fh.stat();
      const hdr = Buffer.alloc(512);
      let pos = 0;
      let longName: string | undefined;
      while (pos + 512 <= total) {
        await fh.read(hdr, 0, 512, pos);
        if (hdr.every((x) => x === 0)) break;
        const size = octal(hdr, 124, 12);
        const type = String.fromCharCode(hdr[156] || 0x30);
        let name = cstr(hdr, 0, 100);
        const magic = hdr.toString('latin1', 257, 262);
        if (magic === 'ustar') {
          const prefix = cstr(hdr, 345, 155);
          if (prefix) name = `${prefix}/${name}`;
        }
        const data = pos + 512;
        if (type === 'L' || type === 'x') {
          const body = Buffer.alloc(size);
          await fh.read(body, 0, size, data);
          if (type === 'L') longName = cstr(body, 0, size);
          else {
            const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
            if (m) longName = m[1];
          }
        } else {
          if (longName !== undefined) name = longName;
          longName = undefined;
          if ((type === '0' || type === '7') && !isUnsafeMemberName(name) && data + size <= total && !members.has(name))
            members.set(name, { offset: data, size });
        }
        pos = data + Math.ceil(size / 512) * 512;
      }
    } finally {
      await fh.close();
    }
    return new TarIndex(path, members);
  }

  async read(name: string): Promise<Buffer | undefined> {
    const m = this.members.get(name);
    if (!m) return undefined;
    const fh = await fsp.open(this.path, 'r');
    try {
      const b = Buffer.alloc(m.size);
      await fh.read(b, 0, m.size, m.offset);
      return b;
    } finally {
      await fh.close();
    }
  }
}
