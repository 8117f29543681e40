/** Find and load the tokenizer that decodes a dataset prefix (explicit path, or one beside it). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { loadSentencePiece } from '../tokenizer/index.js';
import type { InspectTokenizer } from './decode-pack.js';

export async function loadInspectTokenizer(prefix: string, explicit?: string): Promise<InspectTokenizer> {
  const candidates = explicit ? [explicit] : [join(dirname(prefix), 'tokenizer.model'), join(dirname(dirname(prefix)), 'tokenizer.model')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new UsageError(`no tokenizer: pass --tokenizer <tokenizer.model> (looked for ${candidates.join(', ')})`);
  return loadSentencePiece(found);
}
