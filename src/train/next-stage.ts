/**
 * `solo train next-stage`: the reference's manual stage hand-off (spec B.5.3) as one chain —
 * the finished stage's last checkpoint → HF (`<ckptDir>/hf/model_iter_<iter>`) → Megatron release
 * (`data/models/raw/<model>-megatron-<tag>-<iter>`) → TP×PP shards
 * (`data/models/sharded/<model>-megatron-<tag>-<iter>-tp<T>-pp<P>`), which is the next stage's
 * `loadModelCkpts`. The conversions are the model toolkit's (src/model); they are reached through
 * the small `ModelToolkit` interface so the chain can be planned, printed and tested on its own.
 */
import { SoloError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import type { TrainConfig, TrainPresetName } from './config.js';
import { atRunRoot, type DerivedTrain } from './derive.js';
import { NEXT_PRESET } from './presets.js';
import { readRunTracker } from './train-run.js';

/** The three conversions, structurally typed after src/model's functions. */
export interface ModelToolkit {
  modelToHf(o: { in: string; out: string; iteration?: number | 'release'; tokenizer?: string; force?: boolean; onProgress?: ProgressFn }): Promise<unknown>;
  modelToMegatron(o: { hf: string; out: string; force?: boolean; onProgress?: ProgressFn }): Promise<unknown>;
  modelShard(o: { in: string; out: string; tp: number; pp: number; force?: boolean; onProgress?: ProgressFn }): Promise<unknown>;
}

export type HandoffStep =
  | { op: 'to-hf'; in: string; out: string; iteration: number | 'release'; tokenizer: string }
  | { op: 'to-megatron'; hf: string; out: string }
  | { op: 'shard'; in: string; out: string; tp: number; pp: number };

export interface HandoffPlan {
  iteration: number | 'release';
  tag: string;
  steps: HandoffStep[];
  /** The next stage's `loadModelCkpts`. */
  loadModelCkpts: string;
  nextPreset?: TrainPresetName;
}

export interface PlanHandoffOptions {
  /** Iteration to hand off (default: the tracker's; the run's trainIters when nothing is saved yet). */
  iteration?: number | 'release';
  tag?: string;
  /** TP/PP of the next stage (default: this stage's). */
  tp?: number;
  pp?: number;
}

export function planHandoff(cfg: TrainConfig, d: DerivedTrain, root: string, opts: PlanHandoffOptions = {}): HandoffPlan {
  let iteration = opts.iteration;
  if (iteration === undefined) {
    const t = readRunTracker(root, d.ckptDir);
    if (t === 'release') iteration = 'release';
    else if (t === null || !/^\d+$/.test(t)) {
      // nothing on disk yet: plan for the run's final iteration (dry runs, documentation)
      iteration = d.trainIters;
    } else iteration = Number(t);
  }
  const tag = opts.tag ?? cfg.handoffTag ?? cfg.preset ?? 'handoff';
  const tp = opts.tp ?? cfg.tp;
  const pp = opts.pp ?? cfg.pp;
  const hf = `${d.ckptDir}/hf/model_iter_${iteration}`;
  const raw = `data/models/raw/${cfg.modelName}-megatron-${tag}-${iteration}`;
  const sharded = `data/models/sharded/${cfg.modelName}-megatron-${tag}-${iteration}-tp${tp}-pp${pp}`;
  return {
    iteration,
    tag,
    steps: [
      { op: 'to-hf', in: d.ckptDir, out: hf, iteration, tokenizer: d.tokenizerPath },
      { op: 'to-megatron', hf, out: raw },
      { op: 'shard', in: raw, out: sharded, tp, pp },
    ],
    loadModelCkpts: sharded,
    ...(cfg.preset && NEXT_PRESET[cfg.preset] ? { nextPreset: NEXT_PRESET[cfg.preset] } : {}),
  };
}

export function formatHandoffPlan(p: HandoffPlan): string {
  const lines = p.steps.map((s, i) => {
    if (s.op === 'to-hf') return `${i + 1}. solo model to-hf --in ${s.in} --iter ${s.iteration} --tokenizer ${s.tokenizer} --out ${s.out}`;
    if (s.op === 'to-megatron') return `${i + 1}. solo model to-megatron --hf ${s.hf} --out ${s.out}`;
    return `${i + 1}. solo model shard --in ${s.in} --out ${s.out} --tp ${s.tp} --pp ${s.pp}`;
  });
  lines.push(`next stage${p.nextPreset ? ` (${p.nextPreset})` : ''}: loadModelCkpts=${p.loadModelCkpts}`);
  return lines.join('\n');
}

async function defaultToolkit(): Promise<ModelToolkit> {
  const m = (await import('../model/index.js')) as unknown as Partial<ModelToolkit>;
  if (typeof m.modelToHf !== 'function' || typeof m.modelToMegatron !== 'function' || typeof m.modelShard !== 'function') {
    throw new SoloError('the model toolkit (src/model) does not provide modelToHf/modelToMegatron/modelShard');
  }
  return m as ModelToolkit;
}

/** Run the chain (paths relative to `root`). */
export async function runHandoff(p: HandoffPlan, root: string, opts: { toolkit?: ModelToolkit; force?: boolean; onProgress?: ProgressFn; onStep?: (s: HandoffStep, i: number) => void } = {}): Promise<void> {
  const tk = opts.toolkit ?? (await defaultToolkit());
  const at = (x: string) => atRunRoot(root, x);
  for (const [i, s] of p.steps.entries()) {
    opts.onStep?.(s, i);
    if (s.op === 'to-hf') await tk.modelToHf({ in: at(s.in), out: at(s.out), iteration: s.iteration, tokenizer: at(s.tokenizer), force: opts.force, onProgress: opts.onProgress });
    else if (s.op === 'to-megatron') await tk.modelToMegatron({ hf: at(s.hf), out: at(s.out), force: opts.force, onProgress: opts.onProgress });
    else await tk.modelShard({ in: at(s.in), out: at(s.out), tp: s.tp, pp: s.pp, force: opts.force, onProgress: opts.onProgress });
  }
}
