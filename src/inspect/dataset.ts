/**
 * `solo inspect <prefix>`: open the four indexed datasets of a SOLO prefix, decode items
 * (documents, role spans, images rebuilt from their patches), check the vision layout, and
 * optionally write the images as PNG files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { SoloError, UsageError } from '../errors.js';
import { openIndexedDataset } from '../formats/indexed-dataset/reader.js';
import type { MmidReader } from '../formats/indexed-dataset/reader.js';
import { unpatchifyToRgb } from '../image/patchify.js';
import type { DecodedPack, InspectTokenizer } from './decode-pack.js';
import { decodePack } from './decode-pack.js';

const PATCH_ELEMS = 3 * 32 * 32;

export interface DatasetFiles {
  text: MmidReader;
  role: MmidReader;
  indices: MmidReader;
  patches: MmidReader;
  close(): void;
}

export function isDatasetPrefix(prefix: string): boolean {
  return existsSync(`${prefix}-text.idx`) && existsSync(`${prefix}-text.bin`);
}

export function openSoloDataset(prefix: string): DatasetFiles {
  for (const part of ['text', 'role', 'vision_patch_indices', 'vision_patch'])
    for (const ext of ['idx', 'bin']) if (!existsSync(`${prefix}-${part}.${ext}`)) throw new UsageError(`${prefix}-${part}.${ext} not found: not a SOLO dataset prefix`);
  const f = {
    text: openIndexedDataset(`${prefix}-text`),
    role: openIndexedDataset(`${prefix}-role`),
    indices: openIndexedDataset(`${prefix}-vision_patch_indices`),
    patches: openIndexedDataset(`${prefix}-vision_patch`),
    close() {
      f.text.close();
      f.role.close();
      f.indices.close();
      f.patches.close();
    },
  };
  const n = f.text.length;
  if (f.role.length !== n || f.indices.length !== n || f.patches.length !== n)
    throw new SoloError(`${prefix}: item counts disagree (text ${n}, role ${f.role.length}, indices ${f.indices.length}, patches ${f.patches.length})`);
  if (f.patches.dtype !== 10) throw new SoloError(`${prefix}-vision_patch: dtype code ${f.patches.dtype}, expected 10 (float16)`);
  return f;
}

export interface InspectedImage {
  rows: number;
  cols: number;
  width: number;
  height: number;
  /** RGB uint8, width × height × 3. */
  rgb: Uint8Array;
  /** PNG path when `outDir` was given. */
  png?: string;
}

export interface InspectedItem extends DecodedPack {
  index: number;
  nPatches: number;
  /** True when the item's only patch is the all-zero dummy of a text-only pack. */
  dummyPatch: boolean;
  rebuilt: InspectedImage[];
}

/** Decode item `index`; rebuild its images (and write PNGs under outDir). */
export async function inspectItem(files: DatasetFiles, index: number, tok: InspectTokenizer, outDir?: string): Promise<InspectedItem> {
  if (index < 0 || index >= files.text.length) throw new UsageError(`item ${index} out of range (0..${files.text.length - 1})`);
  const tokens = files.text.item(index) as ArrayLike<number>;
  const roles = files.role.item(index) as ArrayLike<number>;
  const idx = files.indices.item(index) as ArrayLike<number>;
  const patchBits = files.patches.item(index) as Uint16Array;
  if (patchBits.length % PATCH_ELEMS !== 0) throw new SoloError(`item ${index}: ${patchBits.length} patch values is not a multiple of ${PATCH_ELEMS}`);
  const nPatches = patchBits.length / PATCH_ELEMS;
  const decoded = decodePack(tokens, roles, idx, nPatches, tok);
  const dummyPatch = decoded.images.length === 0 && nPatches === 1 && patchBits.every((b) => b === 0);
  const rebuilt: InspectedImage[] = [];
  if (outDir) await mkdir(outDir, { recursive: true });
  for (const [k, img] of decoded.images.entries()) {
    if (img.problems.length || img.rows * img.cols === 0) continue;
    const sub = patchBits.subarray(img.firstPatch * PATCH_ELEMS, (img.firstPatch + img.rows * img.cols) * PATCH_ELEMS);
    const rgb = unpatchifyToRgb(sub, img.rows, img.cols);
    const out: InspectedImage = { rows: img.rows, cols: img.cols, width: img.cols * 32, height: img.rows * 32, rgb };
    if (outDir) {
      out.png = join(outDir, `item${index}-image${k}.png`);
      await sharp(Buffer.from(rgb), { raw: { width: out.width, height: out.height, channels: 3 } }).png().toFile(out.png);
    }
    rebuilt.push(out);
  }
  return { index, nPatches, dummyPatch, rebuilt, ...decoded };
}

export interface PackStatsLine {
  n_tokens: number;
  n_image_tokens: number;
  n_images: number;
}

/** Per-item stats from `<prefix>.jsonl` (streamed line by line is unnecessary: one short line per pack). */
export function readPackStatsLines(prefix: string): PackStatsLine[] {
  const p = `${prefix}.jsonl`;
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as PackStatsLine);
}

export function readDatasetStats(prefix: string): Record<string, unknown> | undefined {
  const p = `${prefix}_stats.json`;
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>) : undefined;
}
