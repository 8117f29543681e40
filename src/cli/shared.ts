/**
 * Shared CLI plumbing: global flags, the progress reporter and the action wrapper that maps
 * errors to exit codes (0 ok, 1 failed, 2 usage error).
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { UsageError } from '../errors.js';
import type { ProgressEvent, ProgressFn } from '../progress.js';

export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { json?: boolean; quiet?: boolean };
  return { json: !!o.json, quiet: !!o.quiet };
}

export interface Reporter {
  /** Pass to library functions as `onProgress`. */
  progress: ProgressFn;
  /** Human message on stderr (suppressed by --quiet and --json). */
  info(message: string): void;
  /** Warning on stderr (suppressed by --json: warnings then go into the summary). */
  warn(message: string): void;
  /** Stop the bar; with --json print the summary object as the last stdout line. */
  finish(summary?: unknown): void;
}

function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function fmtEta(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Describe progress as one line: items/s, MB/s, ETA, errors. Exported for tests. */
export function describeProgress(e: ProgressEvent, elapsedSec: number): string {
  const unit = e.unit ?? 'items';
  const rate = elapsedSec > 0 ? e.done / elapsedSec : 0;
  const mbs = e.bytes !== undefined && elapsedSec > 0 ? e.bytes / 1e6 / elapsedSec : undefined;
  let eta = NaN;
  if (e.total !== undefined && rate > 0) eta = (e.total - e.done) / rate;
  else if (e.totalBytes !== undefined && e.bytes !== undefined && e.bytes > 0) eta = ((e.totalBytes - e.bytes) * elapsedSec) / e.bytes;
  const parts = [
    `${e.stage}: ${e.done}${e.total !== undefined ? `/${e.total}` : ''} ${unit}`,
    `${fmtRate(rate)} ${unit}/s`,
  ];
  if (mbs !== undefined) parts.push(`${fmtRate(mbs)} MB/s`);
  parts.push(`ETA ${fmtEta(eta)}`);
  parts.push(`errors ${e.errors ?? 0}`);
  if (e.detail) parts.push(e.detail);
  return parts.join(' | ');
}

export function createReporter(g: GlobalOptions, opts: { logIntervalMs?: number } = {}): Reporter {
  const start = Date.now();
  const tty = !!process.stderr.isTTY && !g.json && !g.quiet;
  const logInterval = opts.logIntervalMs ?? 5000;
  let lastLog = 0;
  let lastJson = 0;
  let bar: cliProgress.SingleBar | undefined;
  let barTotal = -1;
  const warnings: string[] = [];

  const progress: ProgressFn = (e) => {
    const now = Date.now();
    const elapsed = (now - start) / 1000;
    if (g.json) {
      if (now - lastJson < 1000 && e.done !== e.total) return;
      lastJson = now;
      process.stdout.write(JSON.stringify({ type: 'progress', elapsed, ...e }) + '\n');
      return;
    }
    if (g.quiet) return;
    if (tty) {
      const total = e.total ?? e.totalBytes ?? 0;
      const value = e.total !== undefined ? e.done : e.totalBytes !== undefined ? (e.bytes ?? 0) : e.done;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: '{bar} {percentage}% | {line}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total || 1, value, { line: '' });
        barTotal = total;
      }
      if (total !== barTotal) {
        bar.setTotal(total || 1);
        barTotal = total;
      }
      bar.update(value, { line: describeProgress(e, elapsed) });
      return;
    }
    if (now - lastLog >= logInterval) {
      lastLog = now;
      process.stderr.write(describeProgress(e, elapsed) + '\n');
    }
  };

  return {
    progress,
    info(message) {
      if (g.json || g.quiet) return;
      if (bar) bar.stop(), (bar = undefined);
      process.stderr.write(message + '\n');
    },
    warn(message) {
      warnings.push(message);
      if (g.json) return;
      if (bar) bar.stop(), (bar = undefined);
      process.stderr.write(`warning: ${message}\n`);
    },
    finish(summary) {
      if (bar) bar.stop(), (bar = undefined);
      if (g.json && summary !== undefined) {
        const obj = typeof summary === 'object' && summary !== null && !Array.isArray(summary)
          ? { type: 'summary', ...(warnings.length ? { warnings } : {}), ...(summary as object) }
          : { type: 'summary', value: summary };
        process.stdout.write(JSON.stringify(obj) + '\n');
      }
    },
  };
}

/**
 * Wrap a command action: errors print `error: message` and set the exit code
 * (2 for UsageError, 1 otherwise). A returned number becomes the exit code.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void> | number | void) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (err) {
      const e = err as Error;
      process.stderr.write(`error: ${e.message}\n`);
      if (process.env.SOLO_DEBUG && e.stack) process.stderr.write(e.stack + '\n');
      process.exitCode = err instanceof UsageError ? 2 : 1;
    }
  };
}

/** Parse an integer flag, throwing a UsageError naming the flag. */
export function intOption(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`${name} must be an integer, got '${v}'`);
    return n;
  };
}
