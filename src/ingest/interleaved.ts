/**
 * `interleaved` adapter: MMC4-style documents (`text_list` sentences + `image_info[]` with
 * `matched_text_index`) into one message where each sentence is preceded/followed by its images
 * (before with probability `beforeRatio`). Images come either from `--images <dir>/<image_name>`
 * (the MMC4 release with images) or, with `--mapping` (JSONL/CSV/TSV: url, img2dataset_shard_id,
 * key; first row wins for duplicate URLs), from `<images>/{shard:05d}.tar` member `{key}.jpg` via a
 * per-tar index (built once per tar, not once per image as in the reference).
 * Images never downloaded (URL absent from the mapping, file absent) are expected attrition and
 * only counted; a mapped member missing from its tar (the reference's DEFECT-7 crash) is quarantined.
 */
import { readFileBytes } from './readfile.js';
import { existsSync, promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { getPath, jsonRecords, parseRawRecord } from './jsonsource.js';
import { resolveImagePath } from './llava.js';
import { sampleUniform } from './rng.js';
import { TarIndex } from './tar.js';
import { parquetRows } from './table.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';
import type { IngestItem, IngestPart } from './types.js';

interface MmcState {
  urls?: Map<string, { shard: number; key: string }>;
  tars: Map<string, Promise<TarIndex>>;
}

function splitCsv(line: string, sep: string): string[] {
  if (sep === '\t' || !line.includes('"')) return line.split(sep);
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === sep) out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

export async function loadUrlMap(path: string): Promise<Map<string, { shard: number; key: string }>> {
  const map = new Map<string, { shard: number; key: string }>();
  const text = await fsp.readFile(path, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const add = (url: unknown, shard: unknown, key: unknown) => {
    if (typeof url !== 'string' || map.has(url)) return;
    map.set(url, { shard: Number(shard), key: String(key) });
  };
  if (/\.jsonl$/.test(path)) {
    for (const l of lines) {
      const r = JSON.parse(l) as Record<string, unknown>;
      add(r.url, r.img2dataset_shard_id ?? r.shard, r.key);
    }
  } else if (/\.(csv|tsv)$/.test(path)) {
    const sep = path.endsWith('.tsv') ? '\t' : ',';
    const head = splitCsv(lines[0] ?? '', sep);
    const [iu, is, ik] = ['url', 'img2dataset_shard_id', 'key'].map((c) => head.indexOf(c));
    if (iu! < 0 || is! < 0 || ik! < 0) throw new UsageError(`${path}: needs columns url, img2dataset_shard_id, key`);
    for (const l of lines.slice(1)) {
      const c = splitCsv(l, sep);
      add(c[iu!], c[is!], c[ik!]);
    }
  } else if (/\.parquet$/.test(path)) {
    for await (const { row } of parquetRows(path, ['url', 'img2dataset_shard_id', 'key'], true)) add(row.url, row.img2dataset_shard_id, row.key);
  } else throw new UsageError(`--mapping ${path}: use .parquet, .jsonl, .csv or .tsv`);
  return map;
}

export const interleavedAdapter: IngestAdapter = {
  async init(o) {
    if (!o.images) throw new UsageError('interleaved needs --images (image folder, or the tar folder with --mapping)');
    const st: MmcState = { tars: new Map() };
    if (o.mapping) st.urls = await loadUrlMap(o.mapping);
    return st;
  },
  async *read(unit: string, o: ResolvedIngestOptions, state: unknown): AsyncIterable<LazyItem> {
    const st = state as MmcState;
    const src = basename(unit);
    const tarOf = (shard: number) => {
      const p = join(o.images!, `${String(shard).padStart(5, '0')}.tar`);
      let t = st.tars.get(p);
      if (!t) {
        if (st.tars.size >= 64) st.tars.delete(st.tars.keys().next().value!);
        t = TarIndex.open(p);
        st.tars.set(p, t);
      }
      return t;
    };
    for await (const r of jsonRecords(unit)) {
      const where = { file: unit, ...r.where };
      yield async (): Promise<IngestItem> => {
        const parsed = parseRawRecord(r, where);
        if ('error' in parsed) return parsed.error;
        const doc = parsed.value as Record<string, unknown>;
        const texts = getPath(doc, 'text_list');
        const infos = getPath(doc, 'image_info') ?? [];
        if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string') || !Array.isArray(infos))
          return { kind: 'error', error: { reason: 'bad-record', message: 'needs text_list: string[] and image_info: []', ...where } };
        const before: IngestPart[][] = texts.map(() => []);
        const after: IngestPart[][] = texts.map(() => []);
        const counters: Record<string, number> = {};
        const inc = (k: string) => (counters[k] = (counters[k] ?? 0) + 1);
        for (let i = 0; i < infos.length; i++) {
          const info = infos[i] as Record<string, unknown>;
          const idx = info?.matched_text_index;
          if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || idx >= texts.length)
            return { kind: 'error', error: { reason: 'bad-record', message: `image ${i}: matched_text_index out of range`, ...where } };
          const isBefore = sampleUniform(o.seed, src, String(r.n), String(i)) < o.beforeRatio;
          let bytes: Buffer | undefined;
          let source = '';
          if (st.urls) {
            const url = info.raw_url;
            const m = typeof url === 'string' ? st.urls.get(url) : undefined;
            if (m) {
              source = `${String(m.shard).padStart(5, '0')}.tar:${m.key}.jpg`;
              let t: TarIndex;
              try {
                t = await tarOf(m.shard);
              } catch (e) {
                return { kind: 'error', error: { reason: 'missing-image', message: `image tar unreadable: ${(e as Error).message}`, ...where, member: source } };
              }
              bytes = await t.read(`${m.key}.jpg`);
              if (!bytes) return { kind: 'error', error: { reason: 'missing-image', message: 'mapped member is not in its tar', ...where, member: source } };
            }
          } else {
            const name = info.image_name;
            const p = typeof name === 'string' ? resolveImagePath(o.images!, name) : undefined;
            if (p && existsSync(p)) {
              bytes = await readFileBytes(p);
              source = name as string;
            }
          }
          if (!bytes) {
            inc('missingImages');
            if (o.onMissingImage === 'drop-document') return { kind: 'skip', counter: 'documentsDroppedForMissingImage' };
            continue;
          }
          inc('imagesInserted');
          inc(isBefore ? 'imagesBeforeText' : 'imagesAfterText');
          (isBefore ? before : after)[idx]!.push({ type: 'image', bytes, source });
        }
        const content: IngestPart[] = [];
        texts.forEach((t, i) => content.push(...before[i]!, { type: 'text', text: t as string }, ...after[i]!));
        return { kind: 'doc', doc: { messages: [{ role: o.role, content }] }, counters, where: r.where };
      };
    }
  },
};
