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
    const t = (l as { text: string }).text;
    if (t) out.push(JSON.parse(t));
  }
  return out;
}

export async function readText(path: string): Promise<string> {
  return fsp.readFile(path, 'utf8');
}

export const dataUrl = (b: Buffer, mime: string) => `data:${mime};base64,${b.toString('base64')}`;
