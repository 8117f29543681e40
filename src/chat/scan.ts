/**
 * validateChatFiles / chatStats: read chat JSONL files (any compression, brace/glob patterns),
 * check every line (JSON, shape, roles, part types, lone surrogates, base64 of every image, a
 * recognisable image type) and count what is there. A bad line is recorded with file, line,
 * offset, reason and message and never stops the scan; a damaged compressed file is recorded as
 * one error (reason `truncated` / `corrupt-compressed`) after its good lines, and the scan goes on
 * with the next file. Image *decoding* (truncated JPEG, …) is the image stage's business.
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { readLines, type ReadLinesOptions } from '../formats/jsonl/read-lines.js';
import { createLineWriter, type LineWriter } from '../formats/jsonl/line-writer.js';
import { expandInputPatterns } from '../formats/jsonl/expand-patterns.js';
import { ChatValidationError } from './errors.js';
import { chatShapeOf, parseChatDocument, type ParseChatOptions } from './parse.js';
import { parsePythonJson } from './json.js';
import { decodeImageDataUrl } from './data-url.js';
import type { ChatShape } from './types.js';
import { codePointLength } from './surrogates.js';

export interface ChatScanOptions {
  /** Input files or patterns (`shard_{000..031}.jsonl.lz4`, `dir/*.jsonl.gz`). */
  inputs: string[];
  /** Parser options (shapes, reference-only roles). */
  parse?: ParseChatOptions;
  /** Decode every image's base64 and sniff its type (default true). */
  checkImages?: boolean;
  /** Line splitting (default `lf`). */
  newlines?: ReadLinesOptions['newlines'];
  /** How many errors to keep in the returned report (default 100; all go to `errorsPath`). */
  maxErrorsListed?: number;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export interface ChatValidateOptions extends ChatScanOptions {
  /** Write one JSON line per bad line: `{file, line, offset, reason, message, path}`. */
  errorsPath?: string;
}

export interface ChatLineError {
  file: string;
  line: number;
  offset: number;
  reason: string;
  message: string;
  /** JSON path of the bad value, when known. */
  path?: string;
}

export interface ChatStats {
  files: string[];
  /** Lines read (good and bad). */
  lines: number;
  /** Lines that are valid documents. */
  documents: number;
  badLines: number;
  /** Bytes of all lines (decompressed, terminators included). */
  bytes: number;
  /** Compressed (on-disk) bytes read. */
  compressedBytes: number;
  shapes: Partial<Record<ChatShape, number>>;
  turns: number;
  turnsByRole: Record<string, number>;
  textParts: number;
  /** Unicode code points of all text (string contents and text parts). */
  textChars: number;
  images: number;
  /** Images by the type sniffed from their bytes. */
  imagesByType: Record<string, number>;
  /** Images by the MIME type their data URL claims ('' when none). */
  imagesByClaimedMime: Record<string, number>;
  /** Images whose claimed MIME type differs from the sniffed one. */
  imageMimeMismatches: number;
  /** Decoded image bytes. */
  imageBytes: number;
  documentsWithImages: number;
  emptyDocuments: number;
  errorsByReason: Record<string, number>;
}

export interface ChatValidationReport extends ChatStats {
  ok: boolean;
  /** The first `maxErrorsListed` errors. */
  errors: ChatLineError[];
}

function bump(rec: Record<string, number>, key: string, by = 1): void {
  rec[key] = (rec[key] ?? 0) + by;
}

interface DocCounts {
  turns: number;
  roles: Record<string, number>;
  textParts: number;
  textChars: number;
  images: { type: string; mime: string; bytes: number }[];
}

