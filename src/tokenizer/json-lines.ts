/**
 * Line-oriented encode/decode behind `solo tokenizer encode|decode`: one output line per input line.
 * Encode input lines are a JSON string or `{"text": string}`; output lines are JSON arrays of ids.
 * Decode input lines are JSON arrays of ids; output lines are JSON strings. A line that cannot be
 * processed (bad JSON, wrong shape, lone surrogate, id out of range) gives `null` and an InputError
 * in the result, so the output stays aligned with the input.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { createMegatronTokenizer } from './megatron.js';
import { loadSentencePiece } from './processor.js';

export interface TokenizerLinesOptions {
  /** tokenizer.model path */
  model: string;
  /** Apply the Megatron wrapper (`--no_new_tokens`): special-token splitting / detokenize. */
  megatron?: boolean;
  /** Input file, or '-' / undefined for stdin. */
  input?: string;
  /** Where output lines go (each call gets one or more complete lines). */
  write: (chunk: string) => void | Promise<void>;
  /** Called for each bad line (the output line is `null`). */
  onError?: (err: InputError) => void;
  onProgress?: ProgressFn;
}

export interface TokenizerLinesResult {
  lines: number;
  errors: number;
  /** ids written (encode) or ids read (decode) */
  tokens: number;
}

async function* readLines(input: string | undefined): AsyncGenerator<string> {
  const stream = input === undefined || input === '-' ? process.stdin : createReadStream(input);
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

async function run(
  opts: TokenizerLinesOptions,
  stage: string,
  perLine: (line: string) => { out: string; tokens: number },
): Promise<TokenizerLinesResult> {
  const file = opts.input === undefined || opts.input === '-' ? '<stdin>' : opts.input;
  let lines = 0;
  let errors = 0;
  let tokens = 0;
  let buf: string[] = [];
  let bufLen = 0;
  const flush = async (): Promise<void> => {
    if (buf.length === 0) return;
    const chunk = buf.join('');
    buf = [];
    bufLen = 0;
    await opts.write(chunk);
  };
  for await (const line of readLines(opts.input)) {
    lines++;
    let out: string;
    try {
      const r = perLine(line);
      out = r.out;
      tokens += r.tokens;
    } catch (err) {
      errors++;
      const e = err instanceof InputError ? err : new InputError('bad-line', (err as Error).message, { file, line: lines });
      opts.onError?.(e.location ? e : new InputError(e.reason, e.message, { file, line: lines }));
      out = 'null';
    }
    buf.push(out, '\n');
    bufLen += out.length + 1;
    if (bufLen > 1 << 16) await flush();
    if (opts.onProgress && lines % 10000 === 0) opts.onProgress({ stage, done: lines, unit: 'lines', errors });
  }
  await flush();
  opts.onProgress?.({ stage, done: lines, total: lines, unit: 'lines', errors });
  return { lines, errors, tokens };
}

/** Encode JSON lines to id arrays. */
export async function encodeTokenizerLines(opts: TokenizerLinesOptions): Promise<TokenizerLinesResult> {
  const sp = await loadSentencePiece(opts.model);
  const meg = opts.megatron ? createMegatronTokenizer(sp, { noNewTokens: true }) : undefined;
  return run(opts, 'encode', (line) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new InputError('invalid-json', `invalid JSON: ${(err as Error).message}`);
    }
    const text = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string' ? (v as { text: string }).text : undefined;
    if (text === undefined) throw new InputError('bad-shape', 'expected a JSON string or {"text": string}');
    const ids = meg ? meg.tokenize(text) : sp.encode(text);
    return { out: JSON.stringify(ids), tokens: ids.length };
  });
}

/** Decode JSON id arrays to JSON strings. */
export async function decodeTokenizerLines(opts: TokenizerLinesOptions): Promise<TokenizerLinesResult> {
  const sp = await loadSentencePiece(opts.model);
  const meg = opts.megatron ? createMegatronTokenizer(sp, { noNewTokens: true }) : undefined;
  return run(opts, 'decode', (line) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new InputError('invalid-json', `invalid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new InputError('bad-shape', 'expected a JSON array of integer ids');
    const ids = v as number[];
    let text: string;
    try {
      text = meg ? meg.detokenize(ids) : sp.decode(ids);
    } catch (err) {
      throw new InputError('bad-id', (err as Error).message);
    }
    return { out: JSON.stringify(text), tokens: ids.length };
  });
}
