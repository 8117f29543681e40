/**
 * `text` adapter: text-only JSON lines (`.jsonl`, `.json.gz`, `.jsonl.zst`…; SlimPajama, C4). The
 * text field is `captionKey` (default `text`); `filterKey` + `exclude`/`include` drop documents
 * by a metadata value (SlimPajama drops RedPajamaCommonCrawl and RedPajamaC4), counted as
 * `filtered`. Malformed lines are quarantined instead of killing the worker (DEFECT-5).
 */
import { getPath, jsonRecords } from './jsonsource.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';

export const textAdapter: IngestAdapter = {
  async *read(unit: string, o: ResolvedIngestOptions): AsyncIterable<LazyItem> {
    const key = o.captionKey ?? 'text';
    for await (const r of jsonRecords(unit)) {
      const where = { file: unit, ...r.where };
      if (r.invalidUtf8) {
        yield { kind: 'error', error: { reason: 'invalid-utf8', message: 'line is not valid UTF-8', ...where } };
        continue;
      }
      let rec: unknown;
      try {
        rec = JSON.parse(r.text);
      } catch (e) {
        yield { kind: 'error', error: { reason: r.text.trim() ? 'invalid-json' : 'empty-line', message: (e as Error).message, ...where } };
        continue;
      }
      if (o.filterKey) {
        const v = String(getPath(rec, o.filterKey));
        if (o.exclude.includes(v) || (o.include.length > 0 && !o.include.includes(v))) {
          yield { kind: 'skip', counter: 'filtered' };
          continue;
        }
      }
      const text = getPath(rec, key);
      if (typeof text !== 'string') {
        yield { kind: 'error', error: { reason: 'missing-text', message: `no string field '${key}'`, ...where } };
        continue;
      }
      yield { kind: 'doc', doc: { messages: [{ role: o.role, content: [{ type: 'text', text }] }] }, where: r.where };
    }
  },
};
