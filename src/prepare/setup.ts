/**
 * Builds the encoder of a run from plain, cloneable settings, so the main thread and every pool
 * worker construct the same one: the Megatron SentencePiece tokenizer (`--no_new_tokens`) from
 * src/tokenizer and the image → patch pipeline from src/image.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { createMegatronTokenizer, loadSentencePieceFromBytes } from '../tokenizer/index.js';
import { imageToPatches } from '../image/index.js';
import { createDocEncoder, type DocEncoder, type EncoderOptions, type PatchDecoder, type PrepareTokenizer } from './encode.js';

/** Cloneable encoder settings (sent to workers). */
export interface EncoderSetup extends EncoderOptions {
  /** SentencePiece tokenizer.model path. */
  tokenizerPath: string;
}

const cache = new Map<string, PrepareTokenizer>();

/** Load `tokenizer.model` as the Megatron wrapper with `--no_new_tokens` (cached per file version in this thread). */
export function loadPrepareTokenizer(path: string): PrepareTokenizer {
  let bytes: Buffer;
  let key: string;
  try {
    const st = statSync(path);
    key = `${resolve(path)}:${st.size}:${st.mtimeMs}`;
    const hit = cache.get(key);
    if (hit) return hit;
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read tokenizer ${path}: ${(e as Error).message}`);
  }
  const mt = createMegatronTokenizer(loadSentencePieceFromBytes(bytes), { noNewTokens: true });
  const bosPiece = mt.idToToken(mt.bos);
  if (bosPiece === undefined) throw new UsageError(`tokenizer ${path} has no bos piece`);
  const tok: PrepareTokenizer = {
    tokenize: (t) => mt.tokenize(t),
    pieceToId: (p) => mt.tokenToId(p),
    vocabSize: mt.vocabSize,
    bosId: mt.bos,
    bosPiece,
  };
  if (cache.size > 4) cache.clear();
  cache.set(key, tok);
  return tok;
}

/** Image bytes → SOLO patches (Pillow-exact decode, resize, normalise, float16). */
export function loadPatchDecoder(): PatchDecoder {
  return async (bytes) => {
    const r = await imageToPatches(bytes);
    return { patches: r.patches, rows: r.rows, cols: r.cols };
  };
}

export function createEncoderFromSetup(s: EncoderSetup): { encoder: DocEncoder; tokenizer: PrepareTokenizer } {
  const tokenizer = loadPrepareTokenizer(s.tokenizerPath);
  return { encoder: createDocEncoder(tokenizer, loadPatchDecoder(), s), tokenizer };
}
