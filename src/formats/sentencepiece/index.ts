// Public API of src/formats/sentencepiece: the tokenizer.model (ModelProto) reader and writer.
export {
  SentencePieceType,
  SentencePieceModelType,
  UNKNOWN_FIELDS,
  readSentencePieceModel,
  writeSentencePieceModel,
  hasSentencePieceField,
  newSentencePieceEntry,
} from './model.js';
export type {
  SentencePieceTypeValue,
  SentencePieceEntry,
  SentencePieceTrainerSpec,
  SentencePieceNormalizerSpec,
  SentencePieceModelProto,
} from './model.js';
export { SENTENCEPIECE_MODEL_PROTO } from './schema.js';
export { sentencePieceCount } from './count.js';
