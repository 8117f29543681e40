/**
 * Atomic output directories: everything is written under `<out>.tmp-<pid>` and renamed to `<out>`
 * only when complete, so a crash never leaves a partial output that looks complete.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, readdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface AtomicDirOptions {
  /** Replace an existing non-empty output directory. */
  force?: boolean;
}

export async function withAtomicDir<T>(out: string, fn: (tmp: string) => Promise<T>, opts: AtomicDirOptions = {}): Promise<T> {
  if (existsSync(out)) {
    const entries = await readdir(out).catch(() => ['?']);
    if (entries.length && !opts.force) throw new UsageError(`${out} already exists and is not empty (use --force to replace it)`);
  }
  await mkdir(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let result: T;
  try {
    result = await fn(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(out)) await rm(out, { recursive: true, force: true });
  await rename(tmp, out);
  return result;
}
