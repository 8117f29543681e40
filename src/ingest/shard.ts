/**
 * One output shard: streams adapter items through a bounded, order-preserving window of image
 * work, writes the chat JSONL (atomic rename by the line writer), the shard's quarantine file,
 * `<shard>.stats.json` and finally the `<shard>_DONE` marker. The same function runs in-process or
 * inside a worker thread; its output depends only on its inputs and options (never on timing).
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { SoloError } from '../errors.js';
import { createLineWriter, type LineWriter } from './deps.js';
import { finishDoc, ItemError, type FinishedDoc } from './image.js';
import { serializeLineParts } from './serialize.js';
import { openShardWriter, type LinePart, type ShardWriter } from './shard-writer.js';
import { sideFiles, type ShardLimit } from './output.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';
import type { IngestErrorRecord, IngestShardStats } from './types.js';

export interface ShardTask {
  /** Output pattern already resolved for `index`, or (rolling) computed per shard by `pathOf`. */
  index: number;
  units: string[];
  /** Global index of units[0] in the run's unit list (rolling cursors). */
  unitBase: number;
  fingerprint: string;
  /** Rolling mode only. */
  rolling?: { limit: ShardLimit; start: { unit: number; item: number }; pattern: string };
  path: string;
}

type Ready =
  | { kind: 'doc'; fin: FinishedDoc; counters?: Record<string, number>; unit: number; item: number }
  | { kind: 'error'; error: IngestErrorRecord; unit: number; item: number }
  | { kind: 'skip'; counter: string; unit: number; item: number };

