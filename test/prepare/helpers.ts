// Shared setup for prepare end-to-end tests: plain copies of the fixture inputs and tokenizers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FIX } from './golden.js';

let work: string | undefined;

/** A temp folder holding dev.jsonl, packing.jsonl, packing_exact512.jsonl and the two tokenizers. */
export function workDir(): string {
  if (work && existsSync(join(work, 'solo-33031.tokenizer.model'))) return work;
  work = mkdtempSync(join(tmpdir(), 'prep-in-'));
  for (const n of ['dev', 'packing', 'packing_exact512']) writeFileSync(join(work, `${n}.jsonl`), gunzipSync(readFileSync(join(FIX, 'inputs', `${n}.jsonl.gz`))));
  for (const t of ['solo-33029', 'solo-33031']) writeFileSync(join(work, `${t}.tokenizer.model`), gunzipSync(readFileSync(join(FIX, 'tokenizers', `${t}.tokenizer.model.gz`))));
  return work;
}

export const ROOT = join(import.meta.dirname, '..', '..');

/** `npm test` builds first; build here only when dist/ lacks the pool worker or the CLI. */
export function ensureBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'prepare', 'worker.js')) || !existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
}
