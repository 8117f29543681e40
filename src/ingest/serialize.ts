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
