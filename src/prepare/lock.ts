/**
 * `P.lock`: one writer per prefix. Two runs on the same prefix (e.g. the reference drivers'
 * double start, spec §12 Q16, or a Slurm task requeued while the old one still runs) would
 * overwrite each other's temporary files. The lock holds {pid, host, started}; its mtime is
 * refreshed every 30 s. A lock is stale when its process is gone (same host) or it has not been
 * refreshed for `staleMs`; a stale lock is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { SoloError } from '../errors.js';

export interface PrefixLock {
  path: string;
  release(): void;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `<prefix>.lock` or throw a SoloError naming the run that holds it. */
export function lockPrefix(prefix: string, staleMs = 10 * 60_000): PrefixLock {
  const path = `${prefix}.lock`;
  const host = hostname();
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: { pid?: number; host?: string; started?: string } = {};
      let age = 0;
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        // unreadable or half-written: judge by age only
        try {
          age = Date.now() - statSync(path).mtimeMs;
        } catch {
          continue; // vanished meanwhile: retry
        }
      }
      const dead = holder.host === host && typeof holder.pid === 'number' && !pidAlive(holder.pid);
      if (dead || age > staleMs || (holder.pid === process.pid && holder.host === host)) {
        rmSync(path, { force: true });
        continue;
      }
      throw new SoloError(
        `${prefix} is being written by pid ${holder.pid ?? '?'} on ${holder.host ?? '?'} since ${holder.started ?? '?'} (${path}; remove it if that run is gone)`,
      );
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host, started: new Date().toISOString() }));
    closeSync(fd);
    const beat = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(path, now, now);
      } catch {
        /* removed by someone else: nothing to refresh */
      }
    }, 30_000);
    beat.unref();
    let released = false;
    return {
      path,
      release() {
        if (released) return;
        released = true;
        clearInterval(beat);
        rmSync(path, { force: true });
      },
    };
  }
  throw new SoloError(`cannot take ${path}`);
}
