/**
 * What the launcher needs to know about a Megatron checkpoint directory without loading it:
 * tracker value, iteration directory, `mp_rank_*` layout, which `.pt` files exist, and a few
 * integer args (max_position_embeddings, TP, PP) read from the pickled `args` in `data.pkl`.
 *
 * The args come from the torch reader (formats/torch: zip + restricted unpickler; tensors are not
 * read). Anything unreadable is reported as unknown.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadTorchFile, PyDict, PyNamespace, type TorchFile } from '../formats/torch/index.js';
import { MEGATRON_TRACKER_FILE } from './derive.js';

export interface CheckpointFacts {
  dir: string;
  exists: boolean;
  tracker?: string;
  /** 'release' or an integer iteration. */
  release?: boolean;
  iteration?: number;
  iterDir?: string;
  mpRankDirs: string[];
  /** Number of distinct TP ranks / PP ranks seen in `mp_rank_TT[_PPP]` names (optimizer dirs excluded). */
  tpRanks?: number;
  ppRanks?: number;
  hasModelOptimRng: boolean;
  hasDistOptim: boolean;
  args: { maxPositionEmbeddings?: number; tensorModelParallelSize?: number; pipelineModelParallelSize?: number; paddedVocabSize?: number };
}

/** TP/PP/vocab/positions from the pickled Megatron `args` (unknown when the file cannot be read). */
export async function readCheckpointArgs(ptFile: string): Promise<CheckpointFacts['args']> {
  let tf: TorchFile;
  try {
    tf = await loadTorchFile(ptFile, { verifyCrc: false, allowMissingStorages: true });
  } catch {
    return {};
  }
  try {
    const args = tf.root instanceof PyDict ? tf.root.get('args') : undefined;
    if (!(args instanceof PyNamespace)) return {};
    const int = (k: string): number | undefined => {
      const v = args.get(k);
      return typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'bigint' ? Number(v) : undefined;
    };
    return {
      maxPositionEmbeddings: int('max_position_embeddings'),
      tensorModelParallelSize: int('tensor_model_parallel_size'),
      pipelineModelParallelSize: int('pipeline_model_parallel_size'),
      paddedVocabSize: int('padded_vocab_size'),
    };
  } finally {
    await tf.close();
  }
}

export async function checkpointFacts(dir: string): Promise<CheckpointFacts> {
  const f: CheckpointFacts = { dir, exists: existsSync(dir), mpRankDirs: [], hasModelOptimRng: false, hasDistOptim: false, args: {} };
  const tracker = join(dir, MEGATRON_TRACKER_FILE);
  if (!existsSync(tracker)) return f;
  f.tracker = readFileSync(tracker, 'utf8').trim();
  f.release = f.tracker === 'release';
  if (!f.release && /^\d+$/.test(f.tracker)) f.iteration = Number(f.tracker);
  const iterName = f.release ? 'release' : f.iteration !== undefined ? `iter_${String(f.iteration).padStart(7, '0')}` : undefined;
  if (!iterName) return f;
  const iterDir = join(dir, iterName);
  if (!existsSync(iterDir) || !statSync(iterDir).isDirectory()) return f;
  f.iterDir = iterDir;
  f.mpRankDirs = readdirSync(iterDir).filter((n) => n.startsWith('mp_rank_')).sort();
  const tps = new Set<string>();
  const pps = new Set<string>();
  let argsFrom: string | undefined;
  for (const d of f.mpRankDirs) {
    const files = readdirSync(join(iterDir, d));
    if (files.includes('model_optim_rng.pt')) (f.hasModelOptimRng = true), (argsFrom ??= join(iterDir, d, 'model_optim_rng.pt'));
    if (files.includes('optim.pt')) f.hasDistOptim = true;
    if (files.includes('model_rng.pt')) argsFrom ??= join(iterDir, d, 'model_rng.pt');
    // model dirs: mp_rank_TT (PP=1) or mp_rank_TT_PPP; optimizer dirs add _DDD
    const m = /^mp_rank_(\d{2})(?:_(\d{3}))?(?:_(\d{3}))?$/.exec(d);
    if (m && (files.includes('model_rng.pt') || files.includes('model_optim_rng.pt') || !files.includes('optim.pt'))) {
      tps.add(m[1]!);
      pps.add(m[2] ?? '000');
    }
  }
  if (tps.size) (f.tpRanks = tps.size), (f.ppRanks = pps.size);
  if (argsFrom) f.args = await readCheckpointArgs(argsFrom);
  return f;
}
