/**
 * `imagenet` adapter: class-labelled images from class folders (`<root>/<wnid>/<file>`, ImageNet-1k)
 * or tars (WebDataset `{wnid}_{n}.jpg` as in ImageNet-21k winter'21, or one tar per synset), with
 * a `synset → name` map (`mapping.txt` "wnid name…" lines or `category.jsonl` {id,name}). Caption =
 * the cleaned class name. Layout `assistant` = one message [image, name] (image first with
 * probability `beforeRatio`); `user-assistant` = user [image] → assistant [name] (1k reference).
 */
import { readFileBytes } from './readfile.js';
import { existsSync, promises as fsp, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SoloError, UsageError } from '../errors.js';
import { expandInputPatterns } from './deps.js';
import { sampleUniform } from './rng.js';
import { tarSamples } from './tar.js';
import { sampleImage } from './webdataset.js';
import { compatOn, type IngestAdapter, type LazyItem, type ResolvedIngestOptions } from './adapter.js';
import type { IngestDoc, IngestItem, IngestPart } from './types.js';

export async function loadLabelMap(path: string, twoTokens: boolean): Promise<Map<string, string>> {
  const text = await fsp.readFile(path, 'utf8');
  const map = new Map<string, string>();
  const jsonl = /\.jsonl?$/.test(path);
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    if (jsonl) {
      const r = JSON.parse(line) as { id?: string; name?: string };
      if (typeof r.id !== 'string' || typeof r.name !== 'string') throw new SoloError(`${path}:${i + 1}: expected {"id","name"}`);
      if (!map.has(r.id)) map.set(r.id, r.name);
      return;
    }
    const toks = line.trim().split(/\s+/);
    if (twoTokens && toks.length !== 2) throw new SoloError(`${path}:${i + 1}: expected exactly 'wnid name' (--compat mapping-two-tokens)`);
    if (toks.length < 2) throw new SoloError(`${path}:${i + 1}: expected 'wnid name'`);
    if (!map.has(toks[0]!)) map.set(toks[0]!, toks.slice(1).join(' '));
  });
  return map;
}

export function cleanLabel(name: string, steps: ResolvedIngestOptions['labelTransform']): string {
  let s = name;
  for (const st of steps) {
    if (st === 'underscore') s = s.replace(/_/g, ' ');
    else if (st === 'hyphen') s = s.replace(/-/g, ' ');
    else if (st === 'lowercase') s = s.toLowerCase();
  }
  return s;
}

function labelledDoc(o: ResolvedIngestOptions, src: string, key: string, image: IngestPart, label: string, id?: string): IngestItem {
  const text: IngestPart = { type: 'text', text: label };
  let doc: IngestDoc;
  let counters: Record<string, number>;
  if (o.layout === 'user-assistant') {
    doc = { id, messages: [{ role: 'user', content: [image] }, { role: 'assistant', content: [text] }] };
    counters = { imagesBeforeText: 1 };
  } else {
    const before = sampleUniform(o.seed, src, key) < o.beforeRatio;
    doc = { id, messages: [{ role: o.role, content: before ? [image, text] : [text, image] }] };
    counters = before ? { imagesBeforeText: 1 } : { imagesAfterText: 1 };
  }
  return { kind: 'doc', doc, counters, where: { member: key } };
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export const imagenetAdapter: IngestAdapter = {
  async units(o) {
    const out: string[] = [];
    for (const p of o.input) {
      if (isDir(p)) {
        const entries = (await fsp.readdir(p)).sort();
        const subdirs = entries.filter((e) => isDir(join(p, e)));
        if (subdirs.length) out.push(...subdirs.map((e) => join(p, e)));
        else out.push(...entries.filter((e) => /\.tar(\.gz)?$|\.tgz$/.test(e)).map((e) => join(p, e)));
      } else out.push(...(await expandInputPatterns([p])));
    }
    return o.sortInputs ? [...new Set(out)].sort() : [...new Set(out)];
  },
  async init(o) {
    if (!o.mapping) throw new UsageError('imagenet needs --mapping (mapping.txt "wnid name" lines or category.jsonl {id,name})');
    return loadLabelMap(o.mapping, compatOn(o, 'mapping-two-tokens'));
  },
  async *read(unit: string, o: ResolvedIngestOptions, state: unknown): AsyncIterable<LazyItem> {
    const labels = state as Map<string, string>;
    const src = basename(unit);
    if (isDir(unit)) {
      const wnid = basename(unit);
      const name = labels.get(wnid);
      if (name === undefined) {
        yield { kind: 'error', error: { reason: 'unknown-class', message: `class folder '${wnid}' is not in the mapping; folder skipped`, file: unit } };
        return;
      }
      const label = cleanLabel(name, o.labelTransform);
      for (const f of (await fsp.readdir(unit)).sort()) {
        const path = join(unit, f);
        yield async (): Promise<IngestItem> => {
          let bytes: Buffer;
          try {
            bytes = await readFileBytes(path);
          } catch (e) {
            return { kind: 'error', error: { reason: 'unreadable-image', message: String((e as Error).message), file: unit, member: f } };
          }
          return labelledDoc(o, src, f, { type: 'image', bytes, source: f }, label, `${wnid}/${f}`);
        };
      }
      return;
    }
    const tarClass = src.replace(/\.(tar|tar\.gz|tgz)$/, '');
    for await (const ev of tarSamples(unit)) {
      if (ev.kind === 'error') {
        yield { kind: 'error', error: ev.error };
        continue;
      }
      const s = ev.sample;
      const img = sampleImage(s, [...o.imageExts, 'jpeg']);
      if (!img) {
        yield { kind: 'error', error: { reason: 'missing-image', message: 'sample has no image member', file: unit, member: s.key } };
        continue;
      }
      const base = s.key.slice(s.key.lastIndexOf('/') + 1);
      const wnid = base.includes('_') ? base.slice(0, base.indexOf('_')) : tarClass;
      const name = labels.get(wnid) ?? labels.get(tarClass);
      const member = `${s.key}.${img.ext}`;
      if (name === undefined) {
        yield { kind: 'error', error: { reason: 'unknown-class', message: `class '${wnid}' is not in the mapping`, file: unit, member } };
        continue;
      }
      yield labelledDoc(o, src, s.key, { type: 'image', bytes: img.bytes, source: member }, cleanLabel(name, o.labelTransform), s.key);
    }
  },
};
