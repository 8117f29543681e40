/**
 * Cut a resized RGB image (both sides multiples of 32) into SOLO patches: row-major patch order
 * (`p = py * cols + px`), each patch laid out (C, 32, 32) — the reference's
 * `unfold(1,32,32).unfold(2,32,32).permute(1,2,0,3,4)` — with every value mapped through the
 * normalisation table to float16 bits. Writes straight into the caller's buffer.
 */
import { SOLO_NORM_LUT, denormalizeF16 } from './normalize.js';

export const SOLO_PATCH_SIZE = 32;
/** float16 values per patch: 3 channels × 32 × 32. */
export const SOLO_PATCH_ELEMS = 3 * 32 * 32;

/**
 * Write the patches of `rgb` (w × h × 3 uint8, w and h multiples of 32) into `out` starting at
 * element `outOffsetElems`. Returns the number of patches written ((w/32)·(h/32)).
 */
export function patchifyInto(rgb: Uint8Array, w: number, h: number, out: Uint16Array, outOffsetElems: number): number {
  if (w <= 0 || h <= 0 || w % 32 !== 0 || h % 32 !== 0) throw new RangeError(`patchifyInto: size ${w}x${h} is not a positive multiple of 32`);
  if (rgb.length < w * h * 3) throw new RangeError(`patchifyInto: buffer of ${rgb.length} bytes is smaller than ${w}x${h}x3`);
  const cols = w >> 5;
  const rows = h >> 5;
  const n = rows * cols;
  if (outOffsetElems < 0 || outOffsetElems + n * SOLO_PATCH_ELEMS > out.length) {
    throw new RangeError(`patchifyInto: output has room for ${out.length - outOffsetElems} values, need ${n * SOLO_PATCH_ELEMS}`);
  }
  const lut = SOLO_NORM_LUT;
  if ((outOffsetElems & 1) === 0 && (out.byteOffset & 3) === 0) {
    // Fast path: two horizontally adjacent values per 32-bit store (little-endian pairs).
    const out32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 1);
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    if (le) {
      for (let Y = 0; Y < h; Y++) {
        const py = Y >> 5;
        let s = Y * w * 3;
        for (let px = 0; px < cols; px++) {
          let o = (outOffsetElems + (py * cols + px) * SOLO_PATCH_ELEMS + (Y & 31) * 32) >> 1;
          for (let x = 0; x < 32; x += 2) {
            out32[o] = lut[rgb[s]!]! | (lut[rgb[s + 3]!]! << 16);
            out32[o + 512] = lut[256 + rgb[s + 1]!]! | (lut[256 + rgb[s + 4]!]! << 16);
            out32[o + 1024] = lut[512 + rgb[s + 2]!]! | (lut[512 + rgb[s + 5]!]! << 16);
            o++;
            s += 6;
          }
        }
      }
      return n;
    }
  }
  for (let Y = 0; Y < h; Y++) {
    const py = Y >> 5;
    const y = Y & 31;
    let s = Y * w * 3;
    for (let px = 0; px < cols; px++) {
      // R plane of this patch row; G and B planes follow at +1024 and +2048.
      let o = outOffsetElems + (py * cols + px) * SOLO_PATCH_ELEMS + y * 32;
      for (let x = 0; x < 32; x++) {
        out[o] = lut[rgb[s]!]!;
        out[o + 1024] = lut[256 + rgb[s + 1]!]!;
        out[o + 2048] = lut[512 + rgb[s + 2]!]!;
        o++;
        s += 3;
      }
    }
  }
  return n;
}

/**
 * Inverse for inspection: float16 patches (rows × cols, each (C,32,32)) → RGB uint8 image of
 * (cols·32) × (rows·32). Exact for patches produced by patchifyInto.
 */
export function unpatchifyToRgb(patches: Uint16Array, rows: number, cols: number): Uint8Array {
  const n = rows * cols;
  if (patches.length < n * SOLO_PATCH_ELEMS) throw new RangeError(`unpatchifyToRgb: ${patches.length} values, need ${n * SOLO_PATCH_ELEMS} for ${rows}x${cols} patches`);
  // Exact inverse tables: float16 bits → uint8 per channel.
  const inv = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) inv[c]!.set(SOLO_NORM_LUT[c * 256 + v]!, v);
  const w = cols * 32;
  const h = rows * 32;
  const rgb = new Uint8Array(w * h * 3);
  for (let Y = 0; Y < h; Y++) {
    const py = Y >> 5;
    const y = Y & 31;
    let d = Y * w * 3;
    for (let px = 0; px < cols; px++) {
      let o = (py * cols + px) * SOLO_PATCH_ELEMS + y * 32;
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          const bits = patches[o + c * 1024]!;
          rgb[d + c] = inv[c]!.get(bits) ?? denormalizeF16(c, bits);
        }
        o++;
        d += 3;
      }
    }
  }
  return rgb;
}
