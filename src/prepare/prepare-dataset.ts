/**
 * `prepareDataset`: chat JSONL files → one Megatron multimodal dataset prefix, byte-identical to
 * Megatron-LLM's tools/preprocess_multimodal_data.py (spec/megatron-dataset.md).
 *
 * Lines are read in order, encoded by a worker pool (bounded in-flight window, results consumed
 * in input order, so output does not depend on the worker count), packed, and written under
 * temporary names; `P_DONE` appears only after everything is renamed into place.
 */
import { mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, normalize } from 'node:path';
import { SoloError, UsageError } from '../errors.js';
import { readLines } from '../formats/jsonl/read-lines.js';
import { detectCompression } from '../formats/jsonl/compression.js';
import { noProgress, type ProgressFn } from '../progress.js';
import { isPrefixDone, PrepareOutput, prepareOutputPaths } from './output.js';
import { docToItem, Packer, type PackCounters } from './pack.js';
import { createEncodePool, type EncodeTask } from './pool.js';
import { prepareStatsEntries, statsToObject } from './stats.js';
import { ErrorLog } from './error-log.js';
import { lockPrefix } from './lock.js';
import type { DocResult } from './types.js';

/** `--compat` switches of `solo prepare` (each restores one reference behaviour). */
export const PREPARE_COMPAT_SWITCHES = ['pack-exact-length', 'reject-messages'] as const;
export type PrepareCompatSwitch = (typeof PREPARE_COMPAT_SWITCHES)[number] | 'reference';

export interface PrepareDatasetOptions {
  /** Input JSONL files (plain, or `.gz`/`.lz4` chosen by substring like the reference), read in order. */
  input: string[];
  /** Output prefix P (`P-text.bin`, …, `P_DONE`). Its directory is created if missing. */
  outputPrefix: string;
  /** SentencePiece `tokenizer.model` (the SOLO-extended Mistral model). */
  tokenizer: string;
  /** `--do_pretrain`: no chat wrapper tokens. */
  pretrain?: boolean;
  /** `--do_packing`. */
  pack?: boolean;
  /** `--max_seq_length` (default 4096, as the reference). */
  maxSeqLength?: number;
  /** Encoding threads (default: available cores). 1 = in the calling thread. */
  workers?: number;
  /** Redo a prefix whose `_DONE` exists. */
  force?: boolean;
  /** Abort (no outputs) once more than this many lines were skipped. Default unlimited. */
  maxErrors?: number;
  /**
   * The reference's debug cap `--target_size`: stop when the N-th item is pulled, so N − 1 items
   * are written (its off-by-one, spec §8.1). 0/undefined = no cap.
   */
  targetSize?: number;
  /** Reference behaviours to restore; `reference` turns all of them on. */
  compat?: readonly PrepareCompatSwitch[];
  onProgress?: ProgressFn;
  /** Warnings (e.g. the first skipped lines). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PrepareDatasetResult {
  prefix: string;
  /** True when `_DONE` existed and nothing was done. */
  skipped: boolean;
  /** `P_stats.json` values (timings included). */
  stats: Record<string, number>;
  items: number;
  docs: number;
  errors: number;
  images: number;
  tokens: number;
  patches: number;
  inputBytes: number;
  outputBytes: number;
  seconds: number;
  /** Encoding threads used (0 = the calling thread). */
  threads: number;
  /** `P_errors.jsonl` when lines were skipped. */
  errorsFile?: string;
}

/** Expand `reference` into every switch. */
export function resolvePrepareCompat(compat: readonly string[] = []): Set<(typeof PREPARE_COMPAT_SWITCHES)[number]> {
  const out = new Set<(typeof PREPARE_COMPAT_SWITCHES)[number]>();
  for (const c of compat) {
    if (c === 'reference') PREPARE_COMPAT_SWITCHES.forEach((s) => out.add(s));
    else if ((PREPARE_COMPAT_SWITCHES as readonly string[]).includes(c)) out.add(c as (typeof PREPARE_COMPAT_SWITCHES)[number]);
    else throw new UsageError(`unknown --compat switch '${c}' (known: ${[...PREPARE_COMPAT_SWITCHES, 'reference'].join(', ')})`);
  }
  return out;
}

