/**
 * Open a (possibly compressed) file as an async stream of decompressed Buffers.
 *
 * gzip goes through node:zlib (concatenated members are read through); LZ4 frames through the
 * hand-written decoder in lz4-frame.ts; zstd through `fzstd` (pure JS, streaming). Damage is
 * reported as a `DecompressError` (kind `truncated` or `corrupt`, with the compressed byte offset);
 * readLines turns it into an InputError after yielding every complete line before it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { Lz4FrameDecoder, Lz4FrameError } from './lz4-frame.js';
import { detectCompression, type Compression } from './compression.js';

export class DecompressError extends Error {
  constructor(readonly kind: 'truncated' | 'corrupt', message: string, readonly compressedOffset: number) {
    super(message);
    this.name = 'DecompressError';
  }
}

export interface CompressedReadOptions {
  /** Override the codec (default: detectCompression(path)). */
  compression?: Compression;
  signal?: AbortSignal;
  /** Called with the running total of compressed (on-disk) bytes read. */
  onBytes?: (compressedBytesRead: number) => void;
  /** Read size (default 1 MiB). */
  chunkSize?: number;
  /**
   * Let the decoder recycle its output buffers (lz4): each yielded Buffer is then valid only until
   * the next iteration. readLines uses it; keep the default (false) when holding on to chunks.
   */
  reuseBuffers?: boolean;
}

async function* rawChunks(path: string, opts: CompressedReadOptions): AsyncGenerator<Buffer> {
  const rs = createReadStream(path, { highWaterMark: opts.chunkSize ?? 1 << 20, signal: opts.signal });
  let n = 0;
  for await (const c of rs as AsyncIterable<Buffer>) {
    n += c.length;
    opts.onBytes?.(n);
    yield c;
  }
}

async function* gunzipChunks(path: string, opts: CompressedReadOptions): AsyncGenerator<Buffer> {
  const gz = createGunzip({ chunkSize: 1 << 18 });
  let fed = 0;
  let readErr: unknown;
  // Feed the gunzip from the file with backpressure, in the background.
  const feeder = (async () => {
    try {
      for await (const c of rawChunks(path, opts)) {
        fed += c.length;
        if (gz.destroyed) return;
        if (!gz.write(c)) {
          // wait for drain, or for the gunzip to fail/close (then nothing will drain it)
          await new Promise<void>((res) => {
            const done = () => {
              gz.off('drain', done);
              gz.off('close', done);
              gz.off('error', done);
              res();
            };
            gz.on('drain', done);
            gz.on('close', done);
            gz.on('error', done);
          });
        }
      }
      if (!gz.destroyed) gz.end();
    } catch (e) {
      readErr = e;
      gz.destroy(e as Error);
    }
  })();
  try {
    for await (const out of gz as AsyncIterable<Buffer>) yield out;
  } catch (e) {
    if (readErr) throw readErr;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message)) {
      throw new DecompressError('truncated', `gzip stream is truncated (${err.message})`, fed);
    }
    throw new DecompressError('corrupt', `corrupt gzip data near compressed byte ${fed} (${err.message})`, fed);
  } finally {
    gz.destroy();
    await feeder;
  }
}

async function* lz4Chunks(path: string, opts: CompressedReadOptions): AsyncGenerator<Buffer> {
  const dec = new Lz4FrameDecoder({ reuseOutput: !!opts.reuseBuffers });
  try {
    for await (const c of rawChunks(path, opts)) {
      for (const out of dec.decode(c)) yield out;
    }
    dec.end();
  } catch (e) {
    if (e instanceof Lz4FrameError) {
      // a truncated last block is decoded as far as it goes: hand those bytes out first
      for (const b of e.salvaged) yield b;
      throw new DecompressError(e.kind, e.message, e.compressedOffset);
    }
    throw e;
  }
}

const ZSTD_SLICE = 1 << 15;

async function* zstdChunks(path: string, opts: CompressedReadOptions): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  const dec = new ZstdDecompress((data) => {
    pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  let fed = 0;
  const wrap = (e: unknown): never => {
    const err = e as Error & { code?: number };
    if (err.code === undefined) throw e;
    if (err.code === 5) throw new DecompressError('truncated', `zstd stream is truncated (${err.message})`, fed);
    throw new DecompressError('corrupt', `corrupt zstd data near compressed byte ${fed} (${err.message})`, fed);
  };
  let sawData = false;
  for await (const c of rawChunks(path, opts)) {
    sawData = true;
    // fzstd emits every block a push completes at once: feed small slices so a highly
    // compressible chunk does not become hundreds of MB of output in one go.
    for (let s = 0; s < c.length; s += ZSTD_SLICE) {
      const slice = c.subarray(s, s + ZSTD_SLICE);
      fed += slice.length;
      try {
        dec.push(slice);
      } catch (e) {
        wrap(e);
      }
      if (pending.length) {
        const p = pending;
        pending = [];
        for (const b of p) yield b;
      }
    }
  }
  if (!sawData) return;
  try {
    dec.push(new Uint8Array(0), true);
  } catch (e) {
    wrap(e);
  }
  for (const b of pending) yield b;
}

/**
 * Decompressed chunks of one file. A zero-byte file is an empty stream for every codec
 * (as Python's gzip/lz4 readers treat it).
 */
export async function* openCompressedReadStream(path: string, opts: CompressedReadOptions = {}): AsyncGenerator<Buffer> {
  const kind = opts.compression ?? detectCompression(path);
  if (kind !== 'none' && (await stat(path)).size === 0) return;
  switch (kind) {
    case 'none':
      yield* rawChunks(path, opts);
      return;
    case 'gzip':
      yield* gunzipChunks(path, opts);
      return;
    case 'lz4':
      yield* lz4Chunks(path, opts);
      return;
    case 'zstd':
      yield* zstdChunks(path, opts);
      return;
  }
}
