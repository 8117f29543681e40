/**
 * LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md): a streaming
 * decoder and an encoder, compatible with Python's `lz4.frame` both ways.
 *
 * Hand-written on purpose. The npm options were either whole-buffer frame APIs (lz4js, lz4-napi's
 * frame functions: memory grows with the file, no offsets for errors) or a native module compiled
 * at install time (`lz4`, needs a toolchain). The format is small and fully specified: a header with
 * an XXH32 checksum, then blocks of at most 4 MiB, each LZ4-block compressed or stored, optionally
 * linked (a match may reach 64 KiB back into the previous blocks, Python's default) and checksummed.
 *
 * The decoder is push-based: `push(chunk)` returns the decompressed buffers that became complete,
 * `end()` throws if the stream stopped inside a frame. Errors are `Lz4FrameError` with `kind`
 * `truncated` or `corrupt` and the compressed byte offset.
 */
import { XXH32, xxh32 } from './xxhash32.js';

const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
const WINDOW = 65536;

export class Lz4FrameError extends Error {
  /** For a truncated stream: the output decoded from the incomplete last block, in order. */
  salvaged: Buffer[] = [];
  constructor(readonly kind: 'truncated' | 'corrupt', message: string, readonly compressedOffset: number) {
    super(message);
    this.name = 'Lz4FrameError';
  }
}

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

const BLOCK_MAX: Record<number, number> = { 4: 65536, 5: 262144, 6: 1048576, 7: 4194304 };

/**
 * Decode one LZ4 block from src[sIdx, sEnd) into dst at dIdx. Matches may reach back to dMin
 * (the start of the history window in dst). Returns the new dIdx; throws on malformed input.
 */
export function decodeLz4Block(
  src: Uint8Array,
  sIdx: number,
  sEnd: number,
  dst: Uint8Array,
  dIdx: number,
  dMin: number,
  progress?: { dIdx: number },
): number {
  const dEnd = dst.length;
  if (progress) progress.dIdx = dIdx;
  while (sIdx < sEnd) {
    const token = src[sIdx++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (sIdx >= sEnd) throw new Error('literal length runs past block end');
        b = src[sIdx++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > 0) {
      if (sIdx + lit > sEnd || dIdx + lit > dEnd) throw new Error('literals run past block end');
      if (lit < 16) {
        for (let k = 0; k < lit; k++) dst[dIdx + k] = src[sIdx + k]!;
      } else {
        dst.set(src.subarray(sIdx, sIdx + lit), dIdx);
      }
      sIdx += lit;
      dIdx += lit;
    }
    if (sIdx >= sEnd) break; // last sequence: literals only
    if (sIdx + 2 > sEnd) throw new Error('match offset runs past block end');
    const off = src[sIdx]! | (src[sIdx + 1]! << 8);
    sIdx += 2;
    if (off === 0 || dIdx - off < dMin) throw new Error(`invalid match offset ${off}`);
    let mlen = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (sIdx >= sEnd) throw new Error('match length runs past block end');
        b = src[sIdx++]!;
        mlen += b;
      } while (b === 255);
    }
    if (dIdx + mlen > dEnd) throw new Error('match runs past block size');
    let m = dIdx - off;
    if (off >= mlen && mlen > 32) {
      dst.copyWithin(dIdx, m, m + mlen);
      dIdx += mlen;
    } else {
      const stop = dIdx + mlen;
      while (dIdx < stop) dst[dIdx++] = dst[m++]!;
    }
    if (progress) progress.dIdx = dIdx;
  }
  return dIdx;
}

interface FrameState {
  independent: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  contentSize: number | undefined;
  blockMax: number;
  hash: XXH32 | undefined;
  produced: number;
}

