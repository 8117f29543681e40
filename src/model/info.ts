/**
 * `solo model info <path>`: what is inside an HF directory, a Megatron checkpoint directory, a
 * single `.pt` file or a `.safetensors` file: model shape, vocabulary (tokenizer pieces vs stored
 * vs padded rows), TP/PP layout, iteration(s), dtype, and the tensor table. Reads headers and
 * pickles only, never tensor data. Reused by `solo inspect`.
 */
import { existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { SoloError } from '../errors.js';
import { openSafetensors } from '../formats/safetensors/index.js';
import { loadTorchFile, PyNamespace, PyFloat, PyDict, type PyValue } from '../formats/torch/index.js';
import { openHfSource } from './hf-source.js';
import { openMegatronSource, readTracker, getKey, argsShape, type Iteration } from './megatron-source.js';
import { sentencePieceCount } from './tokenizer-shim.js';
import { megatronKeys, megatronShape } from './names.js';
import { hfConfigVocab } from './hf-config.js';
import type { ModelShape } from './shape.js';

export interface ModelInfoTensor {
  name: string;
  dtype: string;
  shape: number[];
}

export interface ModelInfo {
  path: string;
  kind: 'hf' | 'megatron' | 'torch-file' | 'safetensors-file';
  shape?: ModelShape;
  dtype?: string;
  vocab?: { tokenizerPieces?: number; configVocabSize?: number; storedRows?: number; paddedVocabSize?: number };
  megatron?: {
    iteration: Iteration;
    iterations: string[];
    tp: number;
    pp: number;
    form: 'release' | 'sharded';
    distributedOptimizer: boolean;
    files: string[];
    consumedTrainSamples?: number;
  };
  hf?: { format: string; files: string[] };
  torch?: { topKeys: string[]; iteration?: PyValue; checkpointVersion?: number };
  tensors: ModelInfoTensor[];
  totalBytes?: number;
}

const SIZE: Record<string, number> = { float32: 4, bfloat16: 2, float16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

export async function modelInfo(path: string, opts: { iteration?: number | 'release' } = {}): Promise<ModelInfo> {
  if (!existsSync(path)) throw new SoloError(`${path} does not exist`);
  if (statSync(path).isFile()) {
    if (path.endsWith('.safetensors')) {
      const f = await openSafetensors(path);
      await f.close();
      return { path, kind: 'safetensors-file', tensors: f.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })), totalBytes: f.tensors.reduce((a, t) => a + t.end - t.begin, 0) };
    }
    const f = await loadTorchFile(path);
    try {
      const root = f.root;
      const args = getKey(root, 'args');
      const cv = getKey(root, 'checkpoint_version');
      const tensors = f.tensors().map(([n, t]) => ({ name: n, dtype: t.dtype, shape: [...t.shape] }));
      return {
        path, kind: 'torch-file',
        shape: args instanceof PyNamespace ? safeShape(args, path) : undefined,
        torch: { topKeys: root instanceof PyDict ? [...root.keys()].map(String) : [], iteration: getKey(root, 'iteration'), checkpointVersion: cv instanceof PyFloat ? cv.value : undefined },
        vocab: args instanceof PyNamespace && typeof args.get('padded_vocab_size') === 'number' ? { paddedVocabSize: args.get('padded_vocab_size') as number } : undefined,
        tensors,
        totalBytes: tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1) * (SIZE[t.dtype] ?? 0), 0),
      };
    } finally {
      await f.close();
    }
  }
  if (existsSync(join(path, 'latest_checkpointed_iteration.txt'))) {
    const it = opts.iteration ?? readTracker(path);
    const src = await openMegatronSource(path, { iteration: it });
    try {
      const s = src.shape;
      const tensors = megatronKeys(s).map((k) => ({
        name: k, dtype: src.dtype,
        shape: megatronShape(s, k, k === 'lm_head' ? src.storedLmHeadRows : src.storedVocabRows),
      }));
      const cts = src.args.get('consumed_train_samples');
      return {
        path, kind: 'megatron', shape: s, dtype: src.dtype,
        vocab: { tokenizerPieces: src.tokenizerPieces, storedRows: src.storedVocabRows, paddedVocabSize: src.paddedVocabSize },
        megatron: {
          iteration: src.iteration,
          iterations: readdirSync(path).filter((n) => n === 'release' || /^iter_\d{7}$/.test(n)).sort(),
          tp: src.tp, pp: src.pp, form: src.form, distributedOptimizer: src.distributedOptimizer,
          files: src.files.flat().map((f) => f.slice(path.length + 1)),
          consumedTrainSamples: typeof cts === 'number' ? cts : undefined,
        },
        tensors,
        totalBytes: tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1) * (SIZE[t.dtype] ?? 0), 0),
      };
    } finally {
      await src.close();
    }
  }
  if (existsSync(join(path, 'config.json'))) {
    const src = await openHfSource(path);
    try {
      const tok = join(path, 'tokenizer.model');
      const files = readdirSync(path).filter((n) => n.endsWith('.safetensors') || n.endsWith('.bin')).sort();
      const emb = src.has('model.embed_tokens.weight') ? src.info('model.embed_tokens.weight') : undefined;
      let cfgVocab: number | undefined;
      try { cfgVocab = hfConfigVocab(src.config, path); } catch { cfgVocab = undefined; }
      return {
        path, kind: 'hf', shape: src.shape, dtype: emb?.dtype,
        vocab: { tokenizerPieces: existsSync(tok) ? sentencePieceCount(readFileSync(tok)) : undefined, configVocabSize: cfgVocab, storedRows: emb?.shape[0] },
        hf: { format: src.format, files },
        tensors: src.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })),
        totalBytes: src.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1) * (SIZE[t.dtype] ?? 0), 0),
      };
    } finally {
      await src.close();
    }
  }
  throw new SoloError(`${path}: not an HF model directory, a Megatron checkpoint directory, a .pt or a .safetensors file (${basename(path)})`);
}

