// Public API of src/tokenizer: exact SentencePiece BPE (sentencepiece 0.1.97), the Megatron
// `_SentencePieceTokenizer` wrapper, SOLO vocabulary surgery and `solo tokenizer info`.
export {
  SentencePieceProcessor,
  TokenizerInputError,
  assertWellFormed,
  loadSentencePiece,
  loadSentencePieceFromBytes,
} from './processor.js';
export { MegatronSentencePieceTokenizer, createMegatronTokenizer, pythonStrip } from './megatron.js';
export type { MegatronTokenizerOptions } from './megatron.js';
export {
  SOLO_VISION_TOKENS,
  SOLO_CHAT_TOKENS,
  extendSoloModelBytes,
  extendSoloTokenizer,
} from './solo-extend.js';
export type { ExtendSoloOptions, ExtendSoloTokenizerOptions } from './solo-extend.js';
export { tokenizerInfo, buildablePieces } from './info.js';
export type { TokenizerInfo } from './info.js';
export { decodeUtf8Lenient } from './decode.js';
export {
  readSentencePieceModel,
  writeSentencePieceModel,
  SentencePieceType,
} from '../formats/sentencepiece/index.js';
export type { SentencePieceModelProto } from '../formats/sentencepiece/index.js';
export { encodeTokenizerLines, decodeTokenizerLines } from './json-lines.js';
export type { TokenizerLinesOptions, TokenizerLinesResult } from './json-lines.js';
