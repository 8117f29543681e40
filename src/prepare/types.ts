/**
 * Data passed between the stages of `prepare`: an encoded document (one input line), an error
 * marker for a skipped line, and a pack (one output item).
 */
import type { PyNum } from './pynum.js';

/** Values of 3072 float16 bit patterns per 32×32 RGB patch. */
export const PATCH_ELEMENTS = 3 * 32 * 32;

/** The Role enum of megatron/data/instruction_dataset.py. */
export const PREPARE_ROLES = { system: 0, user: 1, assistant: 2, image: 3, PACK_SEP: 1000 } as const;
export type PrepareRoleName = keyof typeof PREPARE_ROLES;
export const ROLE_IMAGE = 3;
export const ROLE_PACK_SEP = 1000;

/** One successfully encoded document (spec §5.2). */
export interface EncodedDoc {
  kind: 'doc';
  /** `len(line)` including the terminator: code points (plain files) or bytes (gz/lz4). Stats only. */
  size: number;
  tokens: Int32Array;
  roles: Int32Array;
  /** Per-token patch index into this document's patches, or −1. */
  vpi: Int32Array;
  /** nPatches × 3072 float16 bit patterns, row-major over each image's grid, images in order. */
  patches: Uint16Array;
  nPatches: number;
  nImages: number;
}

/** A line the encoder rejected: the reference skips it and counts `error_skipped` when packing. */
export interface DocError {
  kind: 'error';
  /** Short reason code (e.g. `invalid-json`, `bad-role`). */
  reason: string;
  message: string;
  file?: string;
  line?: number;
  offset?: number;
}

export type DocResult = EncodedDoc | DocError;

/** One output item (a pack, or a document in no-pack mode). Arrays are given as parts, written back to back. */
export interface PackItem {
  size: PyNum;
  nImages: PyNum;
  length: number;
  tokens: Int32Array[];
  roles: Int32Array[];
  vpi: Int32Array[];
  patches: Uint16Array[];
  nPatches: number;
}
