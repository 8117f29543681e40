// Test helpers: load the golden fixtures copied from the reference (test/fixtures/prepare).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseIdx } from '../../src/formats/indexed-dataset/index.js';
import { PATCH_ELEMENTS, type DocResult } from '../../src/prepare/types.js';

export const FIX = join(import.meta.dirname, '..', 'fixtures', 'prepare');

export interface GoldenDoc {
  line: number;
  status: string;
  size: number;
  n_images?: number;
  n_patches?: number;
  patches_sha256?: string;
  error_type?: string;
  tokens?: number[];
  roles?: number[];
  vision_patch_indices?: number[];
}

export function loadGoldenDocs(set: string, kind: 'pretrain' | 'chat'): GoldenDoc[] {
  const text = gunzipSync(readFileSync(join(FIX, 'docs', `${set}.${kind}.jsonl.gz`))).toString('utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as GoldenDoc);
}

/** Per-document patch bytes from a golden no-pack vision_patch dataset (one item per ok doc). */
export function loadDocPatches(set: string, docs: GoldenDoc[]): Uint16Array[] | undefined {
  let bin: Buffer;
  try {
    bin = gunzipSync(readFileSync(join(FIX, 'patches', `${set}.nopack-vision_patch.bin.gz`)));
  } catch {
    return undefined;
  }
  const idxDir = set === 'dev' ? join(FIX, 'dev', 'golden', 'd_pretrain_nopack') : join(FIX, 'packing', 'golden', set, 'd_pretrain_nopack');
  const idx = parseIdx(readFileSync(join(idxDir, 'data-vision_patch.idx')));
  const ok = docs.filter((d) => d.status === 'ok');
  if (ok.length !== idx.sizes.length) throw new Error('nopack items != ok docs');
  return ok.map((d, i) => {
    if (!d.n_patches) return new Uint16Array(0);
    const b = new Uint8Array(bin.subarray(idx.pointers[i]!, idx.pointers[i]! + idx.sizes[i]! * 2));
    const u = new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2);
    if (createHash('sha256').update(b).digest('hex') !== d.patches_sha256) throw new Error(`patch sha mismatch line ${d.line}`);
    return u;
  });
}

/** Golden docs as packer input; patches from `patches` or synthetic deterministic values. */
export function toDocResults(docs: GoldenDoc[], patches?: Uint16Array[]): DocResult[] {
  let k = 0;
  return docs.map((d) => {
    if (d.status !== 'ok') return { kind: 'error', reason: d.error_type ?? 'error', message: d.error_type ?? '', line: d.line };
    const np = d.n_patches ?? 0;
    let p = patches?.[k];
    if (!p) {
      p = new Uint16Array(np * PATCH_ELEMENTS);
      for (let i = 0; i < p.length; i++) p[i] = (d.line * 7919 + i) & 0x7bff;
    }
    k++;
    return {
      kind: 'doc',
      size: d.size,
      tokens: Int32Array.from(d.tokens!),
      roles: Int32Array.from(d.roles!),
      vpi: Int32Array.from(d.vision_patch_indices!),
      patches: p,
      nPatches: np,
      nImages: d.n_images ?? 0,
    };
  });
}

/** Golden run directory for a set and mode. */
export function goldenDir(set: string, mode: string): string {
  return set === 'dev' ? join(FIX, 'dev', 'golden', mode) : join(FIX, 'packing', 'golden', set, mode);
}

/** `sha256  name` map of a golden run. */
export function goldenSums(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n')) {
    const [h, n] = l.split(/\s+/) as [string, string];
    m.set(n, h);
  }
  return m;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Stats text with the three timing values blanked. */
export function stripTimings(s: string): string {
  return s.replace(/("total_time(?:_startup|_processing)?": )[^,}]+/g, '$1T');
}

export const MODES = {
  a_pretrain_pack32768: { kind: 'pretrain', pack: 32768, tokenizer: 'solo-33029' },
  b_pretrain_pack512: { kind: 'pretrain', pack: 512, tokenizer: 'solo-33029' },
  b_pretrain_pack2048: { kind: 'pretrain', pack: 2048, tokenizer: 'solo-33029' },
  c_chat_pack4096: { kind: 'chat', pack: 4096, tokenizer: 'solo-33031' },
  d_pretrain_nopack: { kind: 'pretrain', pack: 0, tokenizer: 'solo-33029' },
} as const;
export type ModeName = keyof typeof MODES;

/** The (set, mode) pairs present in the fixtures. */
export const GOLDEN_RUNS: [string, ModeName][] = [
  ['dev', 'a_pretrain_pack32768'],
  ['dev', 'b_pretrain_pack512'],
  ['dev', 'c_chat_pack4096'],
  ['dev', 'd_pretrain_nopack'],
  ['packing', 'a_pretrain_pack32768'],
  ['packing', 'b_pretrain_pack512'],
  ['packing', 'b_pretrain_pack2048'],
  ['packing', 'c_chat_pack4096'],
  ['packing', 'd_pretrain_nopack'],
  ['packing_exact512', 'a_pretrain_pack32768'],
  ['packing_exact512', 'b_pretrain_pack512'],
  ['packing_exact512', 'c_chat_pack4096'],
  ['packing_exact512', 'd_pretrain_nopack'],
];
