/**
 * `solo ingest … --num-shards N --slurm`: one Slurm array task per fixed output shard. Each task
 * runs the same ingest command with `--shard-index i` (the adapter's fixed-shard mode: inputs are
 * split contiguously, so shard i depends on nothing else); `<shard>_DONE` marks it done. Rolling
 * shards (`--shard-size`) are sequential by nature and cannot be split this way.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { shardPath } from '../ingest/output.js';
import type { SlurmSettings } from './manifest.js';
import type { SubmitArrayResult } from './submit.js';
import { submitShardArray } from './submit.js';

export interface IngestArrayOptions {
  /** The ingest argv after `solo` (adapter and flags), without any Slurm flags or --shard-index. */
  argv: string[];
  /** Output pattern (with `{000}`), as given by --out. */
  out: string;
  numShards: number;
  /** Input files, for the manifest's record of what each task reads (optional). */
  inputs?: string[];
  slurm: SlurmSettings;
  dryRun?: boolean;
  stateDir?: string;
  solo?: string[];
}

export async function submitIngestArray(opts: IngestArrayOptions): Promise<SubmitArrayResult> {
  if (!Number.isInteger(opts.numShards) || opts.numShards < 1) throw new UsageError('--slurm needs --num-shards N (fixed shards): one array task per output shard');
  if (opts.argv.includes('--force')) throw new UsageError('--force with --slurm is not supported: delete the _DONE markers of the shards to redo, then submit again');
  const out = resolve(opts.out);
  const tasks = Array.from({ length: opts.numShards }, (_, i) => {
    const shard = shardPath(out, i);
    return { input: opts.inputs ? `${opts.inputs.length} input(s), group ${i}` : `group ${i}`, output: shard, doneMarker: `${shard}_DONE`, argv: [...opts.argv, '--shard-index', String(i)] };
  });
  return submitShardArray({ kind: 'ingest', tasks, stateDir: opts.stateDir ?? resolve(out, '..', '.solo-slurm'), settings: opts.slurm, solo: opts.solo, dryRun: opts.dryRun });
}

/**
 * Remove Slurm flags (and their values) from a raw argv, so it can be replayed per task.
 * `valued` are flags that take values (variadic ones consume until the next `-` word).
 */
export function stripFlags(argv: string[], flags: { bool: string[]; valued: string[]; variadic: string[] }): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const name = w.includes('=') ? w.slice(0, w.indexOf('=')) : w;
    if (flags.bool.includes(name)) continue;
    if (flags.valued.includes(name)) {
      if (!w.includes('=')) i++;
      continue;
    }
    if (flags.variadic.includes(name)) {
      if (!w.includes('=')) while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    out.push(w);
  }
  return out;
}
