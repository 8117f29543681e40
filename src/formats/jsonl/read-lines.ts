/**
 * readLines: files in order → one stream of lines, each with file, 1-based line number, byte
 * offset and byte length in the decompressed stream.
 *
 * Scans Buffer chunks with indexOf (no readline: it is slower and hides offsets). A line spanning
 * chunks is decoded part by part as the parts arrive (PendingLine), so memory is bounded by the
 * longest line's string.
 * Newlines: `lf` (default) ends lines at `\n` (a `\r` right before it is part of the terminator);
 * `universal` also ends them at a lone `\r`, like Python's text mode (what the reference does for
 * plain files). Damage in a compressed file: every complete line before it is yielded, then an
 * InputError (`truncated` / `corrupt-compressed`) names the file, the decompressed offset of the
 * first incomplete line and the compressed byte position.
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../../errors.js';
import { detectCompression, type Compression } from './compression.js';
import { DecompressError, openCompressedReadStream } from './read-stream.js';

export interface JsonlLine {
  text: string;
  file: string;
  /** 1-based line number within `file`. */
  line: number;
  /** Byte offset of the line start in the decompressed stream of `file`. */
  offset: number;
  /** Bytes of the line including its terminator. */
  byteLength: number;
  terminator: '\n' | '\r\n' | '\r' | '';
  /** The line's bytes are not valid UTF-8 (`text` then holds U+FFFD replacements). */
  invalidUtf8?: boolean;
  /** A UTF-8 byte order mark at the start of the file was removed from this (first) line. */
  bom?: boolean;
}

export interface ReadLinesOptions {
  /** `lf` (default): `\n` (and `\r\n`) end a line. `universal`: `\r`, `\r\n`, `\n` all do (Python text mode). */
  newlines?: 'lf' | 'universal';
  signal?: AbortSignal;
  /** Running total of compressed bytes read, summed over all files so far. */
  onBytes?: (compressedBytesRead: number) => void;
  /** Override codec detection for every file. */
  compression?: Compression;
  /** Codec detection rule (see detectCompression); default `suffix`. */
  detect?: 'suffix' | 'reference';
  /** `strip` (default): drop a leading UTF-8 BOM and flag the line with `bom`; `keep`: leave it in `text`. */
  bom?: 'strip' | 'keep';
  /** Read size in bytes (default 1 MiB). */
  chunkSize?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

function decode(buf: Buffer): { text: string; invalid: boolean } {
  const text = buf.toString('utf8');
  // toString replaces bad sequences by U+FFFD; only then is a (fast, native) full check needed.
  const invalid = text.includes('\uFFFD') && !isUtf8(buf);
  return { text, invalid };
}

/** Bytes at the end of `b` that start a UTF-8 sequence not yet complete (0-3). */
function incompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const c = b[n - k]!;
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/**
 * A line that spans chunks. Each part is decoded as it arrives (StringDecoder keeps split UTF-8
 * sequences) and its bytes are dropped, so a 100 MB line costs its string, not string + buffers.
 * UTF-8 validity is checked per part only when the decoder produced U+FFFD.
 */
class PendingLine {
  private pieces: string[] = [];
  private dec = new StringDecoder('utf8');
  private carry: Buffer = EMPTY;
  invalid = false;
  bytes = 0;
  lastByte = -1;

  add(buf: Buffer): void {
    if (buf.length === 0) return;
    this.bytes += buf.length;
    this.lastByte = buf[buf.length - 1]!;
    const s = this.dec.write(buf);
    const joined = buf.length < 4 && this.carry.length ? Buffer.concat([this.carry, buf]) : null;
    const view = joined ?? buf;
    const tail = incompleteTail(view);
    if (!this.invalid && s.includes('\uFFFD')) {
      const body = joined ? joined.subarray(0, joined.length - tail) : Buffer.concat([this.carry, buf.subarray(0, buf.length - tail)]);
      if (!isUtf8(body)) this.invalid = true;
    }
    this.carry = tail ? Buffer.from(view.subarray(view.length - tail)) : EMPTY;
    if (s) this.pieces.push(s);
  }

  /** Remove a trailing '\r' (the first half of a '\r\n' split across chunks). */
  dropTrailingCR(): void {
    this.bytes--;
    const i = this.pieces.length - 1;
    this.pieces[i] = this.pieces[i]!.slice(0, -1);
    this.lastByte = -1;
  }

