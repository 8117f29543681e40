/**
 * The adapter contract and the resolved (defaults filled, compat applied) options every adapter
 * receives. An adapter lists its input units (files, tars) and yields items for one unit in input
 * order; an item may be a thunk so that image I/O starts only when the runtime schedules it (and
 * never for items skipped on resume).
 */
import type { IngestItem, IngestOptions } from './types.js';

export type ResolvedIngestOptions = Required<
  Pick<
    IngestOptions,
    | 'adapter' | 'input' | 'out' | 'seed' | 'workers' | 'concurrency' | 'role' | 'beforeRatio' | 'envelope' | 'jsonStyle'
    | 'contentStyle' | 'mimePolicy' | 'sortInputs' | 'validate' | 'compat' | 'force' | 'imageExts' | 'imageToken'
    | 'keepEmptyText' | 'layout' | 'labelTransform' | 'onMissingImage' | 'exclude' | 'include'
  >
> &
  Omit<IngestOptions, 'onProgress'>;

export type LazyItem = IngestItem | (() => Promise<IngestItem>);

export interface IngestAdapter {
  /** Input units when not plain files from `expandInputPatterns` (e.g. class folders). */
  units?(o: ResolvedIngestOptions): Promise<string[]>;
  /** Process-wide state built once (label maps, URL maps). Must be deterministic. */
  init?(o: ResolvedIngestOptions): Promise<unknown>;
  /** Items of one input unit, in input order. */
  read(unit: string, o: ResolvedIngestOptions, state: unknown): AsyncIterable<LazyItem>;
}

export function compatOn(o: { compat: string[] }, name: string): boolean {
  return o.compat.includes(name) || o.compat.includes('reference');
}
