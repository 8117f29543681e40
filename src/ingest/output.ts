/**
 * Output naming: the `{000}` shard placeholder, the base name used for the run-level files
 * (`<base>_errors.jsonl`, `<base>.stats.json`, `<base>_DONE`), per-shard side files, shard-size
 * parsing and the contiguous input split of the reference (`ceil(n / numShards)` files per shard).
 */
import { UsageError } from '../errors.js';

const PLACEHOLDER = /\{(0+)\}|\{shard(?::0?(\d+)d)?\}/;

export function hasShardPlaceholder(pattern: string): boolean {
  return PLACEHOLDER.test(pattern);
}

export function shardPath(pattern: string, index: number): string {
  const m = PLACEHOLDER.exec(pattern);
  if (!m) return pattern;
  const width = m[1] ? m[1].length : m[2] ? Number(m[2]) : 1;
  return pattern.slice(0, m.index) + String(index).padStart(width, '0') + pattern.slice(m.index + m[0].length);
}

/** `dir/name.shard_{000}.jsonl.lz4` → `dir/name`; `dir/out.jsonl.gz` → `dir/out`. */
export function outputBase(pattern: string): string {
  let s = pattern.replace(/(\.jsonl?|\.json)?(\.gz|\.lz4|\.zst)?$/, '');
  s = s.replace(/[._-]?shard[._-]?(\{0+\}|\{shard(?::0?\d+d)?\})/, '').replace(/[._-]?(\{0+\}|\{shard(?::0?\d+d)?\})/, '');
  return s;
}

export const sideFiles = {
  stats: (shard: string) => `${shard}.stats.json`,
  // no .jsonl suffix, so shard globs such as 'x.shard_*.jsonl*' never pick it up
  errors: (shard: string) => `${shard}.errors`,
  done: (shard: string) => `${shard}_DONE`,
  runErrors: (base: string) => `${base}_errors.jsonl`,
  runStats: (base: string) => `${base}.stats.json`,
  runDone: (base: string) => `${base}_DONE`,
};

export type ShardLimit = { docs: number } | { bytes: number };

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

export function parseShardSize(v: number | string): ShardLimit {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--shard-size must be a positive integer, got ${v}`);
    return { docs: v };
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
  if (!m) throw new UsageError(`--shard-size: expected documents (10000) or bytes (512MB), got '${v}'`);
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === '' || unit === 'docs' || unit === 'd') {
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--shard-size must be a positive integer, got '${v}'`);
    return { docs: n };
  }
  const mult = UNITS[unit];
  if (!mult) throw new UsageError(`--shard-size: unknown unit '${m[2]}' (use B, KB, MB, GB, KiB, MiB, GiB)`);
  return { bytes: Math.max(1, Math.round(n * mult)) };
}

/** Reference split: shard s gets files [s·k, min((s+1)·k, n)) with k = ceil(n / numShards). */
export function contiguousGroups<T>(items: T[], numShards: number): T[][] {
  const k = Math.ceil(items.length / numShards);
  const out: T[][] = [];
  for (let s = 0; s < numShards; s++) out.push(items.slice(s * k, Math.min((s + 1) * k, items.length)));
  return out;
}
