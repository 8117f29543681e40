/**
 * `P_errors.jsonl`: one `{file, line, offset, reason, message}` object per skipped line (never the
 * payload). Written under a temporary name, created only when there is an error.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { DocError } from './types.js';

export class ErrorLog {
  private fd: number | undefined;
  count = 0;
  constructor(readonly path: string) {
    rmSync(path, { force: true });
    rmSync(path + '.partial', { force: true }); // left by a killed run
  }
  add(e: DocError): void {
    if (this.fd === undefined) this.fd = openSync(this.path + '.partial', 'w');
    const line = JSON.stringify({ file: e.file ?? null, line: e.line ?? null, offset: e.offset ?? null, reason: e.reason, message: e.message.slice(0, 500) }) + '\n';
    writeSync(this.fd, line);
    this.count++;
  }
  commit(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.path + '.partial', this.path);
  }
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.path + '.partial', { force: true });
  }
}