/** Streaming LZ4 frame decoder (concatenated frames and skippable frames are read through). */
export class Lz4FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** Compressed bytes consumed before `buf[0]`. */
  private base = 0;
  private frame: FrameState | undefined;
  private skip = 0;
  private history: Uint8Array = new Uint8Array(0);
  private sawFrame = false;
  private readonly reuse: boolean;
  private outBuf: Buffer | undefined;
  private queue: Uint8Array[] = [];
  private queueLen = 0;
  /** Bytes that must be available (from pos) before the next step can progress. */
  private need = 0;

  /**
   * `reuseOutput`: decode every block into one recycled buffer (no per-block allocation, no
   * garbage). A yielded Buffer is then only valid until the next iteration of `decode`.
   */
  constructor(opts: { reuseOutput?: boolean } = {}) {
    this.reuse = !!opts.reuseOutput;
  }

  /** Feed compressed bytes; returns decompressed chunks that became available. */
  push(chunk: Uint8Array): Buffer[] {
    return [...this.decode(chunk)];
  }

  /**
   * Feed compressed bytes and decode lazily: one block per iteration, so a highly compressed
   * input chunk never turns into hundreds of MB of output at once. Consume it fully before the
   * next call.
   */
  *decode(chunk: Uint8Array): Generator<Buffer> {
    // Queue input until the pending block is complete, then merge once (a 4 MiB block arriving
    // in 1 MiB reads is copied once, not four times).
    this.queue.push(chunk);
    this.queueLen += chunk.length;
    if (this.avail() + this.queueLen < this.need) return;
    this.mergeQueue();
    const out: Buffer[] = [];
    for (;;) {
      if (!this.step(out)) break;
      if (out.length) {
        yield out[0]!;
        out.length = 0;
      }
    }
  }

  private mergeQueue(): void {
    const rest = this.buf.subarray(this.pos);
    if (rest.length === 0 && this.queue.length === 1) {
      this.base += this.buf.length;
      this.buf = this.queue[0]!;
    } else {
      const merged = new Uint8Array(rest.length + this.queueLen);
      merged.set(rest, 0);
      let o = rest.length;
      for (const q of this.queue) {
        merged.set(q, o);
        o += q.length;
      }
      this.base += this.pos;
      this.buf = merged;
    }
    this.queue = [];
    this.queueLen = 0;
    this.pos = 0;
    this.need = 0;
  }

  /**
   * Call at end of input: throws if the stream ended inside a frame. The error's `salvaged` holds
   * what the incomplete last block still decodes to (whole sequences only).
   */
  end(): void {
    if (this.queueLen > 0) this.mergeQueue();
    const at = this.base + this.pos;
    if (this.skip > 0 || this.frame || this.pos < this.buf.length) {
      const err = new Lz4FrameError('truncated', `lz4 stream ends inside a frame (at compressed byte ${this.base + this.buf.length})`, at);
      const f = this.frame;
      if (f && this.avail() > 4) {
        const word = u32(this.buf, this.pos);
        const size = word & 0x7fffffff;
        const data = this.buf.subarray(this.pos + 4, Math.min(this.buf.length, this.pos + 4 + size));
        if (word & 0x80000000) err.salvaged = [Buffer.from(data)];
        else if (size <= f.blockMax) {
          const hist = f.independent ? new Uint8Array(0) : this.history;
          const dst = Buffer.allocUnsafe(hist.length + f.blockMax);
          dst.set(hist, 0);
          const progress = { dIdx: hist.length };
          try {
            decodeLz4Block(data, 0, data.length, dst, hist.length, 0, progress);
          } catch {
            /* keep what decoded before the cut */
          }
          if (progress.dIdx > hist.length) err.salvaged = [dst.subarray(hist.length, progress.dIdx)];
        }
      }
      throw err;
    }
    if (!this.sawFrame) throw new Lz4FrameError('truncated', 'empty lz4 stream (no frame)', 0);
  }

  private avail(): number {
    return this.buf.length - this.pos;
  }

  private corrupt(msg: string, at = this.base + this.pos): never {
    throw new Lz4FrameError('corrupt', `corrupt lz4 frame at compressed byte ${at}: ${msg}`, at);
  }

  /** One parsing step; false when more input is needed. */
  private step(out: Buffer[]): boolean {
    if (this.skip > 0) {
      const n = Math.min(this.skip, this.avail());
      this.pos += n;
      this.skip -= n;
      return this.skip === 0;
    }
    const b = this.buf;
    if (!this.frame) {
      if (this.avail() < 4) return false;
      const magic = u32(b, this.pos);
      if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE) {
        if (this.avail() < 8) return false;
        this.skip = u32(b, this.pos + 4);
        this.pos += 8;
        this.sawFrame = true;
        return true;
      }
      if (magic !== MAGIC) this.corrupt(`bad magic 0x${magic.toString(16)}`);
      if (this.avail() < 7) return false;
      const flg = b[this.pos + 4]!;
      const bd = b[this.pos + 5]!;
      if (flg >> 6 !== 1) this.corrupt(`unsupported frame version ${flg >> 6}`);
      if (flg & 0x02 || bd & 0x8f) this.corrupt('reserved bits set in frame descriptor');
      const hasSize = (flg & 0x08) !== 0;
      const hasDict = (flg & 0x01) !== 0;
      const descLen = 2 + (hasSize ? 8 : 0) + (hasDict ? 4 : 0);
      if (this.avail() < 4 + descLen + 1) return false;
      const desc = b.subarray(this.pos + 4, this.pos + 4 + descLen);
      const hc = b[this.pos + 4 + descLen]!;
      if (((xxh32(desc) >>> 8) & 0xff) !== hc) this.corrupt('frame header checksum mismatch');
      if (hasDict) this.corrupt('dictionary frames are not supported');
      const blockMax = BLOCK_MAX[(bd >> 4) & 7];
      if (!blockMax) this.corrupt(`invalid block max size code ${(bd >> 4) & 7}`);
      let contentSize: number | undefined;
      if (hasSize) contentSize = u32(desc, 2) + u32(desc, 6) * 2 ** 32;
      this.frame = {
        independent: (flg & 0x20) !== 0,
        blockChecksum: (flg & 0x10) !== 0,
        contentChecksum: (flg & 0x04) !== 0,
        contentSize,
        blockMax,
        hash: (flg & 0x04) !== 0 ? new XXH32() : undefined,
        produced: 0,
      };
      this.history = new Uint8Array(0);
      this.sawFrame = true;
      this.pos += 4 + descLen + 1;
      return true;
    }
    const f = this.frame;
    if (this.avail() < 4) return false;
    const word = u32(b, this.pos);
    if (word === 0) {
      // EndMark (+ content checksum)
      if (this.avail() < 4 + (f.contentChecksum ? 4 : 0)) return false;
      if (f.contentChecksum) {
        const want = u32(b, this.pos + 4);
        if (f.hash!.digest() !== want) this.corrupt('content checksum mismatch');
      }
      if (f.contentSize !== undefined && f.contentSize !== f.produced) {
        this.corrupt(`content size ${f.produced} differs from header ${f.contentSize}`);
      }
      this.pos += 4 + (f.contentChecksum ? 4 : 0);
      this.frame = undefined;
      this.history = new Uint8Array(0);
      return true;
    }
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > f.blockMax) this.corrupt(`block size ${size} exceeds maximum ${f.blockMax}`);
    const need = 4 + size + (f.blockChecksum ? 4 : 0);
    if (this.avail() < need) {
      this.need = need;
      return false;
    }
    const start = this.pos + 4;
    const data = b.subarray(start, start + size);
    if (f.blockChecksum && xxh32(data) !== u32(b, start + size)) this.corrupt('block checksum mismatch');
    let block: Buffer;
    if (stored) {
      // copy unless recycling: the caller may reuse its input buffer
      block = this.reuse ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
    } else {
      const hist = f.independent ? new Uint8Array(0) : this.history;
      let dst: Buffer;
      if (this.reuse) {
        if (!this.outBuf || this.outBuf.length < hist.length + f.blockMax) this.outBuf = Buffer.allocUnsafe(WINDOW + f.blockMax);
        dst = this.outBuf.subarray(0, hist.length + f.blockMax);
      } else dst = Buffer.allocUnsafe(hist.length + f.blockMax);
      dst.set(hist, 0);
      let end: number;
      try {
        end = decodeLz4Block(data, 0, size, dst, hist.length, 0);
      } catch (e) {
        this.corrupt((e as Error).message);
      }
      block = dst.subarray(hist.length, end);
    }
    if (!f.independent) {
      // keep the last 64 KiB of output as the next block's history
      if (block.length >= WINDOW) this.history = new Uint8Array(block.subarray(block.length - WINDOW));
      else {
        const h = this.history;
        const keep = Math.min(h.length, WINDOW - block.length);
        const nh = new Uint8Array(keep + block.length);
        nh.set(h.subarray(h.length - keep), 0);
        nh.set(block, keep);
        this.history = nh;
      }
    }
    f.hash?.update(block);
    f.produced += block.length;
    this.pos += need;
    if (block.length) out.push(block);
    return true;
  }
}

