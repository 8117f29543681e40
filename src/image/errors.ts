/**
 * ImageDecodeError: one image could not be turned into patches. It is an InputError (one bad
 * record), so pipeline stages count it, quarantine the sample and go on.
 *
 * Reason codes:
 * - `empty`: zero bytes;
 * - `unsupported-format`: not a format Pillow 9.4 would open here (AVIF, SVG, HEIC, …) or a
 *   variant we do not port (12-bit/lossless JPEG, odd BMP headers);
 * - `truncated`: the data stops early (the reference raises "image file is truncated");
 * - `corrupt`: broken data stream / bad header;
 * - `too-large`: over the decompression-bomb limit (Pillow refuses w*h > 2 * 89,478,485);
 * - `invalid-size`: the SOLO target size has a zero side (aspect ratio over 1024:1).
 */
import { InputError, type InputLocation } from '../errors.js';

export type ImageErrorReason = 'truncated' | 'unsupported-format' | 'corrupt' | 'empty' | 'too-large' | 'invalid-size';

export class ImageDecodeError extends InputError {
  declare readonly reason: ImageErrorReason;
  constructor(reason: ImageErrorReason, message: string, location?: InputLocation, options?: { cause?: unknown }) {
    super(reason, message, location, options);
    this.name = 'ImageDecodeError';
  }
}

/** Pillow's `Image.MAX_IMAGE_PIXELS`; it raises DecompressionBombError above twice this. */
export const PIL_MAX_IMAGE_PIXELS = 89_478_485;
/** Default refusal threshold: refuse when width*height exceeds this (Pillow's error threshold). */
export const DEFAULT_MAX_PIXELS = 2 * PIL_MAX_IMAGE_PIXELS;
