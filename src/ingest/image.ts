/**
 * Image parts → data URLs. Bytes are copied unchanged by default; the MIME type is sniffed from
 * the magic bytes (the reference always claims image/jpeg; `mimePolicy:'jpeg-compat'` restores
 * that). Zero-byte and unrecognised images are record errors. `maxSide` re-encodes (sharp) only
 * images whose longest side is larger, keeping their format; `validate:'decode'` fully decodes.
 */
import sharp from 'sharp';
import { sniffImageType, toDataUrl } from './deps.js';
import type { IngestDoc, IngestJsonStyle } from './types.js';
import type { OutMessage, OutPart } from './serialize.js';
import { hasLoneSurrogate } from './jsonsource.js';

/** A record-level failure while finishing a document (quarantined, never fatal). */
export class ItemError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly member?: string,
  ) {
    super(message);
  }
}

export interface FinishOptions {
  mimePolicy: 'sniff' | 'jpeg-compat';
  validate: 'none' | 'header' | 'decode';
  maxSide?: number;
  contentStyle: 'parts' | 'string';
  jsonStyle: IngestJsonStyle;
}

export interface FinishedDoc {
  id?: string;
  messages: OutMessage[];
  images: number;
  imageBytes: number;
  mimes: string[];
}

async function reencode(bytes: Uint8Array, type: string, maxSide: number): Promise<Uint8Array> {
  const img = sharp(bytes);
  const meta = await img.metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (Math.max(w, h) <= maxSide) return bytes;
  const r = img.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  const out = type === 'png' ? r.png() : type === 'webp' ? r.webp({ quality: 95 }) : r.jpeg({ quality: 95 });
  return new Uint8Array(await out.toBuffer());
}

export async function finishImage(
  bytes: Uint8Array,
  source: string,
  o: FinishOptions,
  declaredMime?: string,
): Promise<{ url: string; bytes: number; mime: string }> {
  if (bytes.byteLength === 0) throw new ItemError('empty-image', 'zero-byte image', source);
  const sniff = sniffImageType(bytes);
  if (!sniff && o.validate !== 'none') throw new ItemError('unknown-image-type', 'not a recognised image (magic bytes)', source);
  if (o.validate === 'decode') {
    try {
      await sharp(bytes).raw().toBuffer();
    } catch (e) {
      throw new ItemError('corrupt-image', `image does not decode: ${(e as Error).message}`, source);
    }
  }
  let data = bytes;
  if (o.maxSide && sniff) {
    try {
      data = await reencode(bytes, sniff.type, o.maxSide);
    } catch (e) {
      throw new ItemError('corrupt-image', `image does not decode for --max-side: ${(e as Error).message}`, source);
    }
  }
  const mime = o.mimePolicy === 'jpeg-compat' ? 'image/jpeg' : (sniff?.mime ?? declaredMime ?? 'image/jpeg');
  return { url: toDataUrl(data, mime), bytes: data.byteLength, mime };
}

/** Resolve every image part of a document; any bad image fails the whole document. */
export async function finishDoc(doc: IngestDoc, o: FinishOptions): Promise<FinishedDoc> {
  let images = 0;
  let imageBytes = 0;
  const mimes: string[] = [];
  const messages: OutMessage[] = [];
  for (const m of doc.messages) {
    const parts: OutPart[] = [];
    for (const p of m.content) {
      if (p.type === 'text') {
        if (hasLoneSurrogate(p.text)) throw new ItemError('invalid-text', 'text contains a lone UTF-16 surrogate (the tokenizer rejects it)');
        parts.push({ type: 'text', text: p.text });
      }
      else {
        const r = await finishImage(p.bytes, p.source, o, p.mime);
        images++;
        imageBytes += r.bytes;
        mimes.push(r.mime);
        parts.push({ type: 'image_url', image_url: { url: r.url } });
      }
    }
    const lone = parts.length === 1 && parts[0]!.type === 'text';
    messages.push({ role: m.role, content: o.contentStyle === 'string' && lone ? parts[0]!.text! : parts });
  }
  return { id: doc.id, messages, images, imageBytes, mimes };
}
