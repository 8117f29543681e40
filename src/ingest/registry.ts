/** Adapter name → implementation (imported by the dispatcher and the worker thread). */
import { UsageError } from '../errors.js';
import type { IngestAdapter } from './adapter.js';
import { chatAdapter } from './chat.js';
import { imagenetAdapter } from './imagenet.js';
import { interleavedAdapter } from './interleaved.js';
import { llavaAdapter } from './llava.js';
import { qaAdapter } from './qa.js';
import { tableAdapter } from './table.js';
import { textAdapter } from './text.js';
import { webdatasetAdapter } from './webdataset.js';
import type { IngestAdapterName } from './types.js';

export const INGEST_ADAPTERS: Record<IngestAdapterName, IngestAdapter> = {
  llava: llavaAdapter,
  webdataset: webdatasetAdapter,
  imagenet: imagenetAdapter,
  text: textAdapter,
  interleaved: interleavedAdapter,
  chat: chatAdapter,
  qa: qaAdapter,
  table: tableAdapter,
};

export function getAdapter(name: string): IngestAdapter {
  const a = (INGEST_ADAPTERS as Record<string, IngestAdapter>)[name];
  if (!a) throw new UsageError(`unknown ingest adapter '${name}' (known: ${Object.keys(INGEST_ADAPTERS).join(', ')})`);
  return a;
}
