/**
 * Shared fixtures for the tokenizer tests: the base Mistral model (copied from the reference
 * fixtures), the two SOLO variants generated from it with extendSoloModelBytes (their sha256 is
 * checked against the reference MANIFEST in solo-extend.test.ts), and golden.jsonl.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { extendSoloModelBytes, loadSentencePiece, type SentencePieceProcessor } from '../../src/tokenizer/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tokenizer');
export const BASE_MODEL_PATH = join(FIXTURES, 'mistral-7b-v0.1.tokenizer.model');

export const SHA256 = {
  base: 'dadfd56d766715c61d2ef780a525ab43b8e6da4de6865bda3d95fdef5e134055',
  solo33029: '6ccdd0c2fcae31a1aec7738c9952e65b215aa0976eaf927db555e715aad6d342',
  solo33031: '24356a5a3b0d7dcc6e38348b5ec35ddbbf86586d1948b162f4f9b44c7e5eacb2',
};

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let models: { base: Uint8Array; solo33029: Uint8Array; solo33031: Uint8Array } | undefined;

export function modelBytes(): { base: Uint8Array; solo33029: Uint8Array; solo33031: Uint8Array } {
  if (!models) {
    const base = new Uint8Array(readFileSync(BASE_MODEL_PATH));
    models = {
      base,
      solo33029: extendSoloModelBytes(base, { chatTokens: false }),
      solo33031: extendSoloModelBytes(base, { chatTokens: true }),
    };
  }
  return models;
}

const procs = new Map<string, SentencePieceProcessor>();
export function processor(name: 'base' | 'solo33029' | 'solo33031'): SentencePieceProcessor {
  let p = procs.get(name);
  if (!p) {
    p = loadSentencePiece(modelBytes()[name]);
    procs.set(name, p);
  }
  return p;
}

export interface GoldenRecord {
  id: number;
  note: string;
  text: string;
  sp_ids?: number[];
  sp_pieces?: string[];
  wrapper_ids?: number[];
  error?: string;
}

export function golden(): GoldenRecord[] {
  return readFileSync(join(FIXTURES, 'golden.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as GoldenRecord);
}
