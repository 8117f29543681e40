/**
 * `solo tokenizer encode|decode|info|extend`: CLI layer (flag parsing, output plumbing) over
 * src/tokenizer (encodeTokenizerLines, decodeTokenizerLines, tokenizerInfo, extendSoloTokenizer).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  decodeTokenizerLines,
  encodeTokenizerLines,
  extendSoloTokenizer,
  loadSentencePiece,
  tokenizerInfo,
  type TokenizerInfo,
  type TokenizerLinesOptions,
  type TokenizerLinesResult,
} from '../tokenizer/index.js';
import { action, createReporter, globals } from './shared.js';

function writeTo(stream: NodeJS.WritableStream) {
  return (chunk: string): Promise<void> | void => {
    if (stream.write(chunk)) return;
    return new Promise((resolve) => stream.once('drain', () => resolve()));
  };
}

interface LinesFlags {
  model: string;
  megatron?: boolean;
  input?: string;
  out?: string;
}

async function runLines(
  fn: (o: TokenizerLinesOptions) => Promise<TokenizerLinesResult>,
  f: LinesFlags,
  cmd: Command,
): Promise<number> {
  const g = globals(cmd);
  const rep = createReporter(g);
  const toStdout = f.out === undefined || f.out === '-';
  let file: WriteStream | undefined;
  let tmp = '';
  if (!toStdout) {
    tmp = join(dirname(f.out!), `.${basename(f.out!)}.tmp-${process.pid}`);
    file = createWriteStream(tmp);
  }
  let errors = 0;
  try {
    const r = await fn({
      model: f.model,
      megatron: !!f.megatron,
      input: f.input,
      write: writeTo(file ?? process.stdout),
      onError: (e) => {
        errors++;
        if (errors <= 20) rep.warn(e.message);
      },
      // progress lines would mix with the ids when both go to stdout under --json
      onProgress: toStdout && g.json ? undefined : rep.progress,
    });
    if (file) {
      await new Promise<void>((resolve, reject) => file!.end((err?: Error | null) => (err ? reject(err) : resolve())));
      await rename(tmp, f.out!);
    }
    if (errors > 20) rep.warn(`… ${errors - 20} more bad lines`);
    rep.finish({ ...r, output: toStdout ? '-' : f.out });
    return r.errors > 0 ? 1 : 0;
  } catch (err) {
    if (file) {
      file.destroy();
      await rm(tmp, { force: true });
    }
    throw err;
  }
}

/** Human-readable `info` (stdout). Exported for tests. */
export function formatTokenizerInfo(i: TokenizerInfo): string {
  const lines = [
    `pieces:        ${i.pieces} (trainer_spec.vocab_size ${i.trainerVocabSize ?? '-'})`,
    `model type:    ${i.modelType}`,
    `piece types:   ${Object.entries(i.typeCounts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `normalizer:    ${i.flags.normalizer || '-'}; add_dummy_prefix ${i.flags.addDummyPrefix}, remove_extra_whitespaces ${i.flags.removeExtraWhitespaces}, escape_whitespaces ${i.flags.escapeWhitespaces}, byte_fallback ${i.flags.byteFallback}`,
    `special ids:   unk ${i.special.unk}, bos ${i.special.bos}, eos ${i.special.eos}, pad ${i.special.pad}; unk surface ${JSON.stringify(i.special.unkSurface)}`,
    `encoder:       ${i.fastPath ? 'fast (chunked)' : `general (${i.fastPathReason})`}`,
  ];
  if (i.solo) {
    lines.push(
      `SOLO tokens:   ${i.solo.variant} (${i.solo.buildable === 0 ? 'none can be formed by merges: extended model encodes like the base' : `WARNING: ${i.solo.buildable} can be formed by merges`}); ${Object.entries(i.solo.vision).map(([k, v]) => `${k} ${v}`).join(', ')}, <loc_1> ${i.solo.loc1 ?? '-'}, <loc_1024> ${i.solo.loc1024 ?? '-'}` +
        (Object.keys(i.solo.chat).length ? `, ${Object.entries(i.solo.chat).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''),
    );
  } else lines.push('SOLO tokens:   none');
  lines.push(
    `megatron:      --no_new_tokens vocab_size ${i.megatron.vocabSize}; special ${Object.entries(i.megatron.specialTokens).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}; bos ${i.megatron.bos}, eos ${i.megatron.eos}, pad ${i.megatron.pad}, eod ${i.megatron.eod}`,
  );
  return lines.join('\n');
}

