/**
 * Facts about one Megatron dataset prefix P: which of its files exist (`P-{text,role,vision_patch,
 * vision_patch_indices}.{bin,idx}`, `P.jsonl`, `P_stats.json`, `P_DONE`) and the per-pack sums
 * of `P.jsonl` (one `{"n_tokens", "n_image_tokens", "n_images"}` line per pack), streamed.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';

export const DATASET_PARTS = ['text', 'role', 'vision_patch', 'vision_patch_indices'] as const;

export function prefixDataFiles(prefix: string): string[] {
  return DATASET_PARTS.flatMap((p) => [`${prefix}-${p}.bin`, `${prefix}-${p}.idx`]);
}

export interface PackStats {
  /** Packs (= lines of P.jsonl). */
  instances: number;
  tokens: number;
  imageTokens: number;
  textTokens: number;
  images: number;
  maxTokens: number;
}

export const emptyPackStats = (): PackStats => ({ instances: 0, tokens: 0, imageTokens: 0, textTokens: 0, images: 0, maxTokens: 0 });

export function addPack(s: PackStats, n: { n_tokens: number; n_image_tokens: number; n_images: number }): void {
  s.instances += 1;
  s.tokens += n.n_tokens;
  s.imageTokens += n.n_image_tokens;
  s.textTokens += n.n_tokens - n.n_image_tokens;
  s.images += n.n_images;
  if (n.n_tokens > s.maxTokens) s.maxTokens = n.n_tokens;
}

/** Parse one `P.jsonl` line. */
export function parsePackLine(line: string, file: string, lineNo: number): { n_tokens: number; n_image_tokens: number; n_images: number } {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new InputError('invalid-json', 'not a JSON object', { file, line: lineNo });
  }
  const nt = o.n_tokens, ni = o.n_image_tokens, nim = o.n_images;
  if (typeof nt !== 'number' || typeof ni !== 'number' || typeof nim !== 'number') {
    throw new InputError('bad-pack-stats', 'expected numeric n_tokens, n_image_tokens, n_images', { file, line: lineNo });
  }
  return { n_tokens: nt, n_image_tokens: ni, n_images: nim };
}

/** Stream `P.jsonl`; `onPack` sees every row (for subsampling). */
export async function readPackRows(prefix: string, onPack: (row: { n_tokens: number; n_image_tokens: number; n_images: number }, index: number) => void): Promise<number> {
  const file = `${prefix}.jsonl`;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    onPack(parsePackLine(line, file, lineNo), n++);
  }
  return n;
}

export async function readPackStats(prefix: string): Promise<PackStats> {
  const s = emptyPackStats();
  await readPackRows(prefix, (r) => addPack(s, r));
  return s;
}

export interface PrefixFiles {
  prefix: string;
  missingData: string[];
  hasJsonl: boolean;
  hasStats: boolean;
  done: boolean;
}

export function prefixFiles(prefix: string): PrefixFiles {
  return {
    prefix,
    missingData: prefixDataFiles(prefix).filter((f) => !existsSync(f)),
    hasJsonl: existsSync(`${prefix}.jsonl`),
    hasStats: existsSync(`${prefix}_stats.json`),
    done: existsSync(`${prefix}_DONE`),
  };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