function safeShape(a: PyNamespace, where: string): ModelShape | undefined {
  try {
    return argsShape(a, where);
  } catch {
    return undefined;
  }
}

/** Human-readable rendering of a ModelInfo. */
export function formatModelInfo(i: ModelInfo): string {
  const L: string[] = [`${i.path}: ${i.kind}`];
  if (i.shape) {
    const s = i.shape;
    L.push(`  shape: hidden ${s.hidden}, ffn ${s.ffn}, layers ${s.layers}, heads ${s.heads} (kv ${s.kvHeads}, dim ${s.headDim}), vision patch ${s.visionPatchSize} (${s.patchDim} inputs)`);
  }
  if (i.dtype) L.push(`  dtype: ${i.dtype}`);
  if (i.vocab) {
    const v = i.vocab;
    L.push(`  vocabulary: ${[v.tokenizerPieces !== undefined ? `tokenizer ${v.tokenizerPieces}` : '', v.configVocabSize !== undefined ? `config ${v.configVocabSize}` : '', v.storedRows !== undefined ? `stored rows ${v.storedRows}` : '', v.paddedVocabSize !== undefined ? `padded ${v.paddedVocabSize}` : ''].filter(Boolean).join(', ')}`);
  }
  if (i.megatron) {
    const m = i.megatron;
    L.push(`  iteration: ${m.iteration} (available: ${m.iterations.join(', ')})`);
    L.push(`  layout: TP ${m.tp} × PP ${m.pp}, ${m.form} form${m.distributedOptimizer ? ', distributed optimizer (model_rng.pt + optim files)' : ''}`);
    if (m.consumedTrainSamples !== undefined) L.push(`  consumed train samples: ${m.consumedTrainSamples}`);
    for (const f of m.files) L.push(`    ${f}`);
  }
  if (i.hf) L.push(`  weights: ${i.hf.format} (${i.hf.files.join(', ')})`);
  if (i.torch) L.push(`  top-level keys: ${i.torch.topKeys.join(', ')}; iteration ${String(i.torch.iteration)}; checkpoint_version ${i.torch.checkpointVersion ?? '-'}`);
  L.push(`  tensors: ${i.tensors.length}${i.totalBytes !== undefined ? `, ${(i.totalBytes / 1e9).toFixed(3)} GB` : ''}`);
  const w = Math.min(70, Math.max(...i.tensors.map((t) => t.name.length), 4));
  for (const t of i.tensors) L.push(`    ${t.name.padEnd(w)}  ${t.dtype.padEnd(8)}  [${t.shape.join(', ')}]`);
  return L.join('\n');
}
