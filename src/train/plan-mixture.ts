/**
 * `solo plan`: the mixture notebook (`analyze_tokens.ipynb`, spec megatron-dataset §11 / B.6) as
 * a library function. Reads dataset prefixes (their `P.jsonl` per-pack stats and `P_DONE`),
 * groups shards into sources, weights files either naturally (packs / total packs) or by tokens
 * within per-source target proportions, and reports N_TRAIN_DATA, iterations and the epochs and
 * token share each source gets under Megatron's blending (ceil(T·w·1.005) samples per prefix).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SoloError, UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import type { MixtureEntry } from './config.js';
import { formatFixedPy } from './numlit.js';
import { addPack, emptyPackStats, readPackRows, type PackStats } from './prefix-stats.js';

export interface PlanMixtureOptions {
  /** Dataset prefixes (`…/data`, or any of its files) or directories holding them. */
  inputs: string[];
  /** Source rules `name=regex` (tested against the prefix path), in order; first match wins. */
  groups?: string[];
  /** Target token proportions `name=weight` (the stage-1 mode; must cover every source and sum to 1). */
  sources?: string[];
  /** Row subsamples `name=fraction` (the stage-3 SlimPajama 10%). */
  sample?: string[];
  /** Seed of the (deterministic) row subsample; the notebook's was unseeded. */
  sampleSeed?: number;
  /** Accept prefixes without `P_DONE`. */
  allowIncomplete?: boolean;
  /** Global batch for the iteration count (default 128) and epochs (default 1). */
  globalBatchSize?: number;
  nEpochs?: number;
  onProgress?: ProgressFn;
}

export interface MixtureFile {
  prefix: string;
  source: string;
  /** All packs in the file. */
  packs: number;
  /** Packs counted for the weights (after a declared subsample). */
  counted: number;
  stats: PackStats;
  weight: number;
  weightText: string;
  /** Megatron's requested samples ceil(T·w·1.005) with w normalised from the 4-decimal weights. */
  requested: number;
  epochs: number;
  sampleFraction?: number;
}

export interface MixtureSource {
  name: string;
  shards: number;
  packs: number;
  counted: number;
  tokens: number;
  textTokens: number;
  imageTokens: number;
  images: number;
  /** Σ file weights (unrounded). */
  weight: number;
  /** Target proportion when given. */
  target?: number;
  epochs: number;
  /** Share of the trained tokens (requested samples × mean pack tokens). */
  tokenShare: number;
}

export interface MixturePlan {
  mode: 'natural' | 'tokens';
  files: MixtureFile[];
  sources: MixtureSource[];
  trainData: MixtureEntry[];
  trainDataPath: string;
  nTrainData: number;
  globalBatchSize: number;
  nEpochs: number;
  trainIters: number;
  trainSamples: number;
}

const SUFFIXES = ['-text.bin', '-text.idx', '-role.bin', '-role.idx', '-vision_patch.bin', '-vision_patch.idx', '-vision_patch_indices.bin', '-vision_patch_indices.idx', '_stats.json', '_DONE', '.jsonl'];

/** The prefix of a dataset file path (exact suffix strip, not the notebook's character-set strip). */
export function datasetPrefixOf(path: string): string | undefined {
  for (const s of SUFFIXES) if (path.endsWith(s)) return path.slice(0, -s.length);
  return undefined;
}

function walk(dir: string, out: Set<string>): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('_DONE') || name.endsWith('-text.idx')) out.add(p.slice(0, -(name.endsWith('_DONE') ? 5 : 9)));
  }
}

/** Expand inputs into prefixes: explicit prefixes keep their order, directories expand sorted. */
export function discoverPrefixes(inputs: string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (p: string) => {
    if (!seen.has(p)) seen.add(p), out.push(p);
  };
  for (const inp of inputs) {
    const clean = inp.replace(/\/+$/, '');
    if (existsSync(clean) && statSync(clean).isDirectory()) {
      const found = new Set<string>();
      walk(clean, found);
      if (found.size === 0) throw new UsageError(`${inp}: no dataset prefixes (no *_DONE or *-text.idx files) below this directory`);
      [...found].sort().forEach(push);
      continue;
    }
    const pre = existsSync(clean) ? datasetPrefixOf(clean) : undefined;
    const prefix = pre ?? clean;
    if (!existsSync(`${prefix}.jsonl`) && !existsSync(`${prefix}_DONE`) && !existsSync(`${prefix}-text.idx`)) {
      throw new UsageError(`${inp}: not a dataset prefix or directory (no ${basename(prefix)}.jsonl, _DONE or -text.idx)`);
    }
    push(prefix);
  }
  return out;
}