export function register(program: Command): void {
  const tok = program
    .command('tokenizer')
    .description('exact SentencePiece BPE (sentencepiece 0.1.97) encode/decode, model info, SOLO vocabulary surgery');

  tok
    .command('encode')
    .description('encode text lines to token ids (one JSON array per input line)')
    .requiredOption('--model <file>', 'tokenizer.model')
    .option('--megatron', "apply Megatron's _SentencePieceTokenizer.tokenize (--no_new_tokens): split at <s>/</s>, encode each segment")
    .option('--input <file>', "input lines: a JSON string or {\"text\": string} each ('-' = stdin, the default)")
    .option('--out <file>', "output file (written atomically; default stdout)")
    .addHelpText(
      'after',
      `
A line that cannot be encoded (bad JSON, wrong shape, lone surrogate) gives "null" and a warning;
the exit code is then 1. With --json and stdout output, the summary object is the last line.

Examples:
  $ echo '"Hello world!"' | solo tokenizer encode --model tokenizer.model
  [22557,1526,28808]
  $ solo tokenizer encode --model solo.model --megatron --input texts.jsonl --out ids.jsonl`,
    )
    .action(action(async (f: LinesFlags, cmd: Command) => runLines(encodeTokenizerLines, f, cmd)));

  tok
    .command('decode')
    .description('decode token id arrays to text (one JSON string per input line), like decode_ids')
    .requiredOption('--model <file>', 'tokenizer.model')
    .option('--megatron', "use Megatron's detokenize (special tokens kept as text, result stripped)")
    .option('--input <file>', "input lines: JSON arrays of ids ('-' = stdin, the default)")
    .option('--out <file>', 'output file (written atomically; default stdout)')
    .addHelpText(
      'after',
      `
Example:
  $ echo '[1, 22557, 1526]' | solo tokenizer decode --model tokenizer.model
  "Hello world"`,
    )
    .action(action(async (f: LinesFlags, cmd: Command) => runLines(decodeTokenizerLines, f, cmd)));

  tok
    .command('info')
    .description('pieces, piece types, normalizer flags, special ids, SOLO token ids, Megatron view')
    .requiredOption('--model <file>', 'tokenizer.model')
    .action(
      action(async (f: { model: string }, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const info = tokenizerInfo(await loadSentencePiece(f.model));
        if (g.json) rep.finish(info);
        else process.stdout.write(formatTokenizerInfo(info) + '\n');
      }),
    );

  tok
    .command('extend')
    .description('append the SOLO tokens (<vision> … </vision>, <loc_1>…<loc_1024>) as the reference create_solo.py does')
    .requiredOption('--base <file>', 'base tokenizer.model (e.g. Mistral-7B-v0.1)')
    .requiredOption('--out <file>', 'output tokenizer.model (written atomically)')
    .option('--chat-tokens', 'also append <|im_start|> <|im_end|> (33,031 pieces for Mistral); alone on a SOLO model without them: the SFT path')
    .addHelpText(
      'after',
      `
Examples:
  $ solo tokenizer extend --base mistral/tokenizer.model --out solo/tokenizer.model            # 33029 pieces
  $ solo tokenizer extend --base mistral/tokenizer.model --out solo/tokenizer.model --chat-tokens  # 33031
  $ solo tokenizer extend --base solo-33029/tokenizer.model --out sft/tokenizer.model --chat-tokens`,
    )
    .action(
      action(async (f: { base: string; out: string; chatTokens?: boolean }, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const r = await extendSoloTokenizer({ base: f.base, out: f.out, chatTokens: !!f.chatTokens });
        if (g.json) rep.finish({ ...r, out: f.out });
        else rep.info(`wrote ${f.out} (${r.pieces} pieces, ${r.bytes} bytes)`);
      }),
    );
}
