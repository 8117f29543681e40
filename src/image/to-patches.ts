/**
 * imageToPatches: the reference's whole image branch — decode (Pillow-exact), SOLO target size,
 * Pillow BILINEAR resize (skipped when the size is unchanged), ImageNet normalisation to float16
 * and (C,32,32) patches in row-major order.
 */
import { decodeImage, type DecodeImageOptions } from './decode.js';
import { patchifyInto, SOLO_PATCH_ELEMS } from './patchify.js';
import { resizePatchifyWasm, withResizedBilinear } from './resize.js';
import { SOLO_NORM_LUT } from './normalize.js';
import { soloTargetSize } from './target-size.js';

export interface ImagePatches {
  /** float16 bits, n × 3072, each patch (C, 32, 32). */
  patches: Uint16Array;
  rows: number;
  cols: number;
  /** Decoded size. */
  width: number;
  height: number;
  /** Resized size (cols·32 × rows·32). */
  newWidth: number;
  newHeight: number;
  format: string;
  mode: string;
}

export type ImageToPatchesOptions = DecodeImageOptions;

/** Patches of already decoded RGB pixels (resize + normalise + patchify). */
export function rgbToPatches(rgb: Uint8Array, width: number, height: number): { patches: Uint16Array; rows: number; cols: number; newWidth: number; newHeight: number } {
  const t = soloTargetSize(width, height);
  const rows = t.height >> 5;
  const cols = t.width >> 5;
  const patches = new Uint16Array(rows * cols * SOLO_PATCH_ELEMS);
  if (!resizePatchifyWasm(rgb, width, height, t.width, t.height, patches, 0, SOLO_NORM_LUT)) {
    withResizedBilinear(rgb, width, height, t.width, t.height, (resized) => patchifyInto(resized, t.width, t.height, patches, 0));
  }
  return { patches, rows, cols, newWidth: t.width, newHeight: t.height };
}

export async function imageToPatches(bytes: Uint8Array, opts: ImageToPatchesOptions = {}): Promise<ImagePatches> {
  const img = await decodeImage(bytes, opts);
  const r = rgbToPatches(img.data, img.width, img.height);
  return { ...r, width: img.width, height: img.height, format: img.format, mode: img.mode };
}
