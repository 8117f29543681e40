/**
 * ToTensor + Normalize(ImageNet) + astype(float16) as one 768-entry table: every patch value
 * depends only on (channel, uint8 value). Built from the float32 formula torchvision applies
 * (v/255 as a float32 division, then (x - mean)/std each rounded to float32), then rounded to
 * float16 half-to-even. Checked in tests against the golden table and its sha256.
 */
import { f16BitsToF32, f32ToF16Bits } from '../formats/fp16.js';

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

function buildLut(): Uint16Array {
  const lut = new Uint16Array(768);
  const f = Math.fround;
  for (let c = 0; c < 3; c++) {
    const mean = f(IMAGENET_MEAN[c]!);
    const std = f(IMAGENET_STD[c]!);
    for (let v = 0; v < 256; v++) {
      const x = f(v / 255);
      const y = f(f(x - mean) / std);
      lut[c * 256 + v] = f32ToF16Bits(y);
    }
  }
  return lut;
}

/** `SOLO_NORM_LUT[c*256 + v]`: float16 bits of the normalised value of uint8 `v` in channel `c` (R,G,B). */
export const SOLO_NORM_LUT: Uint16Array = buildLut();

/**
 * Inverse of the table for inspection: float16 bits of channel c → the uint8 value whose table
 * entry is nearest (exact for values the table produced).
 */
export function denormalizeF16(c: number, bits: number): number {
  const y = f16BitsToF32(bits);
  if (Number.isNaN(y)) return 0;
  const v = Math.round((y * IMAGENET_STD[c]! + IMAGENET_MEAN[c]!) * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
