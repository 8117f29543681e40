/**
 * Parse the fork's training log (megatron/training.py `training_log`): one line per logged
 * iteration, `| key: value |` fields (consumed samples, elapsed ms, rate (tokens/sec), learning
 * rate, global batch size, every loss such as `lm loss` / `img lm loss` / `txt lm loss`, loss scale,
 * grad norm, skipped and nan iteration counts), plus checkpoint saves and Python tracebacks (the
 * fork catches exceptions in the loop, prints them and exits 0). Tolerates torchrun `--tee`
 * prefixes such as `[default0]:`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface TrainLogPoint {
  iteration: number;
  trainIters: number;
  consumedSamples?: number;
  elapsedMs?: number;
  tokensPerSec?: number;
  lr?: number;
  globalBatchSize?: number;
  /** Every `… loss` field, e.g. `lm loss`, `img lm loss`, `txt lm loss`. */
  losses: Record<string, number>;
  lossScale?: number;
  gradNorm?: number;
  numZeros?: number;
  paramsNorm?: number;
  skipped: number;
  nan: number;
  /** 1-based line number in the log. */
  line: number;
}

export interface TrainLogCrash {
  line: number;
  /** The last line of the traceback (`ValueError: …`). */
  error: string;
  traceback: string[];
  /** Last logged iteration before the crash. */
  afterIteration?: number;
}

export interface TrainLog {
  points: TrainLogPoint[];
  crashes: TrainLogCrash[];
  saves: number[];
  /** Iterations whose line reported skipped > 0 (log interval 1: exact iterations). */
  skippedIterations: number[];
  skippedTotal: number;
  nanTotal: number;
  lossKeys: string[];
  lastIteration?: number;
  trainIters?: number;
}

const PREFIX = /^(\[[^\]]*\]:?\s?)+/;
const ITER = /iteration\s+(\d+)\s*\/\s*(\d+)\s*\|(.*)$/;
const SAVED = /saved checkpoint (?:at|from) iteration\s+(\d+)/;

function num(s: string): number | undefined {
  const v = Number(s.trim());
  return Number.isFinite(v) ? v : undefined;
}

/** Parse one `training_log` line; undefined for other lines. */
export function parseIterationLine(raw: string, lineNo = 0): TrainLogPoint | undefined {
  const line = raw.replace(PREFIX, '');
  const m = ITER.exec(line);
  if (!m || /validation|test loss/.test(line.slice(0, m.index))) return undefined;
  const p: TrainLogPoint = { iteration: Number(m[1]), trainIters: Number(m[2]), losses: {}, skipped: 0, nan: 0, line: lineNo };
  for (const field of m[3]!.split('|')) {
    const c = field.lastIndexOf(':');
    if (c < 0) continue;
    const key = field.slice(0, c).trim();
    const v = num(field.slice(c + 1));
    if (v === undefined) continue;
    if (key === 'consumed samples') p.consumedSamples = v;
    else if (key === 'elapsed time per iteration (ms)') p.elapsedMs = v;
    else if (key === 'rate (tokens/sec)') p.tokensPerSec = v;
    else if (key === 'learning rate') p.lr = v;
    else if (key === 'global batch size') p.globalBatchSize = v;
    else if (key === 'loss scale') p.lossScale = v;
    else if (key === 'grad norm') p.gradNorm = v;
    else if (key === 'num zeros') p.numZeros = v;
    else if (key === 'params norm') p.paramsNorm = v;
    else if (key === 'number of skipped iterations') p.skipped = v;
    else if (key === 'number of nan iterations') p.nan = v;
    else if (/loss/.test(key)) p.losses[key] = v;
  }
  return p;
}