/** Decompress a whole LZ4 frame stream held in memory. */
export function lz4FrameDecompress(data: Uint8Array): Buffer {
  const d = new Lz4FrameDecoder();
  const parts = d.push(data);
  d.end();
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Encoder: independent blocks (simpler and parallel-friendly), greedy hash-chain-free matcher in
// the style of LZ4's fast mode; content checksum on (Python's lz4.frame verifies it).

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const HASH_LOG = 16;

/**
 * Compress one block with LZ4's block format. Returns the compressed length written to dst,
 * or -1 if it would not be smaller than the input (store it instead).
 */
export function encodeLz4Block(src: Uint8Array, dst: Uint8Array, table: Int32Array): number {
  const n = src.length;
  table.fill(-1);
  let op = 0;
  const dEnd = dst.length;
  let anchor = 0;
  let ip = 0;
  const mflimit = n - MF_LIMIT;
  const matchLimit = n - LAST_LITERALS;
  if (n >= MF_LIMIT + 1) {
    let searchMiss = 0;
    ip = 1;
    while (ip < mflimit) {
      const seq = src[ip]! | (src[ip + 1]! << 8) | (src[ip + 2]! << 16) | (src[ip + 3]! << 24);
      const h = Math.imul(seq, 2654435761) >>> (32 - HASH_LOG);
      const ref = table[h]!;
      table[h] = ip;
      if (
        ref < 0 ||
        ip - ref > 65535 ||
        src[ref] !== src[ip] ||
        src[ref + 1] !== src[ip + 1] ||
        src[ref + 2] !== src[ip + 2] ||
        src[ref + 3] !== src[ip + 3]
      ) {
        ip += 1 + (searchMiss++ >> 6);
        continue;
      }
      searchMiss = 0;
      // extend backwards
      let s = ip;
      let r = ref;
      while (s > anchor && r > 0 && src[s - 1] === src[r - 1]) {
        s--;
        r--;
      }
      // extend forwards
      let e = ip + MIN_MATCH;
      let re = ref + MIN_MATCH;
      while (e < matchLimit && src[e] === src[re]) {
        e++;
        re++;
      }
      const lit = s - anchor;
      const mlen = e - s - MIN_MATCH;
      // worst case size of this sequence
      if (op + 1 + ((lit / 255) | 0) + 1 + lit + 2 + ((mlen / 255) | 0) + 1 > dEnd - LAST_LITERALS - 1) return -1;
      const tokenPos = op++;
      let token: number;
      if (lit >= 15) {
        token = 15 << 4;
        let l = lit - 15;
        while (l >= 255) {
          dst[op++] = 255;
          l -= 255;
        }
        dst[op++] = l;
      } else token = lit << 4;
      dst.set(src.subarray(anchor, s), op);
      op += lit;
      const off = s - r;
      dst[op++] = off & 255;
      dst[op++] = off >>> 8;
      if (mlen >= 15) {
        token |= 15;
        let l = mlen - 15;
        while (l >= 255) {
          dst[op++] = 255;
          l -= 255;
        }
        dst[op++] = l;
      } else token |= mlen;
      dst[tokenPos] = token;
      anchor = ip = e;
      // prime the table with a position inside the match for better ratio
      if (e - 2 > 0 && e - 2 < mflimit) {
        const p = e - 2;
        const sq = src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24);
        table[Math.imul(sq, 2654435761) >>> (32 - HASH_LOG)] = p;
      }
    }
  }
  // last literals
  const lit = n - anchor;
  if (op + 1 + ((lit / 255) | 0) + 1 + lit >= n || op + 1 + ((lit / 255) | 0) + 1 + lit > dEnd) return -1;
  if (lit >= 15) {
    dst[op++] = 15 << 4;
    let l = lit - 15;
    while (l >= 255) {
      dst[op++] = 255;
      l -= 255;
    }
    dst[op++] = l;
  } else dst[op++] = lit << 4;
  dst.set(src.subarray(anchor, n), op);
  op += lit;
  return op;
}

