/**
 * Unit tests against golden vectors: the size rule (1200 reference results), the normalisation
 * table (golden table + the spec's sha256), Pillow coefficient vectors, and the spec's portable
 * end-to-end vectors on a synthetic image (resized bytes and float16 patches).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bilinearCoeffs,
  ImageDecodeError,
  patchifyInto,
  resizeBilinear,
  resizeBilinearJs,
  rgbToPatches,
  SOLO_NORM_LUT,
  soloTargetSize,
  soloTargetSizeRaw,
  trimWasmResizer,
  unpatchifyToRgb,
} from '../../src/image/index.js';

const FIX = new URL('../fixtures/image/', import.meta.url);
const sha = (b: Uint8Array | Uint16Array): string => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');

describe('soloTargetSize', () => {
  const vecs = readFileSync(new URL('resize_vectors.jsonl', FIX), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { w: number; h: number; new_w: number; new_h: number; valid: boolean });
  it('matches all 1200 reference vectors', () => {
    expect(vecs.length).toBe(1200);
    let bad = 0;
    for (const v of vecs) {
      const raw = soloTargetSizeRaw(v.w, v.h);
      if (raw.width !== v.new_w || raw.height !== v.new_h) bad++;
      if (v.valid) {
        const t = soloTargetSize(v.w, v.h);
        if (t.width !== v.new_w || t.height !== v.new_h) bad++;
      } else {
        expect(() => soloTargetSize(v.w, v.h)).toThrow(ImageDecodeError);
      }
    }
    expect(bad).toBe(0);
    expect(vecs.filter((v) => !v.valid).length).toBeGreaterThan(0);
  });
  it('matches the spec examples and rejects zero sides', () => {
    expect(soloTargetSize(500, 375)).toEqual({ width: 512, height: 384 });
    expect(soloTargetSize(1920, 1080)).toEqual({ width: 1024, height: 576 });
    expect(soloTargetSize(40, 2000)).toEqual({ width: 32, height: 1024 });
    expect(soloTargetSize(800, 600)).toEqual({ width: 800, height: 608 });
    for (const [w, h] of [[2048, 1], [1, 2000], [0, 5], [5, 0]] as const) {
      try {
        soloTargetSize(w, h);
        throw new Error('no throw');
      } catch (e) {
        expect(e).toBeInstanceOf(ImageDecodeError);
        expect((e as ImageDecodeError).reason).toBe('invalid-size');
      }
    }
  });
});

describe('normalisation LUT', () => {
  it('equals the golden torchvision/numpy table and the spec sha256', () => {
    const t = JSON.parse(readFileSync(new URL('normalize_f16_table.json', FIX), 'utf8')) as { f16_bits: number[][] };
    expect(Array.from(SOLO_NORM_LUT)).toEqual(t.f16_bits.flat());
    expect(sha(SOLO_NORM_LUT)).toBe('d145cb83059fc5000ae73ea466d50f8d303598ab97c2871bda55ba99a81f7baa');
  });
});

describe('Pillow bilinear coefficients (spec §4.2 vectors)', () => {
  const row = (c: ReturnType<typeof bilinearCoeffs>, i: number) => [c.xmin[i], c.n[i], Array.from(c.k.subarray(i * c.ksize, i * c.ksize + c.n[i]!))];
  const cases: [number, number, number, unknown[], unknown[], unknown[] | null][] = [
    [500, 512, 3, [0, 1, [4194304]], [0, 2, [147456, 4046848]], [499, 1, [4194304]]],
    [720, 736, 3, [0, 1, [4194304]], [0, 2, [136771, 4057533]], [719, 1, [4194304]]],
    [5, 32, 3, [0, 1, [4194304]], [0, 1, [4194304]], [4, 1, [4194304]]],
    [1, 32, 3, [0, 1, [4194304]], [0, 1, [4194304]], [0, 1, [4194304]]],
    [1920, 1024, 5, [0, 3, [1968755, 1797559, 427990]], [1, 4, [674085, 1872457, 1423067, 224695]], [1917, 3, [427990, 1797559, 1968755]]],
    [2000, 1024, 5, [0, 3, [1856495, 1797559, 540250]], [1, 4, [575857, 1676003, 1521295, 421149]], [1997, 3, [540250, 1797559, 1856495]]],
    [40, 32, 5, [0, 2, [3145728, 1048576]], [1, 2, [2446677, 1747627]], [38, 2, [1048576, 3145728]]],
    [3, 2, 5, [0, 2, [2621440, 1572864]], [1, 2, [1572864, 2621440]], null],
  ];
  for (const [inS, outS, ksize, first, second, last] of cases) {
    it(`${inS} -> ${outS}`, () => {
      const c = bilinearCoeffs(inS, outS);
      expect(c.ksize).toBe(ksize);
      expect(row(c, 0)).toEqual(first);
      expect(row(c, 1)).toEqual(second);
      if (last) expect(row(c, outS - 1)).toEqual(last);
    });
  }
});

describe('portable golden vectors (spec §8, synthetic image)', () => {
  const synth = (w: number, h: number): Uint8Array => {
    const a = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) a[(y * w + x) * 3 + c] = (7 * x + 13 * y + 101 * c + ((x * y) % 17)) & 255;
    return a;
  };
  const vecs: [number, number, number, number, string, string][] = [
    [5, 3, 32, 32, '31cd75d197d087af', '436f45dcddcffeb5'],
    [50, 37, 64, 64, 'aa56c4f75a001cce', '9a0bc1468d2e848a'],
    [640, 480, 640, 480, '8b55d2e230ace1a5', '26915c6e3abddd97'],
    [1999, 1001, 1024, 512, '1284d280d00409d3', '4669dd95b187ff25'],
    [1024, 40, 1024, 64, 'ae7881afc72c9301', '6c0f14de81b88f3b'],
    [333, 777, 352, 800, 'cb2b521923e419ec', '692736df76976a8c'],
  ];
  for (const [w, h, tw, th, hr, hp] of vecs) {
    it(`${w}x${h} -> ${tw}x${th}`, () => {
      const src = synth(w, h);
      const t = soloTargetSize(w, h);
      expect([t.width, t.height]).toEqual([tw, th]);
      const r = resizeBilinear(src, w, h, tw, th);
      expect(sha(r).slice(0, 16)).toBe(hr);
      const p = rgbToPatches(src, w, h);
      expect(p.patches.length).toBe((tw / 32) * (th / 32) * 3072);
      expect(sha(p.patches).slice(0, 16)).toBe(hp);
      // Inspection inverse is exact on patch output.
      expect(sha(unpatchifyToRgb(p.patches, p.rows, p.cols))).toBe(sha(r));
    });
  }
});

describe('WASM SIMD and JS resize kernels agree', () => {
  it('on 150 random sizes (up/down, 1..40 taps, 1-pixel sides)', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let t = 0; t < 150; t++) {
      const w = 1 + rnd(t % 10 === 0 ? 700 : 90);
      const h = 1 + rnd(t % 7 === 0 ? 700 : 90);
      const nw = 1 + rnd(t % 3 === 0 ? 40 : 200);
      const nh = 1 + rnd(t % 4 === 0 ? 40 : 200);
      const src = new Uint8Array(w * h * 3);
      for (let i = 0; i < src.length; i++) src[i] = rnd(256);
      const a = resizeBilinear(src, w, h, nw, nh);
      const b = resizeBilinearJs(src, w, h, nw, nh);
      expect([w, h, nw, nh, Buffer.from(a).equals(Buffer.from(b))]).toEqual([w, h, nw, nh, true]);
    }
  });
  it('WASM resize+patchify equals JS resize + patchifyInto on 40 random images', () => {
    let seed = 777;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let t = 0; t < 40; t++) {
      const w = 1 + rnd(t % 5 === 0 ? 1500 : 200);
      const h = 1 + rnd(t % 6 === 0 ? 1500 : 200);
      const src = new Uint8Array(w * h * 3);
      for (let i = 0; i < src.length; i++) src[i] = rnd(256);
      if (t % 10 === 9) trimWasmResizer(0); // a fresh instance must give the same results
      const p = rgbToPatches(src, w, h);
      const ref = new Uint16Array(p.patches.length);
      patchifyInto(resizeBilinearJs(src, w, h, p.newWidth, p.newHeight), p.newWidth, p.newHeight, ref, 0);
      expect([w, h, Buffer.from(p.patches.buffer).equals(Buffer.from(ref.buffer))]).toEqual([w, h, true]);
    }
  });
});

describe('argument checks', () => {
  it('patchifyInto refuses sizes that are not multiples of 32 and short outputs', () => {
    expect(() => patchifyInto(new Uint8Array(33 * 32 * 3), 33, 32, new Uint16Array(3072), 0)).toThrow(RangeError);
    expect(() => patchifyInto(new Uint8Array(32 * 64 * 3), 32, 64, new Uint16Array(3072), 0)).toThrow(RangeError);
  });
  it('resizeBilinear returns the input untouched when the size is unchanged', () => {
    const a = new Uint8Array(4 * 4 * 3).map((_, i) => i);
    expect(resizeBilinear(a, 4, 4, 4, 4)).toBe(a);
  });
});
