/**
 * `qa` adapter: visual-QA releases (DVQA `train_qa.json`, FigureQA `qa_pairs.json`, OCR-VQA
 * `dataset.json`) → one conversation per image: user [image, q1] → assistant [a1] → user [q2] → …
 * Records come from a top-level array (streamed), the array under `recordsKey` (streamed), or a
 * top-level object of records keyed by id (parsed whole; `{id}` is the key). The image path is
 * `imageTemplate` with `{field}` placeholders (default `{image}`) under `--images`. Questions and
 * answers are single fields or parallel arrays (`questions`/`answers`); `answerMap` rewrites
 * answers (FigureQA 0/1 → No/Yes). QAs are grouped by image in first-appearance order, so memory
 * grows with one input file's records (fine for these datasets; documented).
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ItemError } from './image.js';
import { getPath, jsonArrayElements, jsonRecords, type RawRecord } from './jsonsource.js';
import { readImageFile } from './llava.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';
import type { IngestErrorRecord, IngestItem, IngestMessage } from './types.js';

function fill(template: string, rec: Record<string, unknown>, id: string | undefined): string | undefined {
  let ok = true;
  const out = template.replace(/\{([^{}]+)\}/g, (_, k: string) => {
    const v = k === 'id' && id !== undefined ? id : getPath(rec, k);
    if (v === undefined || v === null || typeof v === 'object') ok = false;
    return String(v);
  });
  return ok ? out : undefined;
}

const asText = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

/** The (question, answer) pairs of one record, or an error message. */
export function recordQas(rec: Record<string, unknown>, o: ResolvedIngestOptions): Array<[string, string]> | string {
  const q = getPath(rec, o.questionKey ?? 'question');
  const a = getPath(rec, o.answerKey ?? 'answer');
  const map = (x: string) => o.answerMap?.[x] ?? x;
  if (Array.isArray(q) || Array.isArray(a)) {
    if (!Array.isArray(q) || !Array.isArray(a) || q.length !== a.length) return 'questions and answers are not parallel arrays';
    const out: Array<[string, string]> = [];
    for (let i = 0; i < q.length; i++) {
      const qs = asText(q[i]);
      const as = asText(a[i]);
      if (qs === undefined || as === undefined) return `QA ${i} is not text`;
      out.push([qs, map(as)]);
    }
    return out;
  }
  const qs = asText(q);
  const as = asText(a);
  if (qs === undefined || as === undefined) return `no '${o.questionKey ?? 'question'}'/'${o.answerKey ?? 'answer'}' text`;
  return [[qs, map(as)]];
}

async function firstNonBlank(path: string): Promise<number | undefined> {
  let src: NodeJS.ReadableStream = (await import('node:fs')).createReadStream(path, { highWaterMark: 1 << 16 });
  if (/\.gz$/.test(path)) src = src.pipe(createGunzip());
  for await (const c of src as AsyncIterable<Buffer>) for (const b of c) if (b > 0x20 && b !== 0xef && b !== 0xbb && b !== 0xbf) return b;
  return undefined;
}

async function* records(unit: string, o: ResolvedIngestOptions): AsyncGenerator<{ r: RawRecord; rec?: unknown; id?: string }> {
  if (o.recordsKey) {
    for await (const r of jsonArrayElements(unit, o.recordsKey)) yield { r };
    return;
  }
  const first = /\.json(\.gz)?$/.test(unit) ? await firstNonBlank(unit) : undefined;
  if (first === 0x7b) {
    // object of records keyed by id (OCR-VQA dataset.json)
    const text = (await fsp.readFile(unit)).toString('utf8');
    const obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as Record<string, unknown>;
    for (const [id, rec] of Object.entries(obj)) yield { r: { text: '', n: 0, where: { member: id } }, rec, id };
    return;
  }
  for await (const r of jsonRecords(unit)) yield { r };
}

export const qaAdapter: IngestAdapter = {
  async *read(unit: string, o: ResolvedIngestOptions): AsyncIterable<LazyItem> {
    const root = o.images ?? dirname(unit);
    const groups = new Map<string, { id?: string; qas: Array<[string, string]>; where: RawRecord['where'] }>();
    const errors: IngestErrorRecord[] = [];
    let filtered = 0;
    for await (const { r, rec: parsed, id } of records(unit, o)) {
      const where = { file: unit, ...r.where };
      let rec = parsed;
      if (rec === undefined) {
        try {
          rec = JSON.parse(r.text);
        } catch (e) {
          yield { kind: 'error', error: { reason: 'invalid-json', message: (e as Error).message, ...where } };
          continue;
        }
      }
      if (!rec || typeof rec !== 'object' || Array.isArray(rec)) {
        yield { kind: 'error', error: { reason: 'bad-record', message: 'record is not an object', ...where } };
        continue;
      }
      const obj = rec as Record<string, unknown>;
      if (o.filterKey) {
        const v = String(getPath(obj, o.filterKey));
        if (o.exclude.includes(v) || (o.include.length > 0 && !o.include.includes(v))) {
          filtered++;
          continue;
        }
      }
      const image = fill(o.imageTemplate ?? '{image}', obj, id);
      const qas = recordQas(obj, o);
      if (image === undefined || typeof qas === 'string') {
        errors.push({ reason: 'bad-record', message: image === undefined ? `image template '${o.imageTemplate ?? '{image}'}' has a missing field` : (qas as string), ...where });
        continue;
      }
      const g = groups.get(image);
      if (g) g.qas.push(...qas);
      else groups.set(image, { id: id ?? image, qas, where: r.where });
    }
    for (const e of errors) yield { kind: 'error', error: e };
    for (let i = 0; i < filtered; i++) yield { kind: 'skip', counter: 'filtered' };
    for (const [image, g] of groups) {
      yield async (): Promise<IngestItem> => {
        try {
          const bytes = await readImageFile(root, image);
          const messages: IngestMessage[] = [];
          g.qas.forEach(([q, a], i) => {
            messages.push({ role: 'user', content: i === 0 ? [{ type: 'image', bytes, source: image }, { type: 'text', text: q }] : [{ type: 'text', text: q }] });
            messages.push({ role: 'assistant', content: [{ type: 'text', text: a }] });
          });
          return { kind: 'doc', doc: { id: g.id, messages }, counters: { qaPairs: g.qas.length }, where: { member: image } };
        } catch (e) {
          if (e instanceof ItemError) return { kind: 'error', error: { reason: e.reason, message: e.message, file: unit, member: image, id: g.id } };
          throw e;
        }
      };
    }
  },
};
