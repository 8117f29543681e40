/**
 * `webdataset` adapter: img2dataset-style tar shards (CC3M, CC12M, CapsFusion, LAION): members
 * grouped by key, the image from the first present extension of `imageExts`, the caption from the
 * `.txt` member or from a field of the `.json` member (`captionKey`). One message in `role` with the
 * image before the caption with probability `beforeRatio` (per-sample RNG, so independent of
 * worker count). Bad members and incomplete samples are quarantined; the tar goes on.
 */
import { basename } from 'node:path';
import { getPath, hasLoneSurrogate } from './jsonsource.js';
import { sampleUniform } from './rng.js';
import { tarSamples, type TarSample } from './tar.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';
import type { IngestItem, IngestPart } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Caption of a sample, or an error reason. */
export function sampleCaption(s: TarSample, captionKey: string | undefined): { text: string } | { reason: string; message: string } {
  if (captionKey) {
    const j = s.members.get('json');
    if (!j) return { reason: 'missing-caption', message: 'no .json member for --caption-key' };
    let v: unknown;
    try {
      v = getPath(JSON.parse(utf8.decode(j)), captionKey);
    } catch (e) {
      return { reason: 'bad-caption', message: `.json member unreadable: ${(e as Error).message}` };
    }
    if (typeof v !== 'string') return { reason: 'missing-caption', message: `.json has no string field '${captionKey}'` };
    return { text: v };
  }
  const t = s.members.get('txt');
  if (!t) return { reason: 'missing-caption', message: 'no .txt member' };
  try {
    const text = utf8.decode(t);
    if (hasLoneSurrogate(text)) return { reason: 'bad-caption', message: 'caption is not valid text' };
    return { text };
  } catch {
    return { reason: 'bad-caption', message: 'caption is not valid UTF-8' };
  }
}

export function sampleImage(s: TarSample, exts: string[]): { ext: string; bytes: Buffer } | undefined {
  for (const e of exts) {
    const b = s.members.get(e);
    if (b) return { ext: e, bytes: b };
  }
  return undefined;
}

export const webdatasetAdapter: IngestAdapter = {
  async *read(unit: string, o: ResolvedIngestOptions): AsyncIterable<LazyItem> {
    const src = basename(unit);
    for await (const ev of tarSamples(unit)) {
      if (ev.kind === 'error') {
        yield { kind: 'error', error: ev.error };
        continue;
      }
      const s = ev.sample;
      const img = sampleImage(s, o.imageExts);
      const member = img ? `${s.key}.${img.ext}` : s.key;
      if (!img) {
        yield { kind: 'error', error: { reason: 'missing-image', message: `sample has no ${o.imageExts.join('|')} member`, file: unit, member: s.key } };
        continue;
      }
      const cap = sampleCaption(s, o.captionKey);
      if ('reason' in cap) {
        yield { kind: 'error', error: { reason: cap.reason, message: cap.message, file: unit, member: s.key } };
        continue;
      }
      const before = sampleUniform(o.seed, src, s.key) < o.beforeRatio;
      const image: IngestPart = { type: 'image', bytes: img.bytes, source: member };
      const text: IngestPart = { type: 'text', text: cap.text };
      const item: IngestItem = {
        kind: 'doc',
        doc: { id: s.key, messages: [{ role: o.role, content: before ? [image, text] : [text, image] }] },
        counters: before ? { imagesBeforeText: 1 } : { imagesAfterText: 1 },
        where: { member },
      };
      yield item;
    }
  },
};
