/** Test helpers: synthetic dataset prefixes (P.jsonl rows, P_stats.json, P_DONE, empty data files). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { megatronPrefixFiles as prefixDataFiles } from '../../src/train/index.js';

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `solo-train-${tag}-`));
}

export interface PackRow { n_tokens: number; n_image_tokens: number; n_images: number }

/** Write a prefix with `packs` copies of `row` (or the given rows). */
export function writePrefix(prefix: string, rows: PackRow[] | { packs: number; row: PackRow }, opts: { done?: boolean; dataFiles?: boolean; stats?: Record<string, unknown> } = {}): void {
  mkdirSync(dirname(prefix), { recursive: true });
  const list = Array.isArray(rows) ? rows : Array.from({ length: rows.packs }, () => rows.row);
  writeFileSync(`${prefix}.jsonl`, list.map((r) => `{"n_tokens": ${r.n_tokens}, "n_image_tokens": ${r.n_image_tokens}, "n_images": ${r.n_images}}\n`).join(''));
  writeFileSync(`${prefix}_stats.json`, JSON.stringify(opts.stats ?? { n_total_packed_doc: list.length }));
  if (opts.dataFiles !== false) for (const f of prefixDataFiles(prefix)) writeFileSync(f, '');
  if (opts.done !== false) writeFileSync(`${prefix}_DONE`, '');
}

/** A Megatron checkpoint dir with a tracker and `mp_rank_*` dirs holding the given file names. */
export function writeCheckpoint(dir: string, tracker: string, ranks: Record<string, string[]>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest_checkpointed_iteration.txt'), tracker);
  const iter = tracker === 'release' ? 'release' : `iter_${tracker.padStart(7, '0')}`;
  for (const [rank, files] of Object.entries(ranks)) {
    mkdirSync(join(dir, iter, rank), { recursive: true });
    for (const f of files) writeFileSync(join(dir, iter, rank, f), 'x');
  }
}
