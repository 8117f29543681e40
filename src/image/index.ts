/**
 * Public API of src/image: Pillow-exact decoding, the SOLO target size, Pillow's BILINEAR resize,
 * ImageNet normalisation to float16 and 32×32 patches, as the reference preprocessing does them.
 */
export { ImageDecodeError, DEFAULT_MAX_PIXELS, PIL_MAX_IMAGE_PIXELS, type ImageErrorReason } from './errors.js';
export { decodeImage, type DecodedImage, type DecodeImageOptions } from './decode.js';
export { sniffImageFormat, type SoloImageFormat } from './sniff.js';
export { soloTargetSize, soloTargetSizeRaw, SOLO_MAX_SIDE } from './target-size.js';
export { resizeBilinear, resizeBilinearJs, withResizedBilinear, bilinearCoeffs, type ResampleCoeffs } from './resize.js';
export { SOLO_NORM_LUT, IMAGENET_MEAN, IMAGENET_STD } from './normalize.js';
export { patchifyInto, unpatchifyToRgb, SOLO_PATCH_SIZE, SOLO_PATCH_ELEMS } from './patchify.js';
export { imageToPatches, rgbToPatches, type ImagePatches, type ImageToPatchesOptions } from './to-patches.js';
export { patchifyImageFile, unpatchifyFile, type PatchifyFileOptions, type PatchifyFileSummary, type UnpatchifyFileOptions } from './files.js';
export { trimWasmResizer } from './resize-wasm.js';
