/**
 * Pillow 9.4's `Image.resize(size, BILINEAR)` for RGB uint8 images, bit for bit: a hand-written
 * port of libImaging/Resample.c (`precompute_coeffs`, `normalize_coeffs_8bpc`,
 * `ImagingResampleHorizontal_8bpc`, `ImagingResampleVertical_8bpc`). Hand-written because no
 * library reproduces Pillow's fixed-point arithmetic (sharp's resize differs on most pixels).
 *
 * Two separable passes, horizontal first, with a uint8 intermediate; a pass is skipped when its
 * dimension is unchanged. Coefficients are float64 triangle weights (support scaled by the
 * downscale factor: antialiasing), normalised, then fixed point with PRECISION_BITS = 22.
 * Sums stay below 2^31 for any realistic scale factor, so int32 arithmetic is exact.
 */

import { trimWasmResizer, wasmResizer, type WasmResizer } from './resize-wasm.js';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
/** Pillow's clip8: a sum (rounding half included) at or above 256 · 2^22 clips to 255, at or below 0 to 0. */
const CLIP_HI = ONE << 8;

/** Coefficients of one axis: for output i, taps `k[i*ksize .. +n[i]]` starting at input `xmin[i]`. */
export interface ResampleCoeffs {
  inSize: number;
  outSize: number;
  ksize: number;
  xmin: Int32Array;
  n: Int32Array;
  k: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear (triangle) filter, box (0, in). */
export function bilinearCoeffs(inSize: number, outSize: number): ResampleCoeffs {
  const scale = inSize / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = 1.0 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const ss = 1.0 / filterscale;
  const xminA = new Int32Array(outSize);
  const nA = new Int32Array(outSize);
  const kA = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = 0 + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    const n = xmax - xmin;
    let ww = 0.0;
    for (let x = 0; x < n; x++) {
      let t = (x + xmin - center + 0.5) * ss;
      if (t < 0) t = -t;
      const v = t < 1.0 ? 1.0 - t : 0.0;
      w[x] = v;
      ww += v;
    }
    const base = xx * ksize;
    for (let x = 0; x < n; x++) {
      const k = ww !== 0.0 ? w[x]! / ww : w[x]!;
      kA[base + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    xminA[xx] = xmin;
    nA[xx] = n;
  }
  return { inSize, outSize, ksize, xmin: xminA, n: nA, k: kA };
}

// Coefficient tables depend only on (in, out); a small cache saves 0.05–3 ms per image.
const CACHE_MAX = 64;
const cache = new Map<number, ResampleCoeffs>();
function cachedCoeffs(inSize: number, outSize: number): ResampleCoeffs {
  const key = inSize * 65536 + outSize;
  let c = cache.get(key);
  if (c) return c;
  c = bilinearCoeffs(inSize, outSize);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, c);
  return c;
}


/** Horizontal pass: (w × h) RGB → (nw × h) RGB. Int32 arithmetic via Math.imul keeps V8 on integer paths. */
function horizontal(src: Uint8Array, w: number, h: number, c: ResampleCoeffs): Uint8Array {
  const nw = c.outSize;
  const out = new Uint8Array(nw * h * 3);
  const { xmin, n, k, ksize } = c;
  const srcStride = w * 3;
  for (let y = 0; y < h; y++) {
    const rowIn = y * srcStride;
    let o = y * nw * 3;
    for (let xx = 0; xx < nw; xx++) {
      const taps = n[xx]!;
      let kb = xx * ksize;
      let p = rowIn + xmin[xx]! * 3;
      let s0: number;
      let s1: number;
      let s2: number;
      if (taps === 2) {
        const k0 = k[kb]!;
        const k1 = k[kb + 1]!;
        s0 = (HALF + Math.imul(src[p]!, k0) + Math.imul(src[p + 3]!, k1)) | 0;
        s1 = (HALF + Math.imul(src[p + 1]!, k0) + Math.imul(src[p + 4]!, k1)) | 0;
        s2 = (HALF + Math.imul(src[p + 2]!, k0) + Math.imul(src[p + 5]!, k1)) | 0;
      } else if (taps === 3) {
        const k0 = k[kb]!;
        const k1 = k[kb + 1]!;
        const k2 = k[kb + 2]!;
        s0 = (HALF + Math.imul(src[p]!, k0) + Math.imul(src[p + 3]!, k1) + Math.imul(src[p + 6]!, k2)) | 0;
        s1 = (HALF + Math.imul(src[p + 1]!, k0) + Math.imul(src[p + 4]!, k1) + Math.imul(src[p + 7]!, k2)) | 0;
        s2 = (HALF + Math.imul(src[p + 2]!, k0) + Math.imul(src[p + 5]!, k1) + Math.imul(src[p + 8]!, k2)) | 0;
      } else {
        s0 = HALF;
        s1 = HALF;
        s2 = HALF;
        const end = kb + taps;
        for (; kb < end; kb++) {
          const kv = k[kb]!;
          s0 = (s0 + Math.imul(src[p]!, kv)) | 0;
          s1 = (s1 + Math.imul(src[p + 1]!, kv)) | 0;
          s2 = (s2 + Math.imul(src[p + 2]!, kv)) | 0;
          p += 3;
        }
      }
      out[o] = s0 >= CLIP_HI ? 255 : s0 <= 0 ? 0 : s0 >> PRECISION_BITS;
      out[o + 1] = s1 >= CLIP_HI ? 255 : s1 <= 0 ? 0 : s1 >> PRECISION_BITS;
      out[o + 2] = s2 >= CLIP_HI ? 255 : s2 <= 0 ? 0 : s2 >> PRECISION_BITS;
      o += 3;
    }
  }
  return out;
}

/**
 * Vertical pass: (w × h) RGB → (w × nh) RGB. Each output row reads its few input rows (in
 * cache) column by column; the common 1/2/3/4-tap cases are unrolled.
 */
function vertical(src: Uint8Array, w: number, c: ResampleCoeffs): Uint8Array {
  const nh = c.outSize;
  const L = w * 3;
  const out = new Uint8Array(L * nh);
  const { xmin, n, k, ksize } = c;
  for (let yy = 0; yy < nh; yy++) {
    const taps = n[yy]!;
    const kb = yy * ksize;
    const r0 = xmin[yy]! * L;
    let o = yy * L;
    const oEnd = o + L;
    if (taps === 1) {
      const k0 = k[kb]!;
      for (let p = r0; o < oEnd; o++, p++) {
        const s = (HALF + Math.imul(src[p]!, k0)) | 0;
        out[o] = s >= CLIP_HI ? 255 : s <= 0 ? 0 : s >> PRECISION_BITS;
      }
    } else if (taps === 2) {
      const k0 = k[kb]!;
      const k1 = k[kb + 1]!;
      for (let p = r0; o < oEnd; o++, p++) {
        const s = (HALF + Math.imul(src[p]!, k0) + Math.imul(src[p + L]!, k1)) | 0;
        out[o] = s >= CLIP_HI ? 255 : s <= 0 ? 0 : s >> PRECISION_BITS;
      }
    } else if (taps === 3) {
      const k0 = k[kb]!;
      const k1 = k[kb + 1]!;
      const k2 = k[kb + 2]!;
      const L2 = 2 * L;
      for (let p = r0; o < oEnd; o++, p++) {
        const s = (HALF + Math.imul(src[p]!, k0) + Math.imul(src[p + L]!, k1) + Math.imul(src[p + L2]!, k2)) | 0;
        out[o] = s >= CLIP_HI ? 255 : s <= 0 ? 0 : s >> PRECISION_BITS;
      }
    } else if (taps === 4) {
      const k0 = k[kb]!;
      const k1 = k[kb + 1]!;
      const k2 = k[kb + 2]!;
      const k3 = k[kb + 3]!;
      const L2 = 2 * L;
      const L3 = 3 * L;
      for (let p = r0; o < oEnd; o++, p++) {
        const s = (((HALF + Math.imul(src[p]!, k0) + Math.imul(src[p + L]!, k1)) | 0) + Math.imul(src[p + L2]!, k2) + Math.imul(src[p + L3]!, k3)) | 0;
        out[o] = s >= CLIP_HI ? 255 : s <= 0 ? 0 : s >> PRECISION_BITS;
      }
    } else {
      for (let p = r0; o < oEnd; o++, p++) {
        let s = HALF;
        for (let i = 0, q = p; i < taps; i++, q += L) s = (s + Math.imul(src[q]!, k[kb + i]!)) | 0;
        out[o] = s >= CLIP_HI ? 255 : s <= 0 ? 0 : s >> PRECISION_BITS;
      }
    }
  }
  return out;
}

/** Coefficients as the WASM kernels read them: per output, [xmin * mult, n, k0 .. k(ksize-1)]. */
function packCoeffs(c: ResampleCoeffs, mult: number): Int32Array {
  const rs = 2 + c.ksize;
  const a = new Int32Array(c.outSize * rs);
  for (let xx = 0; xx < c.outSize; xx++) {
    a[xx * rs] = c.xmin[xx]! * mult;
    a[xx * rs + 1] = c.n[xx]!;
    a.set(c.k.subarray(xx * c.ksize, xx * c.ksize + c.ksize), xx * rs + 2);
  }
  return a;
}

const WASM_LIMIT = 1 << 30; // larger images use the JS kernels rather than a >1 GiB wasm heap
const align16 = (n: number): number => (n + 15) & ~15;

/** Byte offsets of one WASM job's buffers (all 16-aligned, each padded for the SIMD over-reads). */
interface WasmLayout {
  coefH: number;
  coefV: number;
  src: number;
  tmp: number;
  dst: number;
  end: number;
}

const LUT_BYTES = 1536; // 768 uint16 at offset 0, for the patch kernel

function wasmLayout(w: number, h: number, nw: number, nh: number, hLen: number, vLen: number, extra: number): WasmLayout {
  const coefH = LUT_BYTES;
  const coefV = align16(coefH + hLen * 4);
  const src = align16(coefV + vLen * 4);
  const tmp = align16(src + w * h * 3 + 32);
  const dst = align16(tmp + (nw !== w && nh !== h ? nw * h * 3 + 32 : 0));
  const end = align16(dst + nw * nh * 3 + 32) + extra;
  return { coefH, coefV, src, tmp, dst, end };
}

/** Run the resize kernels inside WASM memory; returns the byte offset of the result, or -1. */
function wasmResizeAt(k: WasmResizer, src: Uint8Array, w: number, h: number, nw: number, nh: number, extra: number): { at: number; end: number } | null {
  const doH = nw !== w;
  const doV = nh !== h;
  const ch = doH ? packCoeffs(cachedCoeffs(w, nw), 3) : null;
  const cv = doV ? packCoeffs(cachedCoeffs(h, nh), nw * 3) : null;
  const L = wasmLayout(w, h, nw, nh, ch ? ch.length : 0, cv ? cv.length : 0, extra);
  if (L.end > WASM_LIMIT) return null;
  const have = k.mem.buffer.byteLength;
  if (L.end > have) k.mem.grow(Math.ceil((L.end - have) / 65536));
  const buf = k.mem.buffer;
  new Uint8Array(buf, L.src, w * h * 3).set(src.subarray(0, w * h * 3));
  if (ch) new Int32Array(buf, L.coefH, ch.length).set(ch);
  if (cv) new Int32Array(buf, L.coefV, cv.length).set(cv);
  const recH = (2 + (doH ? cachedCoeffs(w, nw).ksize : 0)) * 4;
  const recV = (2 + (doV ? cachedCoeffs(h, nh).ksize : 0)) * 4;
  if (doH && doV) {
    k.hpass(L.src, L.tmp, h, w * 3, nw, L.coefH, recH);
    k.vpass(L.tmp, L.dst, nw * 3, nh, L.coefV, recV);
  } else if (doH) {
    k.hpass(L.src, L.dst, h, w * 3, nw, L.coefH, recH);
  } else if (doV) {
    k.vpass(L.src, L.dst, nw * 3, nh, L.coefV, recV);
  } else {
    return { at: L.src, end: L.end };
  }
  return { at: L.dst, end: L.end };
}

/**
 * Resize with the WASM SIMD kernels. Returns a view into WebAssembly memory that stays valid only
 * until the next call, or null when the kernels are unavailable or the image is too large.
 */
export function resizeBilinearWasmView(src: Uint8Array, w: number, h: number, nw: number, nh: number): Uint8Array | null {
  const k = wasmResizer();
  if (!k) return null;
  const r = wasmResizeAt(k, src, w, h, nw, nh, 0);
  return r ? new Uint8Array(k.mem.buffer, r.at, nw * nh * 3) : null;
}

/** Instances whose memory already holds the normalisation table. */
const lutLoaded = new WeakSet<WasmResizer>();


/**
 * Resize (if needed) and patchify entirely in WASM memory, then copy the patches into `out` at
 * element `outOffset`. Returns false (nothing written) when the WASM kernels are unavailable.
 */
export function resizePatchifyWasm(src: Uint8Array, w: number, h: number, nw: number, nh: number, out: Uint16Array, outOffset: number, lut: Uint16Array): boolean {
  const k = wasmResizer();
  if (!k) return false;
  const outBytes = nw * nh * 3 * 2;
  const r = wasmResizeAt(k, src, w, h, nw, nh, outBytes);
  if (!r) return false;
  const buf = k.mem.buffer;
  if (!lutLoaded.has(k)) {
    new Uint16Array(buf, 0, 768).set(lut);
    lutLoaded.add(k);
  }
  const outAt = r.end - outBytes;
  k.patch(r.at, outAt, nw, nh, 0);
  out.set(new Uint16Array(buf, outAt, nw * nh * 3), outOffset);
  trimWasmResizer();
  return true;
}

/** The pure JS kernels (reference implementation; used when WASM SIMD is unavailable). */
export function resizeBilinearJs(src: Uint8Array, w: number, h: number, nw: number, nh: number): Uint8Array {
  let cur = src;
  if (nw !== w) cur = horizontal(cur, w, h, cachedCoeffs(w, nw));
  if (nh !== h) cur = vertical(cur, nw, cachedCoeffs(h, nh));
  return cur;
}

function checkArgs(src: Uint8Array, w: number, h: number, nw: number, nh: number): void {
  if (!(w > 0 && h > 0 && nw > 0 && nh > 0)) throw new RangeError(`resizeBilinear: invalid size ${w}x${h} -> ${nw}x${nh}`);
  if (src.length < w * h * 3) throw new RangeError(`resizeBilinear: buffer of ${src.length} bytes is smaller than ${w}x${h}x3`);
}

/**
 * Resize an RGB uint8 image (HxWx3, row-major) to nw × nh exactly as Pillow 9.4's
 * `Image.resize((nw, nh), Image.BILINEAR)`. Returns `src` itself when the size is unchanged.
 */
export function resizeBilinear(src: Uint8Array, w: number, h: number, nw: number, nh: number): Uint8Array {
  checkArgs(src, w, h, nw, nh);
  if (nw === w && nh === h) return src;
  const v = resizeBilinearWasmView(src, w, h, nw, nh);
  const r = v ? v.slice() : resizeBilinearJs(src, w, h, nw, nh);
  trimWasmResizer();
  return r;
}

/**
 * Resize, then hand the result to `use` without copying it out of WebAssembly memory (the view
 * is only valid inside `use`). For the patchify hot path.
 */
export function withResizedBilinear<T>(src: Uint8Array, w: number, h: number, nw: number, nh: number, use: (rgb: Uint8Array) => T): T {
  checkArgs(src, w, h, nw, nh);
  if (nw === w && nh === h) return use(src);
  const v = resizeBilinearWasmView(src, w, h, nw, nh);
  try {
    return use(v ?? resizeBilinearJs(src, w, h, nw, nh));
  } finally {
    trimWasmResizer();
  }
}
