/**
 * Record sources shared by the adapters: JSONL lines (any compression, via the jsonl reader) and
 * top-level JSON arrays streamed element by element (hand-written byte scanner, so a 600K-record
 * LLaVA `chat.json` never has to be parsed as one value), plus dotted-path field access.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { readLines } from './deps.js';
import type { IngestErrorRecord, IngestItem } from './types.js';

export interface RawRecord {
  text: string;
  /** 1-based line (JSONL) or element index + 1 (JSON array). */
  n: number;
  where: { line?: number; member?: string };
  /** The line was not valid UTF-8 (JSONL inputs). */
  invalidUtf8?: boolean;
}

/**
 * Stream the elements of a top-level JSON array as text slices, or (with `key`) of the array held
 * by that key of a top-level object (FigureQA's `{"qa_pairs": [...]}`).
 */
export async function* jsonArrayElements(path: string, key?: string): AsyncGenerator<RawRecord> {
  let src: Readable = createReadStream(path, { highWaterMark: 1 << 20 });
  if (/\.gz$/.test(path)) src = src.pipe(createGunzip());
  let depth = 0;
  let inStr = false;
  let esc = false;
  let started = false;
  let parts: Buffer[] = [];
  let n = 0;
  let elemStart = -1;
  // key mode: a small scanner over the top-level object until `"key": [`
  let sDepth = 0;
  let sInStr = false;
  let sEsc = false;
  let expectKey = false;
  let keyBytes: number[] = [];
  let lastKey: string | undefined;
  let valueKey: string | undefined;
  for await (const chunk of src as AsyncIterable<Buffer>) {
    let i = 0;
    if (elemStart < 0 && parts.length) elemStart = 0;
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (inStr) {
        if (esc) esc = false;
        else if (c === 0x5c) esc = true;
        else if (c === 0x22) inStr = false;
        continue;
      }
      if (!started && key === undefined) {
        if (c === 0x5b) started = true;
        else if (c > 0x20 && c !== 0xef && c !== 0xbb && c !== 0xbf) throw new Error(`${path}: not a JSON array`);
        continue;
      }
      if (!started) {
        if (sInStr) {
          if (sEsc) sEsc = false;
          else if (c === 0x5c) sEsc = true;
          else if (c === 0x22) {
            sInStr = false;
            if (sDepth === 1 && expectKey) (lastKey = Buffer.from(keyBytes).toString('utf8')), (expectKey = false);
            continue;
          }
          if (sDepth === 1 && expectKey) keyBytes.push(c);
          continue;
        }
        if (c === 0x22) (sInStr = true), (keyBytes = []);
        else if (c === 0x5b && sDepth === 1 && valueKey === key) started = true;
        else if (c === 0x7b || c === 0x5b) {
          if (sDepth === 0 && c === 0x5b) throw new Error(`${path}: top level is an array, not an object with '${key}'`);
          sDepth++;
          if (sDepth === 1) expectKey = true;
        } else if (c === 0x7d || c === 0x5d) sDepth--;
        else if (c === 0x3a && sDepth === 1) valueKey = lastKey;
        else if (c === 0x2c && sDepth === 1) (expectKey = true), (valueKey = undefined);
        continue;
      }
      if (c === 0x22) {
        inStr = true;
        if (depth === 0 && elemStart < 0) elemStart = i;
      } else if (c === 0x7b || c === 0x5b) {
        if (depth === 0 && elemStart < 0) elemStart = i;
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) {
          // closing bracket of the top-level array
          if (elemStart >= 0) {
            parts.push(chunk.subarray(elemStart, i));
            n++;
            yield { text: Buffer.concat(parts).toString('utf8').trim(), n, where: { member: `[${n - 1}]` } };
          }
          return;
        }
        depth--;
      } else if (c === 0x2c && depth === 0) {
        parts.push(chunk.subarray(Math.max(elemStart, 0), i));
        n++;
        yield { text: Buffer.concat(parts).toString('utf8').trim(), n, where: { member: `[${n - 1}]` } };
        parts = [];
        elemStart = -1;
      } else if (depth === 0 && elemStart < 0 && c > 0x20) elemStart = i;
    }
    if (elemStart >= 0) {
      parts.push(chunk.subarray(elemStart));
      elemStart = -1;
    }
  }
  if (!started && key !== undefined) throw new Error(`${path}: no array under key '${key}'`);
}

/** First non-blank byte of a (possibly gzipped) file. */
async function firstByte(path: string): Promise<number | undefined> {
  let src: Readable = createReadStream(path, { highWaterMark: 1 << 16 });
  if (/\.gz$/.test(path)) src = src.pipe(createGunzip());
  try {
    for await (const c of src as AsyncIterable<Buffer>) {
      for (const b of c) if (b > 0x20 && b !== 0xef && b !== 0xbb && b !== 0xbf) return b;
    }
  } finally {
    src.destroy();
  }
  return undefined;
}

/** `.json`/`.json.gz` files starting with `[` are arrays; everything else is JSON lines. */
export async function* jsonRecords(path: string): AsyncGenerator<RawRecord> {
  if (/\.json(\.gz)?$/.test(path) && (await firstByte(path)) === 0x5b) {
    yield* jsonArrayElements(path);
    return;
  }
  for await (const l of readLines([path])) {
    yield { text: l.text, n: l.line, where: { line: l.line }, invalidUtf8: l.invalidUtf8 };
  }
}

/** A record's JSON value, or the quarantine item for a line that is not UTF-8 or not JSON. */
export function parseRawRecord(r: RawRecord, where: Omit<IngestErrorRecord, 'reason' | 'message'>): { value: unknown } | { error: IngestItem } {
  if (r.invalidUtf8) return { error: { kind: 'error', error: { reason: 'invalid-utf8', message: 'line is not valid UTF-8', ...where } } };
  try {
    return { value: JSON.parse(r.text) as unknown };
  } catch (e) {
    return { error: { kind: 'error', error: { reason: 'invalid-json', message: (e as Error).message, ...where } } };
  }
}

export function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const k of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export { hasLoneSurrogate } from './deps.js';
