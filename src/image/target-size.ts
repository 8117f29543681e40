/**
 * The SOLO target size: the reference's `get_resize_output_image_size`. Each side becomes a
 * multiple of 32, the long side is at most 1024, and small images are upscaled. Transcribed with
 * Python's float semantics (one IEEE division, truncation toward zero), which JS doubles share.
 */
import { ImageDecodeError } from './errors.js';

export const SOLO_PATCH = 32;
export const SOLO_MAX_SIDE = 1024;

/** Target size without the validity check: a side may be 0 (aspect ratio over 1024:1). */
export function soloTargetSizeRaw(width: number, height: number): { width: number; height: number } {
  const landscape = height <= width; // ties take the first branch
  const short = landscape ? height : width;
  const long = landscape ? width : height;
  const newLong = Math.min(Math.ceil(long / SOLO_PATCH) * SOLO_PATCH, SOLO_MAX_SIDE);
  const newShort = Math.ceil(Math.trunc((newLong * short) / long) / SOLO_PATCH) * SOLO_PATCH;
  return landscape ? { width: newLong, height: newShort } : { width: newShort, height: newLong };
}

/**
 * The reference's target size. Throws ImageDecodeError('invalid-size') when a side would be 0
 * (the reference's PIL resize raises "height and width must be > 0" and skips the line), or when
 * the input has a zero side.
 */
export function soloTargetSize(width: number, height: number): { width: number; height: number } {
  if (!(width > 0 && height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) {
    throw new ImageDecodeError('invalid-size', `invalid image size ${width}x${height}`);
  }
  const t = soloTargetSizeRaw(width, height);
  if (t.width === 0 || t.height === 0) {
    throw new ImageDecodeError('invalid-size', `height and width must be > 0 (image ${width}x${height} resizes to ${t.width}x${t.height}: aspect ratio over 1024:1)`);
  }
  return t;
}
