/**
 * Shard output writer that takes a line as parts (small JSON skeleton strings and large data-URL
 * strings) so a 100 KB base64 payload is never re-scanned by JSON.stringify, measured with
 * Buffer.byteLength or joined into a bigger string: it is copied once into a Buffer and handed to
 * the compressor. Hand-written on top of the jsonl codecs (rather than `createLineWriter`) for that
 * reason; LZ4 frames are written without the optional content checksum, like Python's
 * `lz4.frame` defaults used by the reference. Temp name + rename on close.
 */
import { createWriteStream, promises as fsp, type WriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createCompressedWriteStream, detectCompression, Lz4FrameEncoder } from '../formats/jsonl/index.js';

export interface ShardWriter {
  /** Append one line given as parts; ASCII-only parts may be marked so they are copied as latin1. */
  write(parts: LinePart[]): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** A piece of a line: text (UTF-8) or ASCII (copied byte for byte, e.g. a base64 data URL). */
export type LinePart = { text: string } | { ascii: string };

const BATCH = 1 << 20;
const NL = Buffer.from('\n');

function drain(w: Writable): Promise<void> {
  return new Promise((res, rej) => {
    const ok = () => (w.off('error', bad), res());
    const bad = (e: Error) => (w.off('drain', ok), rej(e));
    w.once('drain', ok);
    w.once('error', bad);
  });
}

export async function openShardWriter(path: string): Promise<ShardWriter> {
  const kind = detectCompression(path);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const file: WriteStream = createWriteStream(tmp);
  let error: Error | undefined;
  file.on('error', (e) => (error ??= e));
  const lz4 = kind === 'lz4' ? new Lz4FrameEncoder({ contentChecksum: false }) : undefined;
  const codec = lz4 ? null : await createCompressedWriteStream(kind);
  codec?.on('error', (e) => (error ??= e));
  if (codec) codec.pipe(file);
  const head: Writable = codec ?? file;
  let batch: Buffer[] = [];
  let batchLen = 0;

  const emit = async (buf: Buffer) => {
    if (error) throw error;
    if (lz4) {
      for (const b of lz4.push(buf)) if (!file.write(b)) await drain(file);
    } else if (!head.write(buf)) await drain(head);
  };
  const flush = async () => {
    if (!batchLen) return;
    const b = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchLen);
    batch = [];
    batchLen = 0;
    await emit(b);
  };
  const add = async (b: Buffer) => {
    if (b.length >= 64 * 1024) {
      await flush();
      await emit(b);
      return;
    }
    batch.push(b);
    batchLen += b.length;
    if (batchLen >= BATCH) await flush();
  };

  return {
    async write(parts) {
      for (const p of parts) await add('ascii' in p ? Buffer.from(p.ascii, 'latin1') : Buffer.from(p.text, 'utf8'));
      await add(NL);
    },
    async close() {
      try {
        await flush();
        if (lz4) for (const b of lz4.end()) if (!file.write(b)) await drain(file);
        head.end();
        await finished(file);
        if (error) throw error;
        await fsp.rename(tmp, path);
      } catch (e) {
        await fsp.rm(tmp, { force: true });
        throw e;
      }
    },
    async abort() {
      head.destroy();
      file.destroy();
      await fsp.rm(tmp, { force: true });
    },
  };
}
