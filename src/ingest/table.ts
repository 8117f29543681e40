/**
 * `table` adapter: Parquet tables with an image column and a text column (Hugging Face dataset
 * releases such as WebSight: `image` = {bytes, path} struct or raw bytes, `text` = HTML), read
 * with hyparquet one row group at a time (bounded memory). One `role` message per row: [image,
 * text], or [text, image] with probability 1 − beforeRatio. An image cell holding only a path is
 * read from `--images`.
 */
import { basename, dirname } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { ItemError } from './image.js';
import { readImageFile } from './llava.js';
import { sampleUniform } from './rng.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';
import type { IngestItem, IngestPart } from './types.js';

/** Rows of a Parquet file, row group by row group, as objects (binary columns stay bytes). */
export async function* parquetRows(path: string, columns?: string[], utf8 = false): AsyncGenerator<{ row: Record<string, unknown>; index: number }> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  let start = 0;
  for (const rg of metadata.row_groups) {
    const n = Number(rg.num_rows);
    const rows = (await parquetReadObjects({ file, metadata, columns, rowStart: start, rowEnd: start + n, utf8 })) as Record<string, unknown>[];
    for (let i = 0; i < rows.length; i++) yield { row: rows[i]!, index: start + i };
    start += n;
  }
}

async function cellImage(cell: unknown, root: string): Promise<{ bytes: Uint8Array; source: string }> {
  if (cell instanceof Uint8Array) return { bytes: cell, source: 'bytes' };
  if (cell && typeof cell === 'object') {
    const c = cell as { bytes?: unknown; path?: unknown };
    if (c.bytes instanceof Uint8Array && c.bytes.length) return { bytes: c.bytes, source: typeof c.path === 'string' && c.path ? c.path : 'bytes' };
    if (typeof c.path === 'string' && c.path) return { bytes: await readImageFile(root, c.path), source: c.path };
  }
  if (typeof cell === 'string' && cell) return { bytes: await readImageFile(root, cell), source: cell };
  throw new ItemError('missing-image', 'image cell is empty');
}

export const tableAdapter: IngestAdapter = {
  async *read(unit: string, o: ResolvedIngestOptions): AsyncIterable<LazyItem> {
    const root = o.images ?? dirname(unit);
    const imageCol = o.imageKey ?? 'image';
    const textCol = o.captionKey ?? 'text';
    const src = basename(unit);
    for await (const { row, index } of parquetRows(unit, [imageCol, textCol])) {
      const member = `row ${index}`;
      yield async (): Promise<IngestItem> => {
        const text = row[textCol];
        if (typeof text !== 'string') return { kind: 'error', error: { reason: 'missing-caption', message: `no string in column '${textCol}'`, file: unit, member } };
        let img: { bytes: Uint8Array; source: string };
        try {
          img = await cellImage(row[imageCol], root);
        } catch (e) {
          if (e instanceof ItemError) return { kind: 'error', error: { reason: e.reason, message: e.message, file: unit, member } };
          throw e;
        }
        const before = sampleUniform(o.seed, src, String(index)) < o.beforeRatio;
        const image: IngestPart = { type: 'image', bytes: img.bytes, source: `${member} ${img.source}` };
        const t: IngestPart = { type: 'text', text };
        return {
          kind: 'doc',
          doc: { id: String(index), messages: [{ role: o.role, content: before ? [image, t] : [t, image] }] },
          counters: before ? { imagesBeforeText: 1 } : { imagesAfterText: 1 },
          where: { member },
        };
      };
    }
  },
};