async function resolveItem(raw: LazyItem, o: ResolvedIngestOptions, unit: number, item: number, file: string): Promise<Ready> {
  let where: { line?: number; member?: string; id?: string } = {};
  try {
    const it = typeof raw === 'function' ? await raw() : raw;
    if (it.kind === 'doc') {
      where = { ...it.where, ...(it.doc.id !== undefined ? { id: it.doc.id } : {}) };
      const fin = await finishDoc(it.doc, o);
      return { kind: 'doc', fin, counters: it.counters, unit, item };
    }
    if (it.kind === 'error') return { kind: 'error', error: it.error, unit, item };
    return { kind: 'skip', counter: it.counter, unit, item };
  } catch (e) {
    if (e instanceof ItemError) return { kind: 'error', error: { reason: e.reason, message: e.message, file, ...where, ...(e.member ? { member: e.member } : {}) }, unit, item };
    throw e;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  await fsp.writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await fsp.rename(tmp, path);
}

function emptyStats(path: string, index: number): IngestShardStats {
  return { shard: path, index, inputs: [], documents: 0, images: 0, imageBytes: 0, bytes: 0, errors: {}, errorCount: 0, mime: {}, counters: {} };
}

class OpenShard {
  readonly stats: IngestShardStats;
  private constructor(
    readonly path: string,
    index: number,
    private readonly fingerprint: string,
    private readonly out: ShardWriter,
    private readonly err: LineWriter,
  ) {
    this.stats = emptyStats(path, index);
  }
  static async open(path: string, index: number, fingerprint: string): Promise<OpenShard> {
    const out = await openShardWriter(path);
    const err = await createLineWriter(sideFiles.errors(path), { compression: 'auto' });
    return new OpenShard(path, index, fingerprint, out, err);
  }
  async doc(line: { parts: LinePart[]; bytes: number }, fin: FinishedDoc, counters?: Record<string, number>) {
    await this.out.write(line.parts);
    const s = this.stats;
    s.documents++;
    s.images += fin.images;
    s.imageBytes += fin.imageBytes;
    s.bytes += line.bytes + 1;
    for (const m of fin.mimes) s.mime[m] = (s.mime[m] ?? 0) + 1;
    for (const [k, v] of Object.entries(counters ?? {})) s.counters[k] = (s.counters[k] ?? 0) + v;
  }
  async error(e: IngestErrorRecord) {
    this.stats.errors[e.reason] = (this.stats.errors[e.reason] ?? 0) + 1;
    this.stats.errorCount++;
    await this.err.write(JSON.stringify({ shard: this.path, ...e }));
  }
  skip(counter: string) {
    this.stats.counters[counter] = (this.stats.counters[counter] ?? 0) + 1;
  }
  async close(inputs: string[], end?: { unit: number; item: number }) {
    await this.out.close();
    await this.err.close();
    this.stats.inputs = inputs;
    if (end) this.stats.end = end;
    await writeJsonAtomic(sideFiles.stats(this.path), { ...this.stats, fingerprint: this.fingerprint });
    await fsp.writeFile(sideFiles.done(this.path), '');
  }
  async abort() {
    await this.out.abort();
    await this.err.abort();
  }
}

export interface ShardProgress {
  (delta: { documents: number; errors: number; unitsDone: number; unitBytes: number }): void;
}

/**
 * Process one task. Fixed mode: all units into `task.path`. Rolling mode: start at
 * `rolling.start`, roll over at the limit, return the stats of every shard written.
 */
export async function runShardTask(
  task: ShardTask,
  o: ResolvedIngestOptions,
  adapter: IngestAdapter,
  state: unknown,
  onUnit?: ShardProgress,
  shardPathOf?: (i: number) => string,
): Promise<IngestShardStats[]> {
  const done: IngestShardStats[] = [];
  let index = task.index;
  await fsp.mkdir(dirname(task.path), { recursive: true });
  let cur = await OpenShard.open(task.path, index, task.fingerprint);
  let inputs = new Set<string>();
  const limit = task.rolling?.limit;
  const start = task.rolling?.start ?? { unit: 0, item: 0 };
  const window: Promise<Ready>[] = [];
  let errorsSoFar = 0;
  const maxErrors = o.maxErrors;

  const consume = async (r: Ready): Promise<void> => {
    if (r.kind === 'doc') {
      let line: ReturnType<typeof serializeLineParts>;
      try {
        line = serializeLineParts(r.fin.id, r.fin.messages, o.envelope, o.jsonStyle);
      } catch (e) {
        // e.g. a two-turn conversation asked for as a single-message envelope
        return consume({ kind: 'error', error: { reason: 'envelope-mismatch', message: (e as Error).message, file: task.units[r.unit - task.unitBase]!, ...(r.fin.id !== undefined ? { id: r.fin.id } : {}) }, unit: r.unit, item: r.item });
      }
      if (limit && cur.stats.documents > 0) {
        const full = 'docs' in limit ? cur.stats.documents >= limit.docs : cur.stats.bytes + line.bytes + 1 > limit.bytes;
        if (full) {
          await cur.close([...inputs], { unit: r.unit, item: r.item });
          done.push(cur.stats);
          inputs = new Set();
          index++;
          const p = shardPathOf!(index);
          cur = await OpenShard.open(p, index, task.fingerprint);
        }
      }
      inputs.add(task.units[r.unit - task.unitBase]!);
      await cur.doc(line, r.fin, r.counters);
    } else if (r.kind === 'error') {
      await cur.error(r.error);
      errorsSoFar++;
      if (maxErrors !== undefined && errorsSoFar > maxErrors)
        throw new SoloError(`more than ${maxErrors} records quarantined (--max-errors); last: ${r.error.reason} in ${r.error.file}`);
    } else cur.skip(r.counter);
  };

  // progress: deltas every 256 consumed items and at the end of each unit
  let repDocs = 0;
  let repErrors = 0;
  let pending = 0;
  const totalDocs = () => cur.stats.documents + done.reduce((a, s) => a + s.documents, 0);
  const flushProgress = (unitBytes: number, unitsDone: number) => {
    if (!onUnit) return;
    const d = totalDocs();
    onUnit({ documents: d - repDocs, errors: errorsSoFar - repErrors, unitsDone, unitBytes });
    repDocs = d;
    repErrors = errorsSoFar;
    pending = 0;
  };
  const take = async () => {
    await consume(await window.shift()!);
    if (++pending >= 256) flushProgress(0, 0);
  };
  try {
    for (let u = 0; u < task.units.length; u++) {
      const g = task.unitBase + u;
      if (g < start.unit) continue;
      const unit = task.units[u]!;
      let item = 0;
      for await (const raw of adapter.read(unit, o, state)) {
        const i = item++;
        if (g === start.unit && i < start.item) continue;
        window.push(resolveItem(raw, o, g, i, unit));
        if (window.length >= o.concurrency) await take();
      }
      while (window.length) await take();
      inputs.add(unit);
      if (onUnit) {
        let bytes = 0;
        try {
          bytes = (await fsp.stat(unit)).size;
        } catch {
          /* unit may be virtual */
        }
        flushProgress(bytes, 1);
      }
    }
    await cur.close([...inputs], task.rolling ? { unit: task.unitBase + task.units.length, item: 0 } : undefined);
    done.push(cur.stats);
    return done;
  } catch (e) {
    await Promise.allSettled(window);
    await cur.abort();
    throw e;
  }
}