export interface Lz4EncoderOptions {
  /** Block maximum size: 64 KiB, 256 KiB, 1 MiB or 4 MiB (default 4 MiB). */
  blockSize?: 65536 | 262144 | 1048576 | 4194304;
  /** Write the XXH32 content checksum (default true). */
  contentChecksum?: boolean;
  /** Write an XXH32 checksum after every block, so damage is caught at its block (default false). */
  blockChecksum?: boolean;
}

/**
 * Streaming LZ4 frame encoder: `push` buffers input and returns complete compressed blocks;
 * `end` flushes the last block and the end mark. One frame per encoder.
 */
export class Lz4FrameEncoder {
  private readonly blockSize: number;
  private readonly checksum: boolean;
  private readonly blockChecksum: boolean;
  private readonly hash = new XXH32();
  private readonly table = new Int32Array(1 << HASH_LOG);
  private readonly pending: Buffer;
  private fill = 0;
  private started = false;

  constructor(opts: Lz4EncoderOptions = {}) {
    this.blockSize = opts.blockSize ?? 4194304;
    this.checksum = opts.contentChecksum ?? true;
    this.blockChecksum = opts.blockChecksum ?? false;
    this.pending = Buffer.allocUnsafe(this.blockSize);
  }

  private header(): Buffer {
    const code = { 65536: 4, 262144: 5, 1048576: 6, 4194304: 7 }[this.blockSize as 65536]!;
    const flg = 0x40 | 0x20 | (this.blockChecksum ? 0x10 : 0) | (this.checksum ? 0x04 : 0); // version 01, independent blocks
    const bd = code << 4;
    const desc = Buffer.from([flg, bd]);
    const hc = (xxh32(desc) >>> 8) & 0xff;
    const h = Buffer.alloc(7);
    h.writeUInt32LE(MAGIC, 0);
    h[4] = flg;
    h[5] = bd;
    h[6] = hc;
    return h;
  }

