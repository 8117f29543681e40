/**
 * `ingest(opts)`: the dispatcher. Resolves presets and defaults, lists the input units, plans the
 * output shards, skips finished ones, runs the rest (worker threads for fixed shards when the
 * compiled worker exists, otherwise in-process), then writes the run-level quarantine file,
 * summed stats and `<base>_DONE` once every shard is complete.
 *
 * Two shard plans:
 * - fixed (`numShards`): inputs split contiguously as the reference does; each shard is
 *   independent, so `shardIndex` processes exactly one (a Slurm array task) idempotently;
 * - rolling (`shardSize`): one ordered stream cut every N documents or bytes; a rerun resumes after
 *   the last finished shard using the input cursor stored in its stats.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SoloError, UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { createLineWriter, expandInputPatterns } from './deps.js';
import { contiguousGroups, hasShardPlaceholder, outputBase, parseShardSize, shardPath, sideFiles } from './output.js';
import { getAdapter } from './registry.js';
import { runShardTask, writeJsonAtomic, type ShardTask } from './shard.js';
import { applyPreset } from './presets.js';
import { compatOn, type ResolvedIngestOptions } from './adapter.js';
import { INGEST_COMPAT_SWITCHES, type IngestOptions, type IngestShardStats, type IngestSummary } from './types.js';

const KNOWN_COMPAT = [...Object.keys(INGEST_COMPAT_SWITCHES), 'reference'];

export function resolveIngestOptions(opts: IngestOptions): ResolvedIngestOptions {
  const p = applyPreset(opts);
  for (const c of p.compat ?? []) if (!KNOWN_COMPAT.includes(c)) throw new UsageError(`unknown --compat switch '${c}' (known: ${KNOWN_COMPAT.join(', ')})`);
  const r: ResolvedIngestOptions = {
    ...p,
    seed: p.seed ?? 42,
    workers: Math.max(1, p.workers ?? 1),
    concurrency: Math.max(1, p.concurrency ?? 16),
    role: p.role ?? 'assistant',
    beforeRatio: p.beforeRatio ?? 1,
    envelope: p.envelope ?? 'conversations',
    jsonStyle: p.jsonStyle ?? 'compact',
    contentStyle: p.contentStyle ?? 'parts',
    mimePolicy: p.mimePolicy ?? 'sniff',
    sortInputs: p.sortInputs ?? true,
    validate: p.validate ?? 'header',
    compat: p.compat ?? [],
    force: p.force ?? false,
    imageExts: p.imageExts ?? ['jpg', 'jpeg', 'png', 'webp'],
    imageToken: p.imageToken ?? '<image>',
    keepEmptyText: p.keepEmptyText ?? false,
    layout: p.layout ?? 'assistant',
    labelTransform: p.labelTransform ?? ['underscore', 'hyphen'],
    onMissingImage: p.onMissingImage ?? 'drop-document',
    exclude: p.exclude ?? [],
    include: p.include ?? [],
  };
  if (compatOn(r, 'jpeg-mime')) r.mimePolicy = 'jpeg-compat';
  if (r.beforeRatio < 0 || r.beforeRatio > 1) throw new UsageError(`--before-ratio must be in [0,1], got ${r.beforeRatio}`);
  if (!r.input.length) throw new UsageError('no --input given');
  if (!r.out) throw new UsageError('no --out given');
  return r;
}

/** Options that change the output bytes (and so invalidate finished shards when they change). */
function fingerprint(o: ResolvedIngestOptions, units: string[]): string {
  // the expanded units stand for --input (a glob and its expansion are the same run)
  const { workers, concurrency, force, shardIndex, workerScript, maxErrors, preset, out, input, ...rest } = o;
  void workers, concurrency, force, shardIndex, workerScript, maxErrors, preset, out, input;
  return createHash('sha1').update(JSON.stringify({ rest, units })).digest('hex').slice(0, 16);
}

async function readDone(path: string, fp: string): Promise<IngestShardStats | undefined> {
  if (!existsSync(sideFiles.done(path))) return undefined;
  try {
    const s = JSON.parse(await fsp.readFile(sideFiles.stats(path), 'utf8')) as IngestShardStats & { fingerprint?: string };
    return s.fingerprint === fp ? s : undefined;
  } catch {
    return undefined;
  }
}

