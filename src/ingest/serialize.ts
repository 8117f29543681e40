/**
 * Serialisation of finished documents to one chat-JSONL line: envelope (spec A.1 E1/E2/E3),
 * content style and JSON flavour. `python` and `ujson` are hand-written walkers because they differ
 * from JSON.stringify (ASCII escaping, separators, `\/`); any JSON parser reads all three alike.
 */
import type { IngestEnvelope, IngestJsonStyle } from './types.js';

export interface OutPart {
  type: 'text' | 'image_url';
  text?: string;
  image_url?: { url: string };
}
export interface OutMessage {
  role: string;
  content: OutPart[] | string;
}

export function envelopeValue(id: string | undefined, messages: OutMessage[], envelope: IngestEnvelope): unknown {
  if (envelope === 'messages-array') return messages;
  if (envelope === 'single-message') {
    if (messages.length !== 1) throw new Error(`single-message envelope needs exactly one message, got ${messages.length}`);
    return messages[0];
  }
  return id !== undefined ? { id, conversations: messages } : { conversations: messages };
}

function escapeAscii(s: string, slash: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (c === 0x2f && slash) rep = '\\/';
    else if (c < 0x20 || c > 0x7e) {
      rep =
        c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : c === 0x08 ? '\\b' : c === 0x0c ? '\\f' : '\\u' + c.toString(16).padStart(4, '0');
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

function walk(v: unknown, style: 'python' | 'ujson'): string {
  if (typeof v === 'string') return escapeAscii(v, style === 'ujson');
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  const [comma, colon] = style === 'python' ? [', ', ': '] : [',', ':'];
  if (Array.isArray(v)) return '[' + v.map((x) => walk(x, style)).join(comma) + ']';
  return (
    '{' +
    Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => escapeAscii(k, style === 'ujson') + colon + walk(x, style))
      .join(comma) +
    '}'
  );
}

export function serializeLine(value: unknown, style: IngestJsonStyle): string {
  return style === 'compact' ? JSON.stringify(value) : walk(value, style);
}

const NONCE = Math.random().toString(36).slice(2, 10);
const MARK = new RegExp(`@@solo-img-${NONCE}-(\\d+)@@`, 'g');

/**
 * Serialise with every image URL spliced in afterwards: the skeleton (small) goes through the JSON
 * writer, the URLs (base64, ASCII) are passed through as they are (`/` escaped for ujson).
 * Returns the parts and the line's UTF-8 byte length (without the newline).
 */
export function serializeLineParts(
  id: string | undefined,
  messages: OutMessage[],
  envelope: IngestEnvelope,
  style: IngestJsonStyle,
): { parts: Array<{ text: string } | { ascii: string }>; bytes: number } {
  const urls: string[] = [];
  const skel = messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((p) => (p.image_url ? { type: p.type, image_url: { url: `@@solo-img-${NONCE}-${urls.push(p.image_url.url) - 1}@@` } } : p)),
  }));
  const text = serializeLine(envelopeValue(id, skel, envelope), style);
  const parts: Array<{ text: string } | { ascii: string }> = [];
  let bytes = 0;
  let last = 0;
  for (const m of text.matchAll(MARK)) {
    const t = text.slice(last, m.index);
    parts.push({ text: t });
    bytes += Buffer.byteLength(t);
    let u = urls[Number(m[1])]!;
    if (style === 'ujson') u = u.replace(/\//g, '\\/');
    parts.push({ ascii: u });
    bytes += u.length;
    last = m.index! + m[0].length;
  }
  const tail = text.slice(last);
  parts.push({ text: tail });
  bytes += Buffer.byteLength(tail);
  return { parts, bytes };
}