async function scan(opts: ChatValidateOptions): Promise<ChatValidationReport> {
  const files = await expandInputPatterns(opts.inputs);
  let totalBytes = 0;
  for (const f of files) totalBytes += (await stat(f)).size;
  const checkImages = opts.checkImages !== false;
  const maxListed = opts.maxErrorsListed ?? 100;
  const r: ChatValidationReport = {
    ok: true,
    files,
    lines: 0,
    documents: 0,
    badLines: 0,
    bytes: 0,
    compressedBytes: 0,
    shapes: {},
    turns: 0,
    turnsByRole: {},
    textParts: 0,
    textChars: 0,
    images: 0,
    imagesByType: {},
    imagesByClaimedMime: {},
    imageMimeMismatches: 0,
    imageBytes: 0,
    documentsWithImages: 0,
    emptyDocuments: 0,
    errorsByReason: {},
    errors: [],
  };
  let errWriter: LineWriter | undefined;
  if (opts.errorsPath) errWriter = await createLineWriter(opts.errorsPath);
  let compressedDone = 0;
  const progress = (detail?: string) =>
    opts.onProgress?.({
      stage: 'chat',
      done: r.lines,
      unit: 'lines',
      bytes: compressedDone + r.compressedBytes,
      totalBytes,
      errors: r.badLines,
      detail,
    });
  const record = async (e: ChatLineError) => {
    r.badLines++;
    bump(r.errorsByReason, e.reason);
    if (r.errors.length < maxListed) r.errors.push(e);
    if (errWriter) await errWriter.write(JSON.stringify(e));
  };

  try {
    for (const file of files) {
      let fileCompressed = 0;
      try {
        for await (const l of readLines(file, {
          newlines: opts.newlines,
          signal: opts.signal,
          onBytes: (n) => {
            fileCompressed = n;
            r.compressedBytes = n;
          },
        })) {
          r.lines++;
          r.bytes += l.byteLength;
          if (r.lines % 1000 === 0) progress(file);
          const base = { file, line: l.line, offset: l.offset };
          if (l.invalidUtf8) {
            await record({ ...base, reason: 'invalid-utf8', message: 'line is not valid UTF-8' });
            continue;
          }
          try {
            let json: unknown;
            try {
              json = parsePythonJson(l.text);
            } catch (e) {
              throw new ChatValidationError('invalid-json', (e as Error).message, '');
            }
            const doc = parseChatDocument(json, opts.parse);
            const c: DocCounts = { turns: 0, roles: {}, textParts: 0, textChars: 0, images: [] };
            for (let i = 0; i < doc.messages.length; i++) {
              const m = doc.messages[i]!;
              c.turns++;
              bump(c.roles, String(m.role));
              if (typeof m.content === 'string') {
                c.textParts++;
                c.textChars += codePointLength(m.content);
                continue;
              }
              for (let j = 0; j < m.content.length; j++) {
                const p = m.content[j]!;
                if (p.type === 'text') {
                  c.textParts++;
                  c.textChars += codePointLength(p.text);
                } else if (checkImages) {
                  const shape = chatShapeOf(json, opts.parse?.shapes);
                  const prefix = shape === 'conversations' ? 'conversations' : shape === 'messages' ? 'messages' : '';
                  const path = shape === 'single' ? `content[${j}].image_url.url` : `${prefix}[${i}].content[${j}].image_url.url`;
                  const img = decodeImageDataUrl(p.image_url.url, path);
                  if (!img.sniffed) {
                    const head = img.bytes.subarray(0, 8).toString('hex');
                    throw new ChatValidationError('not-an-image', `payload (${img.bytes.length} bytes, starts ${head || 'empty'}) is no known image format`, path);
                  }
                  c.images.push({ type: img.sniffed.type, mime: img.mime, bytes: img.bytes.length });
                  if (img.mime && img.mime !== img.sniffed.mime && !(img.mime === 'image/jpg' && img.sniffed.type === 'jpeg')) r.imageMimeMismatches++;
                } else {
                  c.images.push({ type: 'unchecked', mime: '', bytes: 0 });
                }
              }
            }
            // the line is good: merge its counts
            r.documents++;
            bump(r.shapes as Record<string, number>, chatShapeOf(json, opts.parse?.shapes)!);
            r.turns += c.turns;
            for (const [k, v] of Object.entries(c.roles)) bump(r.turnsByRole, k, v);
            r.textParts += c.textParts;
            r.textChars += c.textChars;
            if (c.turns === 0) r.emptyDocuments++;
            if (c.images.length) r.documentsWithImages++;
            for (const im of c.images) {
              r.images++;
              bump(r.imagesByType, im.type);
              bump(r.imagesByClaimedMime, im.mime);
              r.imageBytes += im.bytes;
            }
          } catch (e) {
            if (!(e instanceof ChatValidationError)) throw e;
            await record({ ...base, reason: e.reason, message: e.detail, ...(e.path ? { path: e.path } : {}) });
          }
        }
      } catch (e) {
        if (!(e instanceof InputError) || e instanceof ChatValidationError) throw e;
        // damaged compressed file: its good lines were counted; record it and go on
        await record({
          file,
          line: e.location?.line ?? 0,
          offset: e.location?.offset ?? 0,
          reason: e.reason,
          message: e.message,
        });
      }
      compressedDone += fileCompressed;
      r.compressedBytes = 0;
    }
    r.compressedBytes = compressedDone;
    progress();
    if (errWriter) await errWriter.close();
  } catch (e) {
    await errWriter?.abort();
    throw e;
  }
  r.ok = r.badLines === 0;
  return r;
}

/** Check every line of chat JSONL files; `ok` is false if any line is bad. */
export function validateChatFiles(opts: ChatValidateOptions): Promise<ChatValidationReport> {
  return scan(opts);
}

/** Count documents, turns, text, images (by real and claimed type) and errors in chat JSONL files. */
export function chatStats(opts: ChatScanOptions): Promise<ChatValidationReport> {
  return scan({ ...opts, errorsPath: undefined });
}
