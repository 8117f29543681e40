/**
 * `prepareShards`: one dataset prefix per input shard, `<outputDir>/<shard-name>/data` (the layout
 * of the reference conversion drivers), `parallel` shards at a time, skipping shards whose
 * `_DONE` exists. A Slurm array task calls it with one shard (`only`).
 */
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { expandInputPatterns } from '../formats/jsonl/expand-patterns.js';
import type { ProgressFn } from '../progress.js';
import { prepareDataset, type PrepareDatasetOptions, type PrepareDatasetResult } from './prepare-dataset.js';

export interface PrepareShardsOptions extends Omit<PrepareDatasetOptions, 'input' | 'outputPrefix' | 'onProgress'> {
  /** Shard files or patterns (globs, `{000..031}` ranges), expanded in order. */
  shards: string[];
  /** Root of the outputs: one `<shard-name>/data` prefix per shard. */
  outputDir: string;
  /** Shards processed at once (default 1). Workers are split between them. */
  parallel?: number;
  /** Only these shard indices (0-based, after expansion), e.g. one Slurm array task. */
  only?: number[];
  onProgress?: ProgressFn;
  /** Called when a shard finishes (or is skipped). */
  onShardDone?: (result: PrepareDatasetResult, index: number, total: number) => void;
}

export interface PrepareShardsResult {
  shards: PrepareDatasetResult[];
  done: number;
  skipped: number;
  failed: { shard: string; error: string }[];
}

/** `<name>` of a shard file: its base name without `.jsonl`/`.json` and compression suffixes. */
export function shardName(file: string): string {
  let b = basename(file);
  for (;;) {
    const s = b.replace(/\.(gz|gzip|lz4|zst|zstd)$/i, '').replace(/\.(jsonl|json|txt)$/i, '');
    if (s === b || !s) break;
    b = s;
  }
  return b;
}

/** The output prefix of a shard. */
export function shardPrefix(outputDir: string, file: string): string {
  return join(outputDir, shardName(file), 'data');
}

export async function prepareShards(opts: PrepareShardsOptions): Promise<PrepareShardsResult> {
  const files = await expandInputPatterns(opts.shards);
  if (!files.length) throw new UsageError('no shard files');
  const names = new Map<string, string>();
  for (const f of files) {
    const n = shardName(f);
    if (names.has(n)) throw new UsageError(`shards ${names.get(n)} and ${f} map to the same output ${n}/data`);
    names.set(n, f);
  }
  const chosen = (opts.only ?? files.map((_, i) => i)).map((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= files.length) throw new UsageError(`shard index ${i} out of range (0..${files.length - 1})`);
    return i;
  });
  const parallel = Math.max(1, Math.min(opts.parallel ?? 1, chosen.length));
  const workers = opts.workers ?? Math.max(1, Math.floor(availableParallelism() / parallel));
  const results: PrepareDatasetResult[] = new Array(chosen.length);
  const failed: { shard: string; error: string }[] = [];
  let next = 0;
  let finished = 0;
  const runOne = async (): Promise<void> => {
    while (next < chosen.length) {
      const k = next++;
      const file = files[chosen[k]!]!;
      try {
        const r = await prepareDataset({
          ...opts,
          input: [file],
          outputPrefix: shardPrefix(opts.outputDir, file),
          workers,
          onProgress: opts.onProgress ? (e) => opts.onProgress!({ ...e, stage: `shard ${shardName(file)}` }) : undefined,
        });
        results[k] = r;
        finished++;
        opts.onShardDone?.(r, finished, chosen.length);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        failed.push({ shard: file, error: (e as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, runOne));
  const shards = results.filter(Boolean);
  return { shards, done: shards.filter((r) => !r.skipped).length, skipped: shards.filter((r) => r.skipped).length, failed };
}
