import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../src/formats/fp16.js';

describe('fp16', () => {
  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      const v = f16BitsToF32(h);
      const back = f32ToF16Bits(v);
      // -0 and +0 keep their sign bit
      expect(back).toBe(h);
    }
  });
  it('rounds half to even', () => {
    // 1 + 2^-11 lies exactly between 1 and 1+2^-10: ties to even → 1.0 (0x3c00)
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3*2^-11 lies between 1+2^-10 (odd) and 1+2^-9 (even) → 0x3c02
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // overflow to inf
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie between 0 and smallest subnormal → even (0)
    expect(f32ToF16Bits(-(2 ** -24))).toBe(0x8001);
  });
  it('bfloat16 rounds to nearest even', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });
});
