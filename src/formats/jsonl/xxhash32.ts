/**
 * XXH32 (xxHash, 32-bit), one-shot and streaming.
 *
 * Hand-written because the LZ4 frame format needs it (header checksum, optional block and content
 * checksums) and it is ~60 lines; no npm dependency for that. Reference: xxhash spec, XXH32.
 */
const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, input: number): number {
  acc = (acc + Math.imul(input, P2)) | 0;
  acc = rotl(acc, 13);
  return Math.imul(acc, P1);
}

function readU32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) | 0;
}

/** Streaming XXH32. */
export class XXH32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private readonly seed: number;
  private total = 0;
  private readonly mem = new Uint8Array(16);
  private memLen = 0;

  constructor(seed = 0) {
    this.seed = seed | 0;
    this.v1 = (this.seed + P1 + P2) | 0;
    this.v2 = (this.seed + P2) | 0;
    this.v3 = this.seed;
    this.v4 = (this.seed - P1) | 0;
  }

  update(data: Uint8Array): this {
    const len = data.length;
    this.total += len;
    let p = 0;
    if (this.memLen + len < 16) {
      this.mem.set(data, this.memLen);
      this.memLen += len;
      return this;
    }
    if (this.memLen > 0) {
      const take = 16 - this.memLen;
      this.mem.set(data.subarray(0, take), this.memLen);
      const m = this.mem;
      this.v1 = round(this.v1, readU32(m, 0));
      this.v2 = round(this.v2, readU32(m, 4));
      this.v3 = round(this.v3, readU32(m, 8));
      this.v4 = round(this.v4, readU32(m, 12));
      p = take;
      this.memLen = 0;
    }
    let v1 = this.v1, v2 = this.v2, v3 = this.v3, v4 = this.v4;
    const limit = len - 16;
    if (LITTLE_ENDIAN && ((data.byteOffset + p) & 3) === 0 && p <= limit) {
      // aligned fast path: read words through an Int32Array view
      const words = (limit - p) / 16 + 1;
      const w = new Int32Array(data.buffer, data.byteOffset + p, Math.floor(words) * 4);
      for (let k = 0; k < w.length; k += 4) {
        v1 = Math.imul(rotl((v1 + Math.imul(w[k]!, P2)) | 0, 13), P1);
        v2 = Math.imul(rotl((v2 + Math.imul(w[k + 1]!, P2)) | 0, 13), P1);
        v3 = Math.imul(rotl((v3 + Math.imul(w[k + 2]!, P2)) | 0, 13), P1);
        v4 = Math.imul(rotl((v4 + Math.imul(w[k + 3]!, P2)) | 0, 13), P1);
      }
      p += w.length * 4;
    }
    while (p <= limit) {
      v1 = round(v1, readU32(data, p));
      v2 = round(v2, readU32(data, p + 4));
      v3 = round(v3, readU32(data, p + 8));
      v4 = round(v4, readU32(data, p + 12));
      p += 16;
    }
    this.v1 = v1; this.v2 = v2; this.v3 = v3; this.v4 = v4;
    if (p < len) {
      this.mem.set(data.subarray(p), 0);
      this.memLen = len - p;
    }
    return this;
  }

  digest(): number {
    let h: number;
    if (this.total >= 16) {
      h = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    } else {
      h = (this.seed + P5) | 0;
    }
    h = (h + this.total) | 0; // total mod 2^32
    const m = this.mem;
    let p = 0;
    while (p + 4 <= this.memLen) {
      h = (h + Math.imul(readU32(m, p), P3)) | 0;
      h = Math.imul(rotl(h, 17), P4);
      p += 4;
    }
    while (p < this.memLen) {
      h = (h + Math.imul(m[p]!, P5)) | 0;
      h = Math.imul(rotl(h, 11), P1);
      p++;
    }
    h ^= h >>> 15;
    h = Math.imul(h, P2);
    h ^= h >>> 13;
    h = Math.imul(h, P3);
    h ^= h >>> 16;
    return h >>> 0;
  }
}

export function xxh32(data: Uint8Array, seed = 0): number {
  return new XXH32(seed).update(data).digest();
}
