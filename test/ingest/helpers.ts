/** Test helpers: temp dirs, small real images (sharp), tars (tar-stream), reading shards back. */
import { mkdtempSync, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import tar from 'tar-stream';
import { readLines } from '../../src/ingest/deps.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'solo-ingest-'));
}

export async function jpeg(w: number, h: number, seed = 1): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: (seed * 40) % 256, g: (seed * 90) % 256, b: (seed * 150) % 256 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export async function png(w: number, h: number, seed = 1): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 4, background: { r: seed % 256, g: 30, b: 200, alpha: 0.5 } } }).png().toBuffer();
}

export interface TarMember {
  name: string;
  data: Buffer | string;
  type?: 'file' | 'symlink';
  linkname?: string;
}

export async function makeTar(members: TarMember[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => pack.on('end', r));
  for (const m of members) {
    if (m.type === 'symlink') pack.entry({ name: m.name, type: 'symlink', linkname: m.linkname ?? 'x' });
    else pack.entry({ name: m.name }, typeof m.data === 'string' ? Buffer.from(m.data) : m.data);
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export async function readJsonl(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const l of readLines([path])) {
    out.push(JSON.parse(l.text));
  }
  return out;
}

export async function readText(path: string): Promise<string> {
  return fsp.readFile(path, 'utf8');
}

export const dataUrl = (b: Buffer, mime: string) => `data:${mime};base64,${b.toString('base64')}`;

import { gunzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { validateChatFiles } from '../../src/chat/index.js';
import { prepareDataset } from '../../src/prepare/index.js';

/** Every output file passes the chat validator (images decoded and sniffed) with zero errors. */
export async function expectValidChat(files: string[], documents?: number): Promise<void> {
  const r = await validateChatFiles({ inputs: files, checkImages: true });
  expect(r.errorsByReason).toEqual({});
  expect(r.badLines).toBe(0);
  if (documents !== undefined) expect(r.documents).toBe(documents);
  expect(r.imageMimeMismatches).toBe(0);
}

/** Run engineer E's prepareDataset (pretrain, packed) over ingest output; returns docs/errors. */
export async function prepareOutput(files: string[], dir: string): Promise<{ docs: number; errors: number; images: number }> {
  const tok = join(dir, 'tok.model');
  writeFileSync(tok, gunzipSync(readFileSync(new URL('../fixtures/ingest/solo-33029.tokenizer.model.gz', import.meta.url))));
  const r = await prepareDataset({ input: files, outputPrefix: join(dir, 'prep', 'data'), tokenizer: tok, pretrain: true, pack: true, maxSeqLength: 4096, workers: 1 });
  return { docs: r.docs, errors: r.errors, images: r.images };
}
