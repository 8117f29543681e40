/**
 * Test helpers for the model area: unpack the gzipped golden fixtures (test/fixtures/model, a
 * subset of the reference's model-reference folder) into a temp dir once per test file, and load
 * the golden describe JSONs / files.json.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'model');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Copies the fixtures to a fresh temp dir, gunzipping *.gz; returns its path. */
export function unpackFixtures(): string {
  const root = mkdtempSync(join(tmpdir(), 'solo-model-'));
  for (const f of walk(FIXTURES)) {
    const rel = relative(FIXTURES, f);
    if (rel === 'golden-meta.tar.gz') {
      execFileSync('tar', ['xzf', f, '-C', root]);
      continue;
    }
    const out = join(root, rel.endsWith('.gz') ? rel.slice(0, -3) : rel);
    mkdirSync(dirname(out), { recursive: true });
    const b = readFileSync(f);
    writeFileSync(out, rel.endsWith('.gz') ? gunzipSync(b) : b);
  }
  return root;
}

export interface GoldenDescribe {
  file: string;
  size: number;
  sha256: string;
  zip?: { prefix: string; entries: { name: string; size: number; sha256: string }[] };
  object?: unknown;
  tensors: Record<string, { dtype: string; shape: number[]; sha256: string }>;
  header?: string;
}

export function golden(root: string, rel: string): GoldenDescribe {
  return JSON.parse(readFileSync(join(root, 'describe', rel + '.json'), 'utf8')) as GoldenDescribe;
}

export function filesJson(root: string): Record<string, { size: number; sha256: string }> {
  const j = JSON.parse(readFileSync(join(root, 'files.json'), 'utf8')) as unknown;
  return j as Record<string, { size: number; sha256: string }>;
}