/** pathlib-style normalisation of the prefix (redundant `/` and `.` removed, no trailing `/`). */
export function normalizePrefix(p: string): string {
  let n = normalize(p);
  while (n.length > 1 && n.endsWith('/')) n = n.slice(0, -1);
  return n;
}

export async function prepareDataset(opts: PrepareDatasetOptions): Promise<PrepareDatasetResult> {
  const t0 = performance.now();
  if (!opts.input?.length) throw new UsageError('no input files');
  if (!opts.outputPrefix) throw new UsageError('no output prefix');
  const prefix = normalizePrefix(opts.outputPrefix);
  const compat = resolvePrepareCompat(opts.compat);
  const pack = !!opts.pack;
  const M = opts.maxSeqLength ?? 4096;
  if (pack && (!Number.isInteger(M) || M < 1)) throw new UsageError(`--max-seq-length must be a positive integer, got ${M}`);
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const maxErrors = opts.maxErrors ?? Infinity;
  const progress = opts.onProgress ?? noProgress;
  const empty = (): PrepareDatasetResult => ({ prefix, skipped: true, stats: {}, items: 0, docs: 0, errors: 0, images: 0, tokens: 0, patches: 0, inputBytes: 0, outputBytes: 0, seconds: 0, threads: 0 });

  if (!opts.force && isPrefixDone(prefix)) return empty();
  let totalInputBytes = 0;
  for (const f of opts.input) {
    try {
      totalInputBytes += statSync(f).size;
    } catch {
      throw new UsageError(`input not found: ${f}`);
    }
  }
  try {
    if (!statSync(opts.tokenizer).isFile()) throw new Error('not a file');
  } catch (e) {
    throw new UsageError(`cannot read tokenizer ${opts.tokenizer}: ${(e as Error).message}`);
  }
  mkdirSync(dirname(prefix), { recursive: true });
  const lock = lockPrefix(prefix);
  // Another run may have finished this prefix while we waited for nothing: check again under the lock.
  if (!opts.force && isPrefixDone(prefix)) {
    lock.release();
    return empty();
  }

  let created: Awaited<ReturnType<typeof createEncodePool>>;
  try {
    created = await createEncodePool(
      { tokenizerPath: opts.tokenizer, pretrain: !!opts.pretrain, rejectMessages: compat.has('reject-messages') },
      workers,
    );
  } catch (e) {
    lock.release();
    throw e;
  }
  const { pool, tokenizer } = created;
  const tStartup = performance.now();
  let out: PrepareOutput;
  let errLog: ErrorLog;
  try {
    out = new PrepareOutput(prefix, tokenizer.vocabSize);
    errLog = new ErrorLog(prepareOutputPaths(prefix).errors);
  } catch (e) {
    await pool.close();
    lock.release();
    throw e;
  }
  const targetSize = opts.targetSize ?? 0;
  /** Items pulled from the item stream (packs, or lines without packing), as the reference counts them. */
  let pulled = 0;
  let stopped = false;
  let frozenCounters: PackCounters | undefined;
  const packer: Packer | undefined = pack
    ? new Packer({ maxSeqLength: M, bosId: tokenizer.bosId, bosSize: [...tokenizer.bosPiece].length, compatExactLength: compat.has('pack-exact-length') }, (it) => {
        if (stopped) return;
        pulled++;
        if (targetSize && pulled >= targetSize) {
          // The reference's generator is suspended at this yield and never resumed.
          stopped = true;
          frozenCounters = new Map(packer!.counters);
          return;
        }
        out.write(it);
      })
    : undefined;

  let lines = 0;
  let docs = 0;
  let errors = 0;
  let images = 0;
  let inputBytes = 0;
  let lastProgress = 0;
  const report = (force = false) => {
    const now = performance.now();
    if (!force && now - lastProgress < 250) return;
    lastProgress = now;
    const sec = (now - tStartup) / 1000;
    progress({
      stage: 'prepare',
      done: lines,
      unit: 'docs',
      bytes: inputBytes,
      totalBytes: totalInputBytes,
      errors,
      detail: `${images} images (${sec > 0 ? (images / sec).toFixed(1) : '0'}/s), ${out.items} items, ${(out.binBytes / 1e6).toFixed(0)} MB out`,
    });
  };

  /** Fatal stop the reference also makes: datasets finalized with what was written, no stats, no DONE. */
  const failPartial = (msg: string): never => {
    out.commitPartial();
    errLog.commit();
    throw new SoloError(`${msg} (outputs finalized with ${out.items} item(s); no ${prefix}_stats.json, no ${prefix}_DONE)`);
  };

  const consume = ({ r, file, line }: { r: DocResult; file: string; line: number }) => {
    if (stopped) return;
    if (!packer) {
      pulled++;
      if (targetSize && pulled >= targetSize) {
        stopped = true;
        return;
      }
    }
    lines++;
    if (r.kind === 'error') {
      errors++;
      errLog.add(r);
      if (errors <= 5) opts.onWarning?.(`skipped ${r.file ?? '?'}:${r.line ?? '?'}: ${r.reason}: ${r.message}`);
      if (errors > maxErrors) throw new SoloError(`too many skipped lines (${errors} > --max-errors ${maxErrors}); last: ${r.file}:${r.line}: ${r.message}`);
      packer?.push(r);
      return;
    }
    docs++;
    images += r.nImages;
    if (packer) packer.push(r);
    else {
      if (r.tokens.length === 0) failPartial(`${file}:${line}: empty document in no-pack mode (the reference stops here with exit 1)`);
      out.write(docToItem(r));
    }
    report();
  };

  const window = Math.max(4, workers * 4);
  const inflight: Promise<{ r: DocResult; file: string; line: number }>[] = [];
  let ok = false;
  try {
    let compressedBase = 0;
    readLoop: for (const file of opts.input) {
      // The reference's substring rule (.gz, then .lz4, else plain text); .zst, which the reference
      // cannot read at all, is decompressed too (byte sizes, like the other compressed inputs).
      let compression = detectCompression(file, 'reference');
      if (compression === 'none' && detectCompression(file) === 'zstd') compression = 'zstd';
      const binary = compression !== 'none';
      for await (const l of readLines(file, {
        compression,
        newlines: binary ? 'lf' : 'universal',
        bom: 'keep',
        signal: opts.signal,
        onBytes: (n) => (inputBytes = compressedBase + n),
      })) {
        if (!binary && l.invalidUtf8) {
          // Python's text-mode read raises in the main process: the run stops.
          while (inflight.length) consume(await inflight.shift()!);
          failPartial(`${file}:${l.line}: invalid UTF-8 in a plain-text input (the reference aborts here)`);
        }
        const task: EncodeTask = { text: l.text, byteLength: l.byteLength, terminator: l.terminator, file, line: l.line, offset: l.offset, binary };
        if (l.invalidUtf8) task.invalidUtf8 = true;
        const ln = l.line;
        inflight.push(pool.encode(task).then((r) => ({ r, file, line: ln })));
        if (inflight.length >= window) consume(await inflight.shift()!);
        if (stopped) break readLoop;
      }
      compressedBase = inputBytes = compressedBase + statSync(file).size;
    }
    while (inflight.length && !stopped) consume(await inflight.shift()!);
    await Promise.allSettled(inflight.splice(0));
    if (!stopped) packer?.finish();
    const tEnd = performance.now();
    if (pulled === 0) failPartial('no items to write (the reference crashes on an empty result)');
    const stats = prepareStatsEntries(out.totalBytes, pulled, { total: (tEnd - t0) / 1000, startup: (tStartup - t0) / 1000, processing: (tEnd - tStartup) / 1000 }, stopped ? frozenCounters : packer?.counters);
    errLog.commit();
    out.commit(stats);
    ok = true;
    report(true);
    return {
      prefix,
      skipped: false,
      stats: statsToObject(stats),
      items: out.items,
      docs,
      errors,
      images,
      tokens: out.tokens,
      patches: out.patches,
      inputBytes,
      outputBytes: out.binBytes,
      seconds: (performance.now() - t0) / 1000,
      threads: pool.threads,
      errorsFile: errors ? errLog.path : undefined,
    };
  } catch (e) {
    if (!ok) {
      out.abort();
      errLog.abort();
    }
    await Promise.allSettled(inflight);
    throw e;
  } finally {
    await pool.close();
    lock.release();
  }
}