  finish(): { text: string; invalid: boolean } {
    const rest = this.dec.end();
    if (rest) this.pieces.push(rest);
    if (this.carry.length) this.invalid = true;
    // `+` builds a rope (no copy now); V8 flattens it once, when the consumer first scans it.
    let text = '';
    for (const p of this.pieces) text += p;
    this.pieces = [];
    return { text, invalid: this.invalid };
  }
}

async function* readOneFile(file: string, opts: ReadLinesOptions, bytesBase: { n: number }): AsyncGenerator<JsonlLine> {
  const universal = opts.newlines === 'universal';
  const stripBom = (opts.bom ?? 'strip') === 'strip';
  const compression = opts.compression ?? detectCompression(file, opts.detect ?? 'suffix');
  let pend: PendingLine | null = null;
  let lineNo = 0;
  let offset = 0; // decompressed offset of the current (incomplete) line start
  let crPending = false; // universal mode: previous chunk ended with '\r'
  let lastCompressed = 0;

  const addPart = (buf: Buffer) => {
    (pend ??= new PendingLine()).add(buf);
  };
  /** Complete the current line with `tail` (bytes before the terminator) and build its record. */
  const make = (tail: Buffer, term: JsonlLine['terminator']): JsonlLine => {
    lineNo++;
    let text: string;
    let invalid: boolean;
    let bodyLen: number;
    if (pend) {
      pend.add(tail);
      bodyLen = pend.bytes;
      ({ text, invalid } = pend.finish());
      pend = null;
    } else {
      bodyLen = tail.length;
      ({ text, invalid } = decode(tail));
    }
    let bom = false;
    if (lineNo === 1 && stripBom && text.charCodeAt(0) === 0xfeff) {
      text = text.slice(1);
      bom = true;
    }
    const byteLength = bodyLen + term.length;
    const l: JsonlLine = { text, file, line: lineNo, offset, byteLength, terminator: term };
    if (invalid) l.invalidUtf8 = true;
    if (bom) l.bom = true;
    offset += byteLength;
    return l;
  };

  try {
    for await (const chunk of openCompressedReadStream(file, {
      compression,
      reuseBuffers: true, // every chunk is fully consumed (lines decoded) before the next one
      signal: opts.signal,
      chunkSize: opts.chunkSize,
      onBytes: opts.onBytes
        ? (n) => {
            lastCompressed = n;
            opts.onBytes!(bytesBase.n + n);
          }
        : undefined,
    })) {
      let pos = 0;
      let crIdx = -2; // universal mode: cached position of the next '\r' (-2 unknown, -1 none)
      const len = chunk.length;
      if (crPending) {
        crPending = false;
        if (len > 0 && chunk[0] === LF) {
          yield make(EMPTY, '\r\n');
          pos = 1;
        } else {
          yield make(EMPTY, '\r');
        }
      }
      while (pos < len) {
        const nl = chunk.indexOf(LF, pos);
        let cr = -1;
        if (universal) {
          const limit = nl < 0 ? len : nl;
          // look for a lone '\r' before the next '\n'
          if (crIdx === -2 || (crIdx >= 0 && crIdx < pos)) crIdx = chunk.indexOf(CR, pos);
          if (crIdx >= 0 && crIdx < limit) cr = crIdx;
        }
        if (cr >= 0 && !(nl === cr + 1)) {
          // universal mode: '\r' ends the line unless followed by '\n'
          if (cr === len - 1) {
            // may be the first half of '\r\n': decide with the next chunk
            addPart(chunk.subarray(pos, cr));
            crPending = true;
            pos = len;
            break;
          }
          yield make(chunk.subarray(pos, cr), '\r');
          pos = cr + 1;
          continue;
        }
        if (nl < 0) {
          addPart(chunk.subarray(pos));
          pos = len;
          break;
        }
        // line ends at nl; a '\r' right before it makes the terminator '\r\n'
        let end = nl;
        let term: JsonlLine['terminator'] = '\n';
        if (nl > pos && chunk[nl - 1] === CR) {
          end = nl - 1;
          term = '\r\n';
        } else if (nl === pos && (pend as PendingLine | null)?.lastByte === CR) {
          (pend as unknown as PendingLine).dropTrailingCR();
          term = '\r\n';
        }
        yield make(chunk.subarray(pos, end), term);
        pos = nl + 1;
      }
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    }
  } catch (e) {
    if (e instanceof DecompressError) {
      const reason = e.kind === 'truncated' ? 'truncated' : 'corrupt-compressed';
      throw new InputError(
        reason,
        `${e.message}; ${lineNo} complete line(s) read, damage starts in the line at decompressed byte ${offset}`,
        { file, line: lineNo + 1, offset },
        { cause: e },
      );
    }
    throw e;
  } finally {
    bytesBase.n += lastCompressed;
  }
  if (crPending) {
    yield make(EMPTY, '\r');
  } else if ((pend as PendingLine | null) !== null) {
    yield make(EMPTY, '');
  }
}

/** Lines of every file, in order. Throws InputError for damaged compressed input (after the good lines). */
export async function* readLines(paths: string | string[], opts: ReadLinesOptions = {}): AsyncGenerator<JsonlLine> {
  const list = typeof paths === 'string' ? [paths] : paths;
  const bytesBase = { n: 0 };
  for (const f of list) yield* readOneFile(f, opts, bytesBase);
}