/** Default source name: `mmistral_capfusion_shard_003_pack32k/data` → `capfusion`. */
export function defaultSourceName(prefix: string): string {
  let name = basename(prefix) === 'data' ? basename(dirname(prefix)) : basename(prefix);
  name = name.replace(/^mmistral_/, '').replace(/_pack\d+k$/, '').replace(/_shard_\d+$/, '').replace(/[._-]?(shard)?[._-]?\d+$/, '');
  return name || basename(prefix);
}

function parsePairs(list: string[] | undefined, what: string): [string, string][] {
  return (list ?? []).map((s) => {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what} expects name=value, got '${s}'`);
    return [s.slice(0, eq), s.slice(eq + 1)];
  });
}

/** Python's round() (half to even) for pandas' `sample(frac=…)` row count. */
export function pyRoundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** mulberry32: a small seeded PRNG for the deterministic row subsample. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function planMixture(opts: PlanMixtureOptions): Promise<MixturePlan> {
  const prefixes = discoverPrefixes(opts.inputs);
  if (prefixes.length === 0) throw new UsageError('no dataset prefixes given');
  const notDone = prefixes.filter((p) => !existsSync(`${p}_DONE`));
  if (notDone.length && !opts.allowIncomplete) {
    throw new SoloError(`${notDone.length} prefix(es) have no _DONE marker (conversion incomplete?): ${notDone.join(', ')}; pass --allow-incomplete to use them anyway`);
  }
  const rules = parsePairs(opts.groups, '--group').map(([name, re]) => ({ name, re: new RegExp(re) }));
  const targets = new Map(parsePairs(opts.sources, '--source').map(([n, w]) => {
    const v = Number(w);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`--source ${n}=${w}: the proportion must be a number ≥ 0`);
    return [n, v] as const;
  }));
  const samples = new Map(parsePairs(opts.sample, '--sample').map(([n, f]) => {
    const v = Number(f);
    if (!(v > 0 && v <= 1)) throw new UsageError(`--sample ${n}=${f}: the fraction must be in (0, 1]`);
    return [n, v] as const;
  }));
  const sourceOf = (p: string) => rules.find((r) => r.re.test(p))?.name ?? defaultSourceName(p);

  // group: rule order first, then first appearance; files sorted within a source
  const order: string[] = rules.map((r) => r.name);
  const bySource = new Map<string, string[]>();
  for (const p of prefixes) {
    const s = sourceOf(p);
    if (!bySource.has(s)) bySource.set(s, []);
    bySource.get(s)!.push(p);
    if (!order.includes(s)) order.push(s);
  }
  const names = order.filter((n) => bySource.has(n));
  for (const n of [...targets.keys(), ...samples.keys()]) if (!bySource.has(n)) throw new UsageError(`unknown source '${n}' (sources: ${names.join(', ')})`);
  const mode: MixturePlan['mode'] = targets.size ? 'tokens' : 'natural';
  if (mode === 'tokens') {
    const missing = names.filter((n) => !targets.has(n));
    if (missing.length) throw new UsageError(`--source proportions must cover every source; missing: ${missing.join(', ')}`);
    const sum = [...targets.values()].reduce((a, b) => a + b, 0);
    // the notebook demands exact float equality; allow rounding noise only
    if (Math.abs(sum - 1) > 1e-9) throw new UsageError(`--source proportions sum to ${sum}, not 1`);
  }

  // read stats
  const files: MixtureFile[] = [];
  let done = 0;
  for (const source of names) {
    for (const prefix of [...bySource.get(source)!].sort()) {
      if (!existsSync(`${prefix}.jsonl`)) throw new SoloError(`${prefix}.jsonl is missing: the per-pack stats are needed for the mixture`);
      const frac = samples.get(source);
      const all = emptyPackStats();
      const rows: { n_tokens: number; n_image_tokens: number; n_images: number }[] | undefined = frac !== undefined && frac < 1 ? [] : undefined;
      const packs = await readPackRows(prefix, (r) => {
        addPack(all, r);
        rows?.push(r); // only sampled sources keep rows (a shard's stats lines are small)
      });
      let stats = all;
      let counted = packs;
      if (rows) {
        counted = pyRoundHalfEven(frac! * packs);
        const idx = Array.from({ length: packs }, (_, i) => i);
        const rand = rng((opts.sampleSeed ?? 1234) + files.length);
        for (let i = 0; i < counted; i++) {
          const j = i + Math.floor(rand() * (packs - i));
          [idx[i], idx[j]] = [idx[j]!, idx[i]!];
        }
        stats = emptyPackStats();
        for (const i of idx.slice(0, counted).sort((a, b) => a - b)) addPack(stats, rows[i]!);
      }
      files.push({ prefix, source, packs, counted, stats, weight: 0, weightText: '', requested: 0, epochs: 0, ...(rows ? { sampleFraction: frac } : {}) });
      opts.onProgress?.({ stage: 'plan', done: ++done, total: prefixes.length, unit: 'prefixes', detail: prefix });
    }
  }

  // weights
  const nTrainData = files.reduce((a, f) => a + f.counted, 0);
  if (mode === 'natural') {
    for (const f of files) f.weight = f.counted / nTrainData;
  } else {
    for (const source of names) {
      const fs = files.filter((f) => f.source === source);
      const tok = fs.reduce((a, f) => a + f.stats.tokens, 0);
      for (const f of fs) f.weight = tok > 0 ? (f.stats.tokens / tok) * targets.get(source)! : 0;
    }
  }
  for (const f of files) f.weightText = formatFixedPy(f.weight, 4);

  // training length and Megatron's per-dataset sample counts
  const globalBatchSize = opts.globalBatchSize ?? 128;
  const nEpochs = opts.nEpochs ?? 1;
  const trainIters = (Math.floor(nTrainData / globalBatchSize) + 1) * nEpochs;
  const trainSamples = trainIters * globalBatchSize;
  const requested = blendSampleCounts(files.map((f) => f.weightText), trainSamples);
  files.forEach((f, i) => {
    f.requested = requested[i]!;
    f.epochs = f.packs > 0 ? f.requested / f.packs : 0;
  });
  const trainedTokens = (f: MixtureFile) => (f.stats.instances > 0 ? f.requested * (f.stats.tokens / f.stats.instances) : 0);
  const totalTrained = files.reduce((a, f) => a + trainedTokens(f), 0);
  const sources: MixtureSource[] = names.map((name) => {
    const fs = files.filter((f) => f.source === name);
    const sum = (g: (f: MixtureFile) => number) => fs.reduce((a, f) => a + g(f), 0);
    const packs = sum((f) => f.packs);
    return {
      name,
      shards: fs.length,
      packs,
      counted: sum((f) => f.counted),
      tokens: sum((f) => f.stats.tokens),
      textTokens: sum((f) => f.stats.textTokens),
      imageTokens: sum((f) => f.stats.imageTokens),
      images: sum((f) => f.stats.images),
      weight: sum((f) => f.weight),
      ...(targets.has(name) ? { target: targets.get(name)! } : {}),
      epochs: packs > 0 ? sum((f) => f.requested) / packs : 0,
      tokenShare: totalTrained > 0 ? sum(trainedTokens) / totalTrained : 0,
    };
  });
  const trainData: MixtureEntry[] = files.map((f) => ({ weight: f.weightText, prefix: f.prefix, ...(f.sampleFraction !== undefined ? { sampleFraction: f.sampleFraction } : {}) }));
  return {
    mode, files, sources, trainData,
    trainDataPath: trainData.map((e) => `${e.weight} ${e.prefix}`).join(' '),
    nTrainData, globalBatchSize, nEpochs, trainIters, trainSamples,
  };
}

/**
 * Megatron's per-dataset sample targets for a blend (spec megatron-dataset §10.2): weights parsed
 * from their text, normalised by their left-to-right sum, n_i = ceil((T · w_i) · 1.005).
 */
export function blendSampleCounts(weights: (string | number)[], trainSamples: number): number[] {
  const w = weights.map(Number);
  let sum = 0;
  for (const x of w) sum += x;
  return w.map((x) => (sum > 0 ? Math.ceil(trainSamples * (x / sum) * 1.005) : 0));
}

/** The per-source table `solo plan` prints. */
export function formatMixtureTable(plan: MixturePlan): string {
  const head = ['source', 'shards', 'packs', 'tokens', 'text tokens', 'vision tokens', 'images', 'weight', 'epochs', 'token share'];
  const fmtInt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));
  const rows = plan.sources.map((s) => [
    s.name, String(s.shards), s.counted !== s.packs ? `${fmtInt(s.counted)}/${fmtInt(s.packs)}` : fmtInt(s.packs),
    fmtInt(s.tokens), fmtInt(s.textTokens), fmtInt(s.imageTokens), fmtInt(s.images),
    formatFixedPy(s.weight, 4) + (s.target !== undefined ? ` (target ${s.target})` : ''), s.epochs.toFixed(3), `${(s.tokenShare * 100).toFixed(1)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line),
    '', `mode: ${plan.mode} weights; N_TRAIN_DATA (instances) = ${plan.nTrainData}; global batch ${plan.globalBatchSize} × ${plan.nEpochs} epoch(s) → train_iters = ${plan.trainIters} (${plan.trainSamples} samples)`].join('\n');
}
