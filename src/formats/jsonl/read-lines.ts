/**
 * readLines: files in order → one stream of lines, each with file, 1-based line number, byte
 * offset and byte length in the decompressed stream.
 *
 * Scans Buffer chunks with indexOf (no readline: it is slower and hides offsets). A line spanning
 * chunks is kept as a list of parts and joined once, so memory is bounded by the longest line.
 * Newlines: `lf` (default) ends lines at `\n` (a `\r` right before it is part of the terminator);
 * `universal` also ends them at a lone `\r`, like Python's text mode (what the reference does for
 * plain files). Damage in a compressed file: every complete line before it is yielded, then an
 * InputError (`truncated` / `corrupt-compressed`) names the file, the decompressed offset of the
 * first incomplete line and the compressed byte position.
 */
import { isUtf8 } from 'node:buffer';
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

function decode(buf: Buffer): { text: string; invalid: boolean } {
  const text = buf.toString('utf8');
  // toString replaces bad sequences by U+FFFD; only then is a (fast, native) full check needed.
  const invalid = text.includes('\uFFFD') && !isUtf8(buf);
  return { text, invalid };
}

async function* readOneFile(file: string, opts: ReadLinesOptions, bytesBase: { n: number }): AsyncGenerator<JsonlLine> {
  const universal = opts.newlines === 'universal';
  const stripBom = (opts.bom ?? 'strip') === 'strip';
  const compression = opts.compression ?? detectCompression(file, opts.detect ?? 'suffix');
  const parts: Buffer[] = [];
  let partsLen = 0;
  let lineNo = 0;
  let offset = 0; // decompressed offset of the current (incomplete) line start
  let crPending = false; // universal mode: previous chunk ended with '\r'
  let lastCompressed = 0;

  const make = (body: Buffer, term: JsonlLine['terminator']): JsonlLine => {
    lineNo++;
    let bom = false;
    let b = body;
    if (lineNo === 1 && stripBom && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      b = b.subarray(3);
      bom = true;
    }
    const { text, invalid } = decode(b);
    const byteLength = body.length + term.length;
    const l: JsonlLine = { text, file, line: lineNo, offset, byteLength, terminator: term };
    if (invalid) l.invalidUtf8 = true;
    if (bom) l.bom = true;
    offset += byteLength;
    return l;
  };
  const take = (tail: Buffer): Buffer => {
    if (parts.length === 0) return tail;
    parts.push(tail);
    const all = Buffer.concat(parts, partsLen + tail.length);
    parts.length = 0;
    partsLen = 0;
    return all;
  };

  try {
    for await (const chunk of openCompressedReadStream(file, {
      compression,
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
          yield make(take(Buffer.alloc(0)), '\r\n');
          pos = 1;
        } else {
          yield make(take(Buffer.alloc(0)), '\r');
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
            const body = chunk.subarray(pos, cr);
            parts.push(body);
            partsLen += body.length;
            crPending = true;
            pos = len;
            break;
          }
          yield make(take(chunk.subarray(pos, cr)), '\r');
          pos = cr + 1;
          continue;
        }
        if (nl < 0) {
          const rest = chunk.subarray(pos);
          parts.push(rest);
          partsLen += rest.length;
          pos = len;
          break;
        }
        // line ends at nl; a '\r' right before it makes the terminator '\r\n'
        let end = nl;
        let term: JsonlLine['terminator'] = '\n';
        if (nl > pos && chunk[nl - 1] === CR) {
          end = nl - 1;
          term = '\r\n';
        } else if (nl === pos && partsLen > 0) {
          const last = parts[parts.length - 1]!;
          if (last.length > 0 && last[last.length - 1] === CR) {
            parts[parts.length - 1] = last.subarray(0, last.length - 1);
            partsLen -= 1;
            term = '\r\n';
          }
        }
        yield make(take(chunk.subarray(pos, end)), term);
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
    yield make(take(Buffer.alloc(0)), '\r');
  } else if (partsLen > 0) {
    yield make(take(Buffer.alloc(0)), '');
  }
}

/** Lines of every file, in order. Throws InputError for damaged compressed input (after the good lines). */
export async function* readLines(paths: string | string[], opts: ReadLinesOptions = {}): AsyncGenerator<JsonlLine> {
  const list = typeof paths === 'string' ? [paths] : paths;
  const bytesBase = { n: 0 };
  for (const f of list) yield* readOneFile(f, opts, bytesBase);
}
