/**
 * `--compat` switches of the model commands (reference behaviours that are bugs; off by default).
 * `reference` turns on every switch of the command.
 */
import { UsageError } from '../errors.js';

export const MODEL_COMPAT = {
  /** shard: leave embed_vision_patch "uninitialised" (0x5A5A…, as the golden files) on every PP stage but the last (DEFECT-1). */
  'pp-vision-weights': 'shard',
  /** create: config.json keeps the input's torch_dtype even when the weights are cast (DEFECT-3). */
  'config-dtype': 'create',
  /** create: write float32 weights whatever the input dtype (create_solo.py loads without torch_dtype). */
  'create-fp32': 'create',
  /** create: add the chat tokens as the shipped create_solo.py does (33031 for Mistral). */
  'create-chat-tokens': 'create',
  /** to-megatron: write float32 tensors whatever the input dtype (hf_to_megatron.py). */
  'release-fp32': 'to-megatron',
  /** to-megatron: keep exactly 33029 vocabulary rows, hard-coded as hf_to_megatron.py does (DEFECT-2). */
  'release-vocab-33029': 'to-megatron',
} as const;

export type ModelCompat = keyof typeof MODEL_COMPAT;

export type ModelCompatCommand = (typeof MODEL_COMPAT)[ModelCompat];

export function parseModelCompat(list: readonly string[] | undefined, command: ModelCompatCommand): Set<ModelCompat> {
  const out = new Set<ModelCompat>();
  for (const raw of list ?? []) {
    for (const s of raw.split(',').map((x) => x.trim()).filter(Boolean)) {
      if (s === 'reference') {
        for (const [k, c] of Object.entries(MODEL_COMPAT)) if (c === command) out.add(k as ModelCompat);
        continue;
      }
      if (!(s in MODEL_COMPAT)) throw new UsageError(`unknown --compat switch '${s}' (known: ${Object.keys(MODEL_COMPAT).join(', ')}, reference)`);
      if (MODEL_COMPAT[s as ModelCompat] !== command) throw new UsageError(`--compat ${s} applies to 'model ${MODEL_COMPAT[s as ModelCompat]}', not 'model ${command}'`);
      out.add(s as ModelCompat);
    }
  }
  return out;
}