export function parseTrainLogLines(lines: Iterable<string>): TrainLog {
  const log: TrainLog = { points: [], crashes: [], saves: [], skippedIterations: [], skippedTotal: 0, nanTotal: 0, lossKeys: [] };
  const keys = new Set<string>();
  let tb: TrainLogCrash | undefined;
  let n = 0;
  for (const raw of lines) {
    n++;
    const line = raw.replace(PREFIX, '').replace(/\r$/, '');
    if (tb) {
      if (line.trim() === '' && tb.traceback.length === 1) continue;
      tb.traceback.push(line);
      // the traceback ends at the first non-indented line after the frames: `SomeError: message`
      if (!/^\s/.test(line) && !line.startsWith('Traceback') && !/^During handling|^The above exception/.test(line) && line.trim() !== '') {
        tb.error = line.trim();
        log.crashes.push(tb);
        tb = undefined;
      } else if (tb.traceback.length > 500) {
        log.crashes.push(tb);
        tb = undefined;
      }
      continue;
    }
    if (line.includes('Traceback (most recent call last):')) {
      tb = { line: n, error: '', traceback: [line.trim()], afterIteration: log.lastIteration };
      continue;
    }
    const p = parseIterationLine(raw, n);
    if (p) {
      log.points.push(p);
      for (const k of Object.keys(p.losses)) keys.add(k);
      log.skippedTotal += p.skipped;
      log.nanTotal += p.nan;
      if (p.skipped > 0) log.skippedIterations.push(p.iteration);
      log.lastIteration = p.iteration;
      log.trainIters = p.trainIters;
      continue;
    }
    const s = SAVED.exec(line);
    if (s) log.saves.push(Number(s[1]));
  }
  if (tb) log.crashes.push(tb);
  log.lossKeys = [...keys].sort((a, b) => (a === 'lm loss' ? -1 : b === 'lm loss' ? 1 : a.localeCompare(b)));
  return log;
}

export async function parseTrainLog(path: string): Promise<TrainLog> {
  const lines: string[] = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  // Collect lazily through a generator-compatible array; logs of a run are at most a few MB of iteration lines.
  for await (const l of rl) lines.push(l);
  return parseTrainLogLines(lines);
}

function csvNum(v: number | undefined): string {
  return v === undefined ? '' : String(v);
}

/** The series as CSV: one row per logged iteration. */
export function trainLogCsv(log: TrainLog): string {
  const lossCols = log.lossKeys;
  const head = ['iteration', 'train_iters', 'consumed_samples', 'elapsed_ms', 'tokens_per_sec', 'lr', 'global_batch_size', ...lossCols.map((k) => k.replace(/\s+/g, '_')), 'loss_scale', 'grad_norm', 'skipped', 'nan'];
  const rows = log.points.map((p) => [p.iteration, p.trainIters, p.consumedSamples, p.elapsedMs, p.tokensPerSec, p.lr, p.globalBatchSize, ...lossCols.map((k) => p.losses[k]), p.lossScale, p.gradNorm, p.skipped, p.nan].map((v) => csvNum(v as number | undefined)).join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

/** A compact table: at most `maxRows` evenly spaced rows (always the first and last). */
export function formatTrainLogTable(log: TrainLog, maxRows = 20): string {
  const pts = log.points;
  const pick: TrainLogPoint[] = [];
  if (pts.length <= maxRows) pick.push(...pts);
  else for (let i = 0; i < maxRows; i++) pick.push(pts[Math.round((i * (pts.length - 1)) / (maxRows - 1))]!);
  const head = ['iteration', 'lm loss', 'lr', 'grad norm', 'tokens/s', 'skipped'];
  const rows = pick.map((p) => [`${p.iteration}/${p.trainIters}`, p.losses['lm loss']?.toFixed(4) ?? '-', p.lr?.toExponential(3) ?? '-', p.gradNorm?.toFixed(3) ?? '-', p.tokensPerSec?.toFixed(0) ?? '-', String(p.skipped)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padStart(w[i]!)).join('  ');
  const out = [fmt(head), fmt(w.map((x) => '-'.repeat(x))), ...rows.map(fmt), ''];
  out.push(`${pts.length} logged iterations; last ${log.lastIteration ?? '-'} of ${log.trainIters ?? '-'}; skipped ${log.skippedTotal}${log.skippedIterations.length ? ` (at ${log.skippedIterations.join(', ')})` : ''}; nan ${log.nanTotal}; checkpoints saved at ${log.saves.length ? log.saves.join(', ') : '-'}`);
  for (const c of log.crashes) out.push(`crash at log line ${c.line}${c.afterIteration !== undefined ? ` after iteration ${c.afterIteration}` : ''}: ${c.error || '(traceback cut off)'}`);
  return out.join('\n');
}
