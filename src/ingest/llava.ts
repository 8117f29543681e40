/**
 * `llava` adapter: LLaVA-style conversation JSON (array `.json` or JSONL, any compression) plus an
 * image folder (LLaVA-CC3M-595K layout, also LLaVAR/DVQA/OCR-VQA/FigureQA/ALLaVA releases).
 * `human`/`gpt` map to `user`/`assistant`; each `<image>` token is replaced by the next image of
 * the record (the reference splits at the token: text before, image, text after, no stripping);
 * records with images but no token get them at the start of the first user turn.
 */
import { readFileBytes } from './readfile.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ItemError } from './image.js';
import { getPath, jsonRecords, parseRawRecord } from './jsonsource.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';
import type { IngestItem, IngestMessage, IngestPart, IngestRole } from './types.js';

const DEFAULT_ROLES: Record<string, IngestRole> = { human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', system: 'system' };

export function resolveImagePath(root: string, p: string): string | undefined {
  if (isAbsolute(p) || p.split(/[\\/]/).includes('..')) return undefined;
  return resolve(root, p);
}

export async function readImageFile(root: string, rel: string): Promise<Uint8Array> {
  const path = resolveImagePath(root, rel);
  if (!path) throw new ItemError('unsafe-image-path', `image path escapes the image root: ${JSON.stringify(rel)}`, rel);
  try {
    return await readFileBytes(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ItemError(code === 'ENOENT' ? 'missing-image' : 'unreadable-image', `cannot read image ${path}: ${code ?? (e as Error).message}`, rel);
  }
}

export function convertLlavaRecord(rec: Record<string, unknown>, o: ResolvedIngestOptions, images: IngestPart[]): IngestMessage[] {
  const roles = { ...DEFAULT_ROLES, ...(o.roleMap ?? {}) };
  const turns = rec[o.conversationsKey ?? 'conversations'];
  if (!Array.isArray(turns)) throw new ItemError('bad-record', `no '${o.conversationsKey ?? 'conversations'}' array`);
  const token = o.imageToken;
  const tokenCount = turns.reduce((a: number, t) => a + (typeof (t as { value?: unknown })?.value === 'string' ? ((t as { value: string }).value.split(token).length - 1) : 0), 0);
  if (tokenCount !== 0 && tokenCount !== images.length)
    throw new ItemError('image-token-mismatch', `${tokenCount} '${token}' tokens for ${images.length} images`);
  let next = 0;
  let prefixDone = tokenCount > 0 || images.length === 0;
  const out: IngestMessage[] = [];
  for (const t of turns as Array<Record<string, unknown>>) {
    const from = t?.from ?? t?.role;
    const value = t?.value ?? t?.content;
    if (typeof from !== 'string' || typeof value !== 'string') throw new ItemError('bad-record', 'turn without string from/value');
    const role = roles[from];
    if (!role) throw new ItemError('unknown-role', `unknown role '${from}'`);
    const content: IngestPart[] = [];
    if (!prefixDone && role === 'user') {
      content.push(...images);
      next = images.length;
      prefixDone = true;
    }
    const pieces = value.split(token);
    pieces.forEach((piece, i) => {
      if (i > 0) content.push(images[next++]!);
      if (piece !== '' || (i === 0 && pieces.length > 1 && o.keepEmptyText)) content.push({ type: 'text', text: piece });
    });
    out.push({ role, content });
  }
  if (!prefixDone) throw new ItemError('image-token-mismatch', 'images given but no user turn to attach them to');
  return out;
}

export const llavaAdapter: IngestAdapter = {
  async *read(unit: string, o: ResolvedIngestOptions): AsyncIterable<LazyItem> {
    const root = o.images ?? dirname(unit);
    for await (const r of jsonRecords(unit)) {
      const where = { file: unit, ...r.where };
      yield async (): Promise<IngestItem> => {
        const parsed = parseRawRecord(r, where);
        if ('error' in parsed) return parsed.error;
        const rec = parsed.value as Record<string, unknown>;
        const idv = getPath(rec, o.idKey ?? 'id');
        const id = idv === undefined || idv === null ? undefined : String(idv);
        try {
          if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new ItemError('bad-record', 'record is not an object');
          const imgField = getPath(rec, o.imageKey ?? 'image');
          const names = imgField === undefined || imgField === null ? [] : Array.isArray(imgField) ? imgField : [imgField];
          const images: IngestPart[] = [];
          for (const n of names) {
            if (typeof n !== 'string') throw new ItemError('bad-record', 'image field is not a path');
            images.push({ type: 'image', bytes: await readImageFile(root, n), source: n });
          }
          return { kind: 'doc', doc: { id, messages: convertLlavaRecord(rec, o, images) }, where: r.where };
        } catch (e) {
          if (e instanceof ItemError) return { kind: 'error', error: { reason: e.reason, message: e.message, ...where, ...(e.member ? { member: e.member } : {}), id } };
          throw e;
        }
      };
    }
  },
};
