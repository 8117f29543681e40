/**
 * Thin call site for the tokenizer operations model commands need: the piece count of a
 * SentencePiece `tokenizer.model` (the format module's field walk, no full parse) and the SOLO
 * token extension, which is the tokenizer module's.
 */
export { sentencePieceCount } from '../formats/sentencepiece/index.js';

/** SOLO vocabulary extension: the tokenizer module's (spec §2.2 splice, byte-exact). */
export { extendSoloModelBytes } from '../tokenizer/index.js';
