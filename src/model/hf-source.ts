/**
 * Reads the weights of an HF directory tensor by tensor: safetensors (single or sharded, pread)
 * or, when there is none, `pytorch_model*.bin` torch files (lazy). Also its config and tokenizer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SoloError } from '../errors.js';
import { hasSafetensors, openSafetensorsModel, safetensorsToTorchDType, type SafetensorsModel } from '../formats/safetensors/index.js';
import { loadTorchFile, isTensorRef, type TorchFile, type TensorRef } from '../formats/torch/index.js';
import { makeTensor, type DType, type Tensor } from './tensor.js';
import { readHfConfig, hfConfigShape, type HfConfig } from './hf-config.js';
import type { ModelShape } from './shape.js';
import { hfNames, hfShape } from './names.js';

export interface HfTensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
}

export interface HfSource {
  readonly dir: string;
  readonly format: 'safetensors' | 'torch';
  readonly config: HfConfig;
  readonly shape: ModelShape;
  readonly tensors: HfTensorInfo[];
  info(name: string): HfTensorInfo;
  has(name: string): boolean;
  read(name: string): Promise<Tensor>;
  close(): Promise<void>;
}

export async function openHfSource(dir: string): Promise<HfSource> {
  if (!existsSync(join(dir, 'config.json'))) throw new SoloError(`${dir}: not an HF model directory (no config.json)`);
  const config = readHfConfig(dir);
  const shape = hfConfigShape(config, join(dir, 'config.json'));
  if (hasSafetensors(dir)) {
    const m: SafetensorsModel = await openSafetensorsModel(dir);
    const tensors = m.tensors.map((t) => ({ name: t.name, dtype: safetensorsToTorchDType(t.dtype) as DType, shape: t.shape }));
    return sourceOver({ dir, format: 'safetensors', config, shape }, tensors, (n) => m.read(n), () => m.close());
  }
  // pytorch_model.bin or pytorch_model-0000k-of-0000n.bin + index
  let files: string[];
  const idx = join(dir, 'pytorch_model.bin.index.json');
  if (existsSync(idx)) {
    const j = JSON.parse(readFileSync(idx, 'utf8')) as { weight_map: Record<string, string> };
    files = [...new Set(Object.values(j.weight_map))].sort();
  } else if (existsSync(join(dir, 'pytorch_model.bin'))) files = ['pytorch_model.bin'];
  else throw new SoloError(`${dir}: no model.safetensors, safetensors index, pytorch_model.bin or its index`);
  const opened: TorchFile[] = [];
  const refs = new Map<string, TensorRef>();
  try {
    for (const f of files) {
      const tf = await loadTorchFile(join(dir, f));
      opened.push(tf);
      for (const [path, t] of tf.tensors()) {
        if (!isTensorRef(t)) continue;
        if (refs.has(path)) throw new SoloError(`${dir}: tensor ${path} appears twice`);
        refs.set(path, t);
      }
    }
  } catch (e) {
    await Promise.all(opened.map((o) => o.close()));
    throw e;
  }
  const tensors = [...refs.entries()].map(([name, t]) => ({ name, dtype: t.dtype as DType, shape: [...t.shape] }));
  return sourceOver({ dir, format: 'torch', config, shape }, tensors, (n) => refs.get(n)!.read(), async () => {
    await Promise.all(opened.map((o) => o.close()));
  });
}

/** An HfSource over a tensor table and a raw-bytes reader (both weight formats). */
function sourceOver(base: Pick<HfSource, 'dir' | 'format' | 'config' | 'shape'>, tensors: HfTensorInfo[], readBytes: (name: string) => Promise<Buffer>, close: () => Promise<void>): HfSource {
  const by = new Map(tensors.map((t) => [t.name, t]));
  const info = (n: string): HfTensorInfo => {
    const t = by.get(n);
    if (!t) throw new SoloError(`${base.dir}: no tensor ${n}`);
    return t;
  };
  return {
    ...base,
    tensors,
    info,
    has: (n) => by.has(n),
    read: async (n) => {
      const t = info(n);
      return makeTensor(t.dtype, [...t.shape], await readBytes(n));
    },
    close,
  };
}

/** Checks that `src` has every tensor of a SOLO (or, without vision, Mistral) model with the shapes its config implies. */
export function checkHfTensors(src: HfSource, opts: { vision: boolean }): void {
  const s = src.shape;
  const rows = src.has('model.embed_tokens.weight') ? src.info('model.embed_tokens.weight').shape[0]! : 0;
  for (const name of hfNames(s)) {
    if (name === 'model.embed_vision_patch.weight' && !opts.vision) continue;
    if (!src.has(name)) {
      throw new SoloError(name === 'model.embed_vision_patch.weight'
        ? `${src.dir}: no model.embed_vision_patch.weight: not a SOLO model (run 'solo model create' first)`
        : `${src.dir}: missing tensor ${name} (not a Mistral-shaped checkpoint?)`);
    }
    const want = name === 'lm_head.weight' ? [src.info(name).shape[0]!, s.hidden] : hfShape(s, name, rows);
    const have = src.info(name).shape;
    if (have.join() !== want.join()) throw new SoloError(`${src.dir}: ${name} has shape [${have}] but config.json implies [${want}]`);
  }
}
