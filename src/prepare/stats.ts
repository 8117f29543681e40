/**
 * `P_stats.json` entries (spec §8.3), in the reference's key order: bytes, docs, the three
 * timings, then the packing counters in first-insertion order (none without packing).
 */
import { pyFloat, pyInt, type PyNum } from './pynum.js';
import type { PackCounters } from './pack.js';

export interface PrepareTimings {
  /** Seconds since start. */
  total: number;
  /** Seconds of startup (tokenizer load, pool start). */
  startup: number;
  /** Seconds of processing. */
  processing: number;
}

export function prepareStatsEntries(totalBytes: PyNum, totalDocs: number, t: PrepareTimings, counters?: PackCounters): [string, PyNum][] {
  const out: [string, PyNum][] = [
    ['total_bytes_processed', totalBytes],
    ['total_docs_processed', pyInt(totalDocs)],
    ['total_time', pyFloat(t.total)],
    ['total_time_startup', pyFloat(t.startup)],
    ['total_time_processing', pyFloat(t.processing)],
  ];
  if (counters) for (const [k, v] of counters) out.push([k, pyInt(v)]);
  return out;
}

/** Plain JS object of the stats (for `--json` summaries; floats lose their Python typing here). */
export function statsToObject(entries: Iterable<readonly [string, PyNum]>): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [k, v] of entries) o[k] = v.value;
  return o;
}