function sumStats(all: IngestShardStats[]) {
  const t = { documents: 0, images: 0, imageBytes: 0, bytes: 0, errorCount: 0, errors: {} as Record<string, number>, counters: {} as Record<string, number>, mime: {} as Record<string, number> };
  for (const s of all) {
    t.documents += s.documents;
    t.images += s.images;
    t.imageBytes += s.imageBytes;
    t.bytes += s.bytes;
    t.errorCount += s.errorCount;
    for (const [k, v] of Object.entries(s.errors)) t.errors[k] = (t.errors[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.counters)) t.counters[k] = (t.counters[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.mime)) t.mime[k] = (t.mime[k] ?? 0) + v;
  }
  return t;
}

function compiledWorker(o: ResolvedIngestOptions): string | undefined {
  if (o.workerScript) return o.workerScript;
  const p = fileURLToPath(new URL('./worker.js', import.meta.url));
  return existsSync(p) ? p : undefined;
}

async function listUnits(o: ResolvedIngestOptions): Promise<string[]> {
  const adapter = getAdapter(o.adapter);
  const units = adapter.units ? await adapter.units(o) : [...(await expandInputPatterns(o.input))];
  if (o.sortInputs) units.sort();
  return units;
}

export async function ingest(opts: IngestOptions): Promise<IngestSummary> {
  const onProgress: ProgressFn = opts.onProgress ?? (() => {});
  const o = resolveIngestOptions(opts);
  const adapter = getAdapter(o.adapter);
  const units = await listUnits(o);
  if (!units.length) throw new UsageError(`no input matched ${o.input.join(' ')}`);
  const fp = fingerprint(o, units);
  const pattern = o.out;
  const sharded = hasShardPlaceholder(pattern);
  const base = outputBase(pattern);
  if (!sharded && o.numShards !== undefined && o.numShards > 1) throw new UsageError(`--num-shards ${o.numShards} needs a {000} placeholder in --out`);
  if (!sharded && o.shardSize !== undefined) throw new UsageError('--shard-size needs a {000} placeholder in --out');
  if (o.numShards !== undefined && o.shardSize !== undefined) throw new UsageError('use either --num-shards (fixed shards) or --shard-size (rolling shards), not both');
  if (o.numShards !== undefined && (!Number.isInteger(o.numShards) || o.numShards < 1)) throw new UsageError('--num-shards must be a positive integer');

  let totalBytes = 0;
  for (const u of units) totalBytes += (await fsp.stat(u)).size;
  const prog = { documents: 0, errors: 0, bytes: 0 };
  const report = (detail?: string) =>
    onProgress({ stage: 'ingest', done: prog.documents, unit: 'docs', bytes: prog.bytes, totalBytes, errors: prog.errors, detail });
  const onUnit = (d: { documents: number; errors: number; unitBytes: number }) => {
    prog.documents += d.documents;
    prog.errors += d.errors;
    prog.bytes += d.unitBytes;
    report();
  };

  let state: unknown;
  const getState = async () => (state ??= adapter.init ? await adapter.init(o) : null);
  const all: IngestShardStats[] = [];
  let written = 0;
  let skipped = 0;
  let complete = true;

  if (o.numShards !== undefined || !sharded) {
    // fixed plan
    const n = o.numShards ?? 1;
    const groups = contiguousGroups(units, n);
    const starts: number[] = [];
    let acc = 0;
    for (const g of groups) starts.push(acc), (acc += g.length);
    const wanted = o.shardIndex === undefined ? groups.map((_, i) => i) : [o.shardIndex].flat();
    for (const i of wanted) if (!Number.isInteger(i) || i < 0 || i >= n) throw new UsageError(`--shard-index ${i} out of range 0..${n - 1}`);
    const todo: ShardTask[] = [];
    for (let i = 0; i < n; i++) {
      const path = shardPath(pattern, i);
      const prev = o.force ? undefined : await readDone(path, fp);
      if (prev) {
        all[i] = prev;
        if (wanted.includes(i)) skipped++;
        continue;
      }
      if (!wanted.includes(i)) {
        complete = false;
        continue;
      }
      todo.push({ index: i, units: groups[i]!, unitBase: starts[i]!, fingerprint: fp, path });
    }
    const script = o.workers > 1 && todo.length > 1 ? compiledWorker(o) : undefined;
    if (script) {
      const { Piscina } = await import('piscina');
      const pool = new Piscina({ filename: script, maxThreads: Math.min(o.workers, todo.length), minThreads: 1 });
      const { onProgress: _drop, ...plain } = opts;
      void _drop;
      try {
        await Promise.all(
          todo.map(async (t) => {
            const res = (await pool.run({ task: t, options: { ...plain } })) as IngestShardStats[];
            all[t.index] = res[0]!;
            written++;
            const bytes = await Promise.all(t.units.map(async (u) => (await fsp.stat(u)).size));
            onUnit({ documents: res[0]!.documents, errors: res[0]!.errorCount, unitBytes: bytes.reduce((a, b) => a + b, 0) });
          }),
        );
      } finally {
        await pool.destroy();
      }
    } else {
      const st = await getState();
      let next = 0;
      const lanes = Array.from({ length: Math.min(o.workers, todo.length) }, async () => {
        while (next < todo.length) {
          const t = todo[next++]!;
          const res = await runShardTask(t, o, adapter, st, onUnit);
          all[t.index] = res[0]!;
          written++;
        }
      });
      await Promise.all(lanes);
    }
    if (!complete) {
      // One shard of several (a Slurm array task): the other tasks may have finished meanwhile.
      // Each task writes its own marker before this check, so the last to finish sees them all
      // and writes the run-level stats and `<base>_DONE`.
      complete = true;
      for (let i = 0; i < n; i++) {
        if (all[i]) continue;
        const prev = await readDone(shardPath(pattern, i), fp);
        if (prev) all[i] = prev;
        else complete = false;
      }
    }
  } else {
    // rolling plan
    const limit = parseShardSize(o.shardSize ?? 10000);
    let k = 0;
    let start = { unit: 0, item: 0 };
    if (!o.force) {
      for (;;) {
        const prev = await readDone(shardPath(pattern, k), fp);
        if (!prev || !prev.end) break;
        all[k] = prev;
        start = prev.end;
        k++;
        skipped++;
        if (start.unit >= units.length) break;
      }
    }
    if (!(k > 0 && start.unit >= units.length)) {
      const res = await runShardTask(
        { index: k, units, unitBase: 0, fingerprint: fp, path: shardPath(pattern, k), rolling: { limit, start, pattern } },
        o,
        adapter,
        await getState(),
        onUnit,
        (i) => shardPath(pattern, i),
      );
      for (const s of res) all[s.index] = s;
      written += res.length;
    }
    // shards left over from an earlier run that cut the stream differently
    for (let i = all.length; ; i++) {
      const p = shardPath(pattern, i);
      const side = [p, sideFiles.stats(p), sideFiles.errors(p), sideFiles.done(p)];
      if (!side.some((f) => existsSync(f))) break;
      for (const f of side) await fsp.rm(f, { force: true });
    }
  }

  const shards = all.filter((s): s is IngestShardStats => !!s);
  const totals = sumStats(shards);
  if (complete) {
    const w = await createLineWriter(sideFiles.runErrors(base), { compression: 'auto' });
    for (const s of shards) {
      const f = sideFiles.errors(s.shard);
      if (!existsSync(f)) continue;
      const text = await fsp.readFile(f, 'utf8');
      for (const line of text.split('\n')) if (line) await w.write(line);
    }
    await w.close();
    await writeJsonAtomic(sideFiles.runStats(base), { adapter: o.adapter, preset: o.preset, shards: shards.length, ...totals, shardFiles: shards.map((s) => s.shard) });
    await fsp.writeFile(sideFiles.runDone(base), '');
  }
  report('done');
  if (o.maxErrors !== undefined && totals.errorCount > o.maxErrors)
    throw new SoloError(`${totals.errorCount} records quarantined, more than --max-errors ${o.maxErrors} (see ${sideFiles.runErrors(base)})`);
  return {
    adapter: o.adapter,
    preset: o.preset,
    shards: shards.length,
    shardsWritten: written,
    shardsSkipped: skipped,
    documents: totals.documents,
    images: totals.images,
    imageBytes: totals.imageBytes,
    bytes: totals.bytes,
    errors: totals.errors,
    errorCount: totals.errorCount,
    counters: totals.counters,
    errorsFile: sideFiles.runErrors(base),
    statsFile: sideFiles.runStats(base),
    outputs: shards.map((s) => s.shard),
  };
}
