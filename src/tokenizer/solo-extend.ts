/**
 * SOLO vocabulary surgery (spec/tokenizer.md §1.4, the reference's create_solo.py and
 * add_chat_tokens_solo.py): append `<vision> <vpatch> <vrow_sep> <vframe_sep> </vision>
 * <loc_1>…<loc_1024>` and optionally `<|im_start|> <|im_end|>` as NORMAL pieces (`piece` and
 * `score = 0` present, `type` absent), then re-serialise the ModelProto. Reproduces the reference
 * files byte for byte (the base proto round-trips exactly, see formats/sentencepiece).
 */
import { rename, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SoloError, UsageError } from '../errors.js';
import {
  newSentencePieceEntry,
  readSentencePieceModel,
  writeSentencePieceModel,
} from '../formats/sentencepiece/index.js';

/** The vision tokens SOLO appends, in id order (ids 32000… for Mistral). */
export const SOLO_VISION_TOKENS: readonly string[] = Object.freeze([
  '<vision>',
  '<vpatch>',
  '<vrow_sep>',
  '<vframe_sep>',
  '</vision>',
  ...Array.from({ length: 1024 }, (_, i) => `<loc_${i + 1}>`),
]);

/** The chat tokens appended after the vision tokens (SFT variant). */
export const SOLO_CHAT_TOKENS: readonly string[] = Object.freeze(['<|im_start|>', '<|im_end|>']);

export interface ExtendSoloOptions {
  /** Also append `<|im_start|>` and `<|im_end|>`. */
  chatTokens?: boolean;
}

/**
 * Extend `tokenizer.model` bytes with the SOLO pieces. Refuses a model that already has them, unless
 * it has all vision tokens and none of the chat tokens and `chatTokens` is set (the SFT path).
 */
export function extendSoloModelBytes(buf: Uint8Array, opts: ExtendSoloOptions = {}): Uint8Array {
  const model = readSentencePieceModel(buf);
  const have = new Set(model.pieces.map((p) => p.piece ?? ''));
  const visionHave = SOLO_VISION_TOKENS.filter((t) => have.has(t)).length;
  const chatHave = SOLO_CHAT_TOKENS.filter((t) => have.has(t)).length;
  let add: string[];
  if (visionHave === 0 && chatHave === 0) {
    add = [...SOLO_VISION_TOKENS, ...(opts.chatTokens ? SOLO_CHAT_TOKENS : [])];
  } else if (visionHave === SOLO_VISION_TOKENS.length && chatHave === 0) {
    if (!opts.chatTokens) {
      throw new UsageError('the model already has the SOLO vision tokens (use --chat-tokens to add only <|im_start|> <|im_end|>)');
    }
    add = [...SOLO_CHAT_TOKENS];
  } else if (visionHave === SOLO_VISION_TOKENS.length && chatHave === SOLO_CHAT_TOKENS.length) {
    throw new UsageError('the model already has all SOLO tokens');
  } else {
    throw new SoloError(
      `the model has only part of the SOLO tokens (${visionHave}/${SOLO_VISION_TOKENS.length} vision, ` +
        `${chatHave}/${SOLO_CHAT_TOKENS.length} chat); refusing to extend it`,
    );
  }
  for (const t of add) model.pieces.push(newSentencePieceEntry(t, 0));
  return writeSentencePieceModel(model);
}

export interface ExtendSoloTokenizerOptions extends ExtendSoloOptions {
  /** Path of the base `tokenizer.model`. */
  base: string;
  /** Output path (written atomically: temporary name, then rename). */
  out: string;
}

/** File-level `solo tokenizer extend`. Returns the piece count of the written model. */
export async function extendSoloTokenizer(opts: ExtendSoloTokenizerOptions): Promise<{ pieces: number; bytes: number }> {
  let buf: Buffer;
  try {
    buf = await readFile(opts.base);
  } catch (err) {
    throw new UsageError(`cannot read base tokenizer ${opts.base}: ${(err as Error).message}`);
  }
  const out = extendSoloModelBytes(buf, { chatTokens: opts.chatTokens });
  const pieces = readSentencePieceModel(out).pieces.length;
  const tmp = join(dirname(opts.out), `.${basename(opts.out)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await writeFile(tmp, out);
    await rename(tmp, opts.out);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new SoloError(`cannot write ${opts.out}: ${(err as Error).message}`, { cause: err });
  }
  return { pieces, bytes: out.length };
}
