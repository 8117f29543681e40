// Shared by bench/image.mjs and bench/ingest.mjs: seeded photo-like RGB content (smooth waves,
// texture, noise) and its q90 JPEG, the CC3M-like images the benchmarks run on.
import sharp from 'sharp';

/** Seeded w×h×3 RGB pixels. */
export function photo(w, h, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const a = Buffer.alloc(w * h * 3);
  const f = [rnd() * 0.05, rnd() * 0.05, rnd() * 0.05, rnd() * 0.3];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const v = 128 + 70 * Math.sin(x * f[c] + y * f[(c + 1) % 3] + c) + 30 * Math.sin((x + y) * f[3]) + (rnd() - 0.5) * 40;
        a[(y * w + x) * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
  return a;
}

/** `photo(w, h, seed)` as a q90 JPEG. */
export function photoJpeg(w, h, seed) {
  return sharp(photo(w, h, seed), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}
