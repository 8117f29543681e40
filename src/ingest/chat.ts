/**
 * `chat` adapter: normalises existing chat JSONL. Accepts the three converter envelopes plus the
 * guide's `{messages:[…]}`, string or part-list content, `image_url` as object or string, and
 * LLaVA `from`/`value` turns. Image URLs: `data:` (re-sniffed, declared MIME ignored), `file://`
 * and plain local paths (relative to `--images` or the input's folder) are read and embedded;
 * `http(s)` is rejected (nothing downstream fetches). Output is one canonical shape.
 */
import { readFileBytes } from './readfile.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImageDataUrl } from './deps.js';
import { ItemError } from './image.js';
import { jsonRecords, parseRawRecord } from './jsonsource.js';
import { readImageFile } from './llava.js';
import type { IngestAdapter, LazyItem, ResolvedIngestOptions } from './adapter.js';
import type { IngestItem, IngestMessage, IngestPart, IngestRole } from './types.js';

const ROLES: Record<string, IngestRole> = { system: 'system', user: 'user', assistant: 'assistant', human: 'user', gpt: 'assistant' };

async function loadUrl(url: string, root: string): Promise<IngestPart> {
  if (url.startsWith('data:')) {
    try {
      const { bytes, mime } = decodeImageDataUrl(url);
      return { type: 'image', bytes, source: 'data-url', mime };
    } catch (e) {
      const reason = (e as { reason?: unknown }).reason;
      throw new ItemError(typeof reason === 'string' ? reason : 'bad-base64', `bad data URL: ${(e as Error).message}`);
    }
  }
  if (/^https?:\/\//i.test(url)) throw new ItemError('remote-url', `remote image URLs are not supported: ${url.slice(0, 200)}`);
  if (url.startsWith('file://')) {
    let p: string;
    try {
      p = fileURLToPath(url);
    } catch (e) {
      throw new ItemError('bad-url', (e as Error).message);
    }
    try {
      return { type: 'image', bytes: await readFileBytes(p), source: p };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ItemError(code === 'ENOENT' ? 'missing-image' : 'unreadable-image', `cannot read ${p}: ${code}`, p);
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[A-Za-z]:[\\/]/.test(url)) throw new ItemError('bad-url', `unsupported URL scheme: ${url.slice(0, 50)}`);
  return { type: 'image', bytes: await readImageFile(root, url), source: url };
}

export async function normaliseChatValue(v: unknown, o: ResolvedIngestOptions, root: string): Promise<{ id?: string; messages: IngestMessage[] }> {
  let msgs: unknown;
  let id: string | undefined;
  if (Array.isArray(v)) msgs = v;
  else if (v && typeof v === 'object') {
    const r = v as Record<string, unknown>;
    const idOf = () => (r.id !== undefined && r.id !== null ? String(r.id) : undefined);
    if (Array.isArray(r.conversations)) (msgs = r.conversations), (id = idOf());
    else if (Array.isArray(r.messages)) (msgs = r.messages), (id = idOf());
    else if ('role' in r || 'from' in r) msgs = [r];
  }
  if (!Array.isArray(msgs)) throw new ItemError('unknown-format', 'not a chat document (conversations, messages, array or single message)');
  const roles = { ...ROLES, ...(o.roleMap ?? {}) };
  const out: IngestMessage[] = [];
  for (const m of msgs as Array<Record<string, unknown>>) {
    if (!m || typeof m !== 'object') throw new ItemError('bad-message', 'message is not an object');
    const rawRole = m.role ?? m.from;
    const role = typeof rawRole === 'string' ? roles[rawRole] : undefined;
    if (!role) throw new ItemError('unknown-role', `unknown role ${JSON.stringify(rawRole)}`);
    const c = m.content ?? m.value;
    const content: IngestPart[] = [];
    if (typeof c === 'string') content.push({ type: 'text', text: c });
    else if (Array.isArray(c)) {
      for (const p of c as Array<Record<string, unknown>>) {
        const t = p?.type;
        if (t === 'text') {
          if (typeof p.text !== 'string') throw new ItemError('bad-part', 'text part without a string text');
          content.push({ type: 'text', text: p.text });
        } else if (t === 'image_url' || t === 'image') {
          const iu = p.image_url ?? p.image ?? p.url;
          const url = typeof iu === 'string' ? iu : (iu as { url?: unknown } | undefined)?.url;
          if (typeof url !== 'string') throw new ItemError('bad-part', 'image part without a URL');
          content.push(await loadUrl(url, root));
        } else throw new ItemError('unknown-content-type', `Unknown content type: ${String(t)}`);
      }
    } else throw new ItemError('bad-message', 'content is neither a string nor a list of parts');
    out.push({ role, content });
  }
  return { id, messages: out };
}

export const chatAdapter: IngestAdapter = {
  async *read(unit: string, o: ResolvedIngestOptions): AsyncIterable<LazyItem> {
    const root = o.images ?? dirname(unit);
    for await (const r of jsonRecords(unit)) {
      const where = { file: unit, ...r.where };
      yield async (): Promise<IngestItem> => {
        const parsed = parseRawRecord(r, where);
        if ('error' in parsed) return parsed.error;
        const v = parsed.value;
        try {
          const doc = await normaliseChatValue(v, o, root);
          return { kind: 'doc', doc, where: r.where };
        } catch (e) {
          if (e instanceof ItemError) return { kind: 'error', error: { reason: e.reason, message: e.message, ...where, ...(e.member ? { member: e.member } : {}) } };
          throw e;
        }
      };
    }
  },
};
