/**
 * Compressing write side: `createCompressedWriteStream(kind)` returns a Transform that turns raw
 * bytes into a gzip / LZ4 frame / zstd stream (or null for plain output).
 *
 * gzip: node:zlib (one member). LZ4: the hand-written frame encoder (one frame, independent 4 MiB
 * blocks, content checksum), readable by Python's `lz4.frame`. zstd: `@bokuweb/zstd-wasm`
 * (reference zstd compiled to WebAssembly and shipped inside the npm package: no download, no
 * toolchain); it only offers one-shot compression, so the stream is a sequence of independent zstd
 * frames, one per 4 MiB of input (like `pzstd` writes). Every zstd decoder reads concatenated
 * frames (`zstd -d`, fzstd, Python `zstandard` with `read_across_frames=True`).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createGzip } from 'node:zlib';
import { Lz4FrameEncoder } from './lz4-frame.js';
import type { Compression } from './compression.js';

let zstdReady: Promise<typeof import('@bokuweb/zstd-wasm')> | undefined;
/** Load and initialise the zstd WebAssembly module once. */
export function loadZstdEncoder(): Promise<typeof import('@bokuweb/zstd-wasm')> {
  zstdReady ??= (async () => {
    const m = await import('@bokuweb/zstd-wasm');
    await m.init();
    return m;
  })();
  return zstdReady;
}

class Lz4Transform extends Transform {
  private readonly enc = new Lz4FrameEncoder();
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      for (const b of this.enc.push(chunk)) this.push(b);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      for (const b of this.enc.end()) this.push(b);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

const ZSTD_FRAME_INPUT = 4 << 20;

class ZstdTransform extends Transform {
  private buf: Buffer[] = [];
  private len = 0;
  constructor(
    private readonly z: typeof import('@bokuweb/zstd-wasm'),
    private readonly level: number,
  ) {
    super();
  }
  private frame(): void {
    const all = Buffer.concat(this.buf, this.len);
    this.buf = [];
    this.len = 0;
    for (let p = 0; p < all.length; p += ZSTD_FRAME_INPUT) {
      const c = this.z.compress(all.subarray(p, p + ZSTD_FRAME_INPUT), this.level);
      this.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    }
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.buf.push(chunk);
      this.len += chunk.length;
      if (this.len >= ZSTD_FRAME_INPUT) this.frame();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      if (this.len > 0) this.frame();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

/** A compressing Transform for `kind`, or null for `none`. `level`: codec level (gzip 0-9, zstd 1-19; ignored for lz4). */
export async function createCompressedWriteStream(kind: Compression, level?: number): Promise<Transform | null> {
  switch (kind) {
    case 'none':
      return null;
    case 'gzip':
      return createGzip({ level: level ?? 6 });
    case 'lz4':
      return new Lz4Transform();
    case 'zstd':
      return new ZstdTransform(await loadZstdEncoder(), level ?? 3);
  }
}
