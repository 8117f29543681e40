/**
 * The one place where ingest imports the foundation modules (src/formats/jsonl, src/chat). While
 * those were written in parallel this file pointed at private shims; now it re-exports the real
 * implementations.
 */
export { createLineWriter, readLines, expandInputPatterns, type LineWriter } from '../formats/jsonl/index.js';
export { sniffImageType, toDataUrl, decodeImageDataUrl, hasLoneSurrogate, validateChatFiles } from '../chat/index.js';
