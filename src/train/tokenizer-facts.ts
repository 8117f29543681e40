/** Tokenizer facts for validation: the piece count of a SentencePiece `tokenizer.model` and its SHA-256. */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { sentencePieceCount } from '../formats/sentencepiece/index.js';

export { sentencePieceCount };

export function tokenizerFacts(path: string): { vocabSize: number; sha256: string } {
  const buf = readFileSync(path);
  return { vocabSize: sentencePieceCount(buf, path), sha256: createHash('sha256').update(buf).digest('hex') };
}
