/**
 * createLineWriter: append lines (each + '\n') to a possibly compressed file, atomically.
 *
 * Output goes to a temporary name in the same folder (`.<name>.tmp-<pid>-<random>`) and is renamed
 * to the final path by `close()`; `abort()` removes it. Lines are batched into 1 MiB buffers before
 * they reach the compressor and the file, and `write` awaits backpressure, so memory stays bounded.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { SoloError } from '../../errors.js';
import { detectCompression, type Compression } from './compression.js';
import { createCompressedWriteStream } from './write-stream.js';

export interface LineWriter {
  /** Append `line` + '\n'. */
  write(line: string): Promise<void>;
  /** Uncompressed bytes accepted so far (lines + newlines). */
  bytesWritten: number;
  /** Lines accepted so far. */
  linesWritten: number;
  /** Finish the stream and rename the temporary file to the final path. */
  close(): Promise<void>;
  /** Stop and remove the temporary file. */
  abort(): Promise<void>;
}

export interface LineWriterOptions {
  /** `auto` (default): from the path's suffix. */
  compression?: 'auto' | Compression;
  /** Codec level (gzip 0-9, zstd 1-19). */
  level?: number;
}

const BATCH = 1 << 20;

function waitDrain(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      w.off('error', onErr);
      resolve();
    };
    const onErr = (e: Error) => {
      w.off('drain', onDrain);
      reject(e);
    };
    w.once('drain', onDrain);
    w.once('error', onErr);
  });
}

export async function createLineWriter(path: string, opts: LineWriterOptions = {}): Promise<LineWriter> {
  const kind: Compression = !opts.compression || opts.compression === 'auto' ? detectCompression(path) : opts.compression;
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const file: WriteStream = createWriteStream(tmp);
  const codec = await createCompressedWriteStream(kind, opts.level);
  let error: Error | undefined;
  file.on('error', (e) => (error ??= e));
  codec?.on('error', (e) => (error ??= e));
  if (codec) codec.pipe(file);
  const head: Writable = codec ?? file;
  let batch: string[] = [];
  let batchLen = 0;
  let state: 'open' | 'closed' | 'aborted' = 'open';

  const flush = async () => {
    if (batch.length === 0) return;
    const buf = Buffer.from(batch.join(''), 'utf8');
    batch = [];
    batchLen = 0;
    if (error) throw error;
    if (!head.write(buf)) await waitDrain(head);
    if (error) throw error;
  };

  const w: LineWriter = {
    bytesWritten: 0,
    linesWritten: 0,
    async write(line: string) {
      if (state !== 'open') throw new SoloError(`write after ${state}: ${path}`);
      const s = line + '\n';
      w.bytesWritten += Buffer.byteLength(s, 'utf8');
      w.linesWritten++;
      if (s.length >= BATCH) {
        await flush();
        if (!head.write(Buffer.from(s, 'utf8'))) await waitDrain(head);
        return;
      }
      batch.push(s);
      batchLen += s.length;
      if (batchLen >= BATCH) await flush();
    },
    async close() {
      if (state !== 'open') throw new SoloError(`close after ${state}: ${path}`);
      state = 'closed';
      try {
        await flush();
        head.end();
        await finished(file);
        if (error) throw error;
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      codec?.destroy();
      file.destroy();
      await finished(file).catch(() => {});
      await rm(tmp, { force: true });
    },
  };
  return w;
}
