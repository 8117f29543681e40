/**
 * Megatron MMIDIDX dtype codes (megatron/data/indexed_dataset.py `dtypes`) and the
 * "best fitting" integer rule used for token-like outputs.
 */
import { SoloError } from '../../errors.js';

/** dtype code → element size in bytes. Code 6 (Python `float`) cannot be memory-mapped and is rejected. */
export const MMIDIDX_DTYPES = {
  1: { name: 'uint8', size: 1 },
  2: { name: 'int8', size: 1 },
  3: { name: 'int16', size: 2 },
  4: { name: 'int32', size: 4 },
  5: { name: 'int64', size: 8 },
  7: { name: 'float64', size: 8 },
  8: { name: 'uint16', size: 2 },
  9: { name: 'float32', size: 4 },
  10: { name: 'float16', size: 2 },
} as const;

export type MmidDtypeCode = keyof typeof MMIDIDX_DTYPES;
export type MmidDtypeName = (typeof MMIDIDX_DTYPES)[MmidDtypeCode]['name'];

export const MMID_UINT8: MmidDtypeCode = 1;
export const MMID_INT8: MmidDtypeCode = 2;
export const MMID_INT16: MmidDtypeCode = 3;
export const MMID_INT32: MmidDtypeCode = 4;
export const MMID_INT64: MmidDtypeCode = 5;
export const MMID_FLOAT64: MmidDtypeCode = 7;
export const MMID_UINT16: MmidDtypeCode = 8;
export const MMID_FLOAT32: MmidDtypeCode = 9;
export const MMID_FLOAT16: MmidDtypeCode = 10;

export function mmidElementSize(code: number): number {
  const d = (MMIDIDX_DTYPES as Record<number, { size: number } | undefined>)[code];
  if (!d) throw new SoloError(`unsupported MMIDIDX dtype code ${code}`);
  return d.size;
}

export function mmidDtypeName(code: number): MmidDtypeName {
  const d = (MMIDIDX_DTYPES as Record<number, { name: MmidDtypeName } | undefined>)[code];
  if (!d) throw new SoloError(`unsupported MMIDIDX dtype code ${code}`);
  return d.name;
}

/** Megatron `best_fitting_dtype`: uint16 when a vocabulary size is given and < 65500, else int32. */
export function bestFittingDtype(vocabSize?: number): MmidDtypeCode {
  return vocabSize !== undefined && vocabSize < 65500 ? MMID_UINT16 : MMID_INT32;
}