  private block(src: Uint8Array, out: Buffer[]): void {
    if (this.checksum) this.hash.update(src);
    const dst = Buffer.allocUnsafe(4 + src.length + 4);
    const n = encodeLz4Block(src, dst.subarray(4, 4 + src.length), this.table);
    let len: number;
    if (n < 0) {
      dst.writeUInt32LE((src.length | 0x80000000) >>> 0, 0);
      dst.set(src, 4);
      len = src.length;
    } else {
      dst.writeUInt32LE(n, 0);
      len = n;
    }
    if (this.blockChecksum) {
      dst.writeUInt32LE(xxh32(dst.subarray(4, 4 + len)), 4 + len);
      out.push(dst.subarray(0, 8 + len));
    } else out.push(dst.subarray(0, 4 + len));
  }

  push(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    if (!this.started) {
      out.push(this.header());
      this.started = true;
    }
    let p = 0;
    while (p < data.length) {
      const take = Math.min(this.blockSize - this.fill, data.length - p);
      if (this.fill === 0 && take === this.blockSize) {
        this.block(data.subarray(p, p + take), out);
      } else {
        this.pending.set(data.subarray(p, p + take), this.fill);
        this.fill += take;
        if (this.fill === this.blockSize) {
          this.block(this.pending, out);
          this.fill = 0;
        }
      }
      p += take;
    }
    return out;
  }

  end(): Buffer[] {
    const out: Buffer[] = [];
    if (!this.started) {
      out.push(this.header());
      this.started = true;
    }
    if (this.fill > 0) {
      this.block(this.pending.subarray(0, this.fill), out);
      this.fill = 0;
    }
    const tail = Buffer.alloc(this.checksum ? 8 : 4);
    if (this.checksum) tail.writeUInt32LE(this.hash.digest(), 4);
    out.push(tail);
    return out;
  }
}

/** Compress a buffer into one LZ4 frame. */
export function lz4FrameCompress(data: Uint8Array, opts?: Lz4EncoderOptions): Buffer {
  const e = new Lz4FrameEncoder(opts);
  return Buffer.concat([...e.push(data), ...e.end()]);
}
