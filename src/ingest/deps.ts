/**
 * The one place where ingest imports the foundation modules (src/formats/jsonl, src/chat).
 * While those were being written in parallel this file pointed at private shims; it is the only
 * file to change when switching.
 */
export { createLineWriter, readLines, expandInputPatterns } from './shim-jsonl.js';
export { sniffImageType, toDataUrl, pythonB64Decode, parseDataUrl } from './shim-chat.js';
