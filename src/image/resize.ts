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

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

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

function clip8(s: number): number {
  // Pillow's clip8: the sum already holds the rounding half.
  if (s >= ONE << 8) return 255;
  if (s <= 0) return 0;
  return s >> PRECISION_BITS;
}

/** Horizontal pass: (w × h) RGB → (nw × h) RGB. */
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
      const kb = xx * ksize;
      let p = rowIn + xmin[xx]! * 3;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let i = 0; i < taps; i++) {
        const kv = k[kb + i]!;
        s0 = (s0 + src[p]! * kv) | 0;
        s1 = (s1 + src[p + 1]! * kv) | 0;
        s2 = (s2 + src[p + 2]! * kv) | 0;
        p += 3;
      }
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
      o += 3;
    }
  }
  return out;
}

/** Vertical pass: (w × h) RGB → (w × nh) RGB, row-wise accumulation for cache-friendly access. */
function vertical(src: Uint8Array, w: number, c: ResampleCoeffs): Uint8Array {
  const nh = c.outSize;
  const rowLen = w * 3;
  const out = new Uint8Array(rowLen * nh);
  const acc = new Int32Array(rowLen);
  const { xmin, n, k, ksize } = c;
  for (let yy = 0; yy < nh; yy++) {
    acc.fill(HALF);
    const taps = n[yy]!;
    const kb = yy * ksize;
    const y0 = xmin[yy]!;
    for (let i = 0; i < taps; i++) {
      const kv = k[kb + i]!;
      const r = (y0 + i) * rowLen;
      for (let j = 0; j < rowLen; j++) acc[j] = (acc[j]! + src[r + j]! * kv) | 0;
    }
    const o = yy * rowLen;
    for (let j = 0; j < rowLen; j++) {
      const s = acc[j]!;
      out[o + j] = s >= ONE << 8 ? 255 : s <= 0 ? 0 : s >> PRECISION_BITS;
    }
  }
  return out;
}

/**
 * Resize an RGB uint8 image (HxWx3, row-major) to nw × nh exactly as Pillow 9.4's
 * `Image.resize((nw, nh), Image.BILINEAR)`. Returns `src` itself when the size is unchanged.
 */
export function resizeBilinear(src: Uint8Array, w: number, h: number, nw: number, nh: number): Uint8Array {
  if (!(w > 0 && h > 0 && nw > 0 && nh > 0)) throw new RangeError(`resizeBilinear: invalid size ${w}x${h} -> ${nw}x${nh}`);
  if (src.length < w * h * 3) throw new RangeError(`resizeBilinear: buffer of ${src.length} bytes is smaller than ${w}x${h}x3`);
  let cur = src;
  if (nw !== w) cur = horizontal(cur, w, h, cachedCoeffs(w, nw));
  if (nh !== h) cur = vertical(cur, nw, cachedCoeffs(h, nh));
  return cur;
}
