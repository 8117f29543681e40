/**
 * File-level operations behind `solo image patchify|unpatchify`: read an image (or stdin), write
 * raw little-endian float16 patches atomically; rebuild a viewable PNG from such a file.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { UsageError } from '../errors.js';
import { SOLO_PATCH_ELEMS, unpatchifyToRgb } from './patchify.js';
import { imageToPatches, type ImageToPatchesOptions } from './to-patches.js';

export interface PatchifyFileOptions extends ImageToPatchesOptions {
  /** Image path, or '-' for stdin. */
  input: string;
  /** Output path of the raw float16 LE patches. */
  out: string;
}

export interface PatchifyFileSummary {
  format: string;
  mode: string;
  width: number;
  height: number;
  newWidth: number;
  newHeight: number;
  rows: number;
  cols: number;
  patches: number;
}

function readInput(input: string): Uint8Array {
  if (input === '-') return readFileSync(0);
  if (!existsSync(input)) throw new UsageError(`input not found: ${input}`);
  return readFileSync(input);
}

function writeAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Little-endian bytes of a Uint16Array (a view on little-endian hosts). */
function u16le(a: Uint16Array): Uint8Array {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return b;
  const c = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += 2) {
    c[i] = b[i + 1]!;
    c[i + 1] = b[i]!;
  }
  return c;
}

export async function patchifyImageFile(opts: PatchifyFileOptions): Promise<PatchifyFileSummary> {
  const bytes = readInput(opts.input);
  const p = await imageToPatches(bytes, opts);
  writeAtomic(opts.out, u16le(p.patches));
  return { format: p.format, mode: p.mode, width: p.width, height: p.height, newWidth: p.newWidth, newHeight: p.newHeight, rows: p.rows, cols: p.cols, patches: p.rows * p.cols };
}

export interface UnpatchifyFileOptions {
  /** Raw float16 LE patches (n × 3 × 32 × 32). */
  input: string;
  rows: number;
  cols: number;
  /** Output PNG path. */
  out: string;
}

export async function unpatchifyFile(opts: UnpatchifyFileOptions): Promise<{ width: number; height: number; patches: number }> {
  const { rows, cols } = opts;
  if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0)) throw new UsageError(`--rows and --cols must be positive integers (got ${rows}, ${cols})`);
  const bytes = readInput(opts.input);
  const need = rows * cols * SOLO_PATCH_ELEMS * 2;
  if (bytes.length !== need) throw new UsageError(`${opts.input}: ${bytes.length} bytes, but ${rows}x${cols} patches need ${need}`);
  const u16 = new Uint16Array(rows * cols * SOLO_PATCH_ELEMS);
  for (let i = 0; i < u16.length; i++) u16[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  const rgb = unpatchifyToRgb(u16, rows, cols);
  const png = await sharp(rgb, { raw: { width: cols * 32, height: rows * 32, channels: 3 } }).png().toBuffer();
  writeAtomic(opts.out, png);
  return { width: cols * 32, height: rows * 32, patches: rows * cols };
}
