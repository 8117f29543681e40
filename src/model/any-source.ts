/**
 * A checkpoint of any kind (HF directory, or Megatron directory: release, sharded, trained) seen
 * as HF-named full tensors, for `model verify`. Megatron parameters are merged across TP/PP and
 * un-fused (q/k/v, gate/up); vocabulary tensors keep every stored (padded) row.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SoloError } from '../errors.js';
import { openHfSource } from './hf-source.js';
import { openMegatronSource } from './megatron-source.js';
import { hfTensorReader } from './to-hf.js';
import { hfNames, hfShape } from './names.js';
import type { DType, Tensor } from './tensor.js';
import type { ModelShape } from './shape.js';

export interface AnySource {
  kind: 'hf' | 'megatron';
  path: string;
  shape: ModelShape;
  /** HF tensor names available. */
  names: string[];
  info(name: string): { dtype: DType; shape: number[] };
  read(name: string): Promise<Tensor>;
  /** Free-form notes (e.g. PP stages whose vision weights differ: DEFECT-1). */
  notes: string[];
  close(): Promise<void>;
}

export async function openAnySource(path: string, opts: { iteration?: number | 'release' } = {}): Promise<AnySource> {
  if (existsSync(join(path, 'latest_checkpointed_iteration.txt'))) {
    const src = await openMegatronSource(path, opts);
    const vocab = src.storedVocabRows;
    const lmRows = src.storedLmHeadRows;
    const read = hfTensorReader(src, vocab, src.dtype);
    const notes: string[] = [];
    if (src.pp > 1) {
      const st = await src.readVisionStages();
      const lastData = st[st.length - 1]!.data;
      st.slice(0, -1).forEach((t, i) => {
        if (!t.data.equals(lastData)) notes.push(`PP stage ${i} holds different embed_vision_patch values than the last stage (the reference's uninitialised copy, DEFECT-1); the last stage's are used`);
      });
    }
    return {
      kind: 'megatron', path, shape: src.shape, names: hfNames(src.shape), notes,
      info: (n) => ({ dtype: src.dtype, shape: hfShape(src.shape, n, n === 'lm_head.weight' ? lmRows : vocab) }),
      read: async (n) => (n === 'lm_head.weight' ? hfTensorReader(src, lmRows, src.dtype)(n) : read(n)),
      close: () => src.close(),
    };
  }
  if (existsSync(join(path, 'config.json'))) {
    const src = await openHfSource(path);
    return {
      kind: 'hf', path, shape: src.shape, names: src.tensors.map((t) => t.name), notes: [],
      info: (n) => src.info(n),
      read: (n) => src.read(n),
      close: () => src.close(),
    };
  }
  throw new SoloError(`${path}: neither an HF model directory (config.json) nor a Megatron checkpoint (latest_checkpointed_iteration.txt)`);
}
