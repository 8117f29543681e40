/**
 * `solo demo`: every stage of the pipeline on an embedded sample, offline and without a GPU.
 *
 *   data → tokenizer → tiny model → ingest (webdataset, llava, text) → prepare (pretrain, packed)
 *   → plan → model create → to-megatron → shard TP2 → train --dry-run → to-hf → verify → inspect --html
 *
 * Each stage calls the public library function of its command, is timed, and reports its output
 * path and size. A stage whose inputs failed is skipped (and named); the run is `ok` only when
 * every stage passed. The sample is deterministic (seeded scenes, seeded tiny model).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { ingest } from '../ingest/index.js';
import { inspectPath } from '../inspect/index.js';
import { modelCreate, modelShard, modelToHf, modelToMegatron, modelVerify } from '../model/index.js';
import { prepareDataset } from '../prepare/index.js';
import type { ProgressFn } from '../progress.js';
import { extendSoloTokenizer } from '../tokenizer/index.js';
import { planMixture, train, trainShellCommand, writeMixtureToConfig } from '../train/index.js';
import { writeDemoRawData } from './raw-data.js';
import { writeTinyMistral } from './tiny-model.js';

export interface DemoOptions {
  /** Output directory (default: a fresh temporary directory). Emptied first when it exists. */
  dir?: string;
  /** A smaller sample (tests): fewer images, documents and packs. */
  small?: boolean;
  /** Keep every output. Default: kept when `dir` is given or a stage failed; otherwise only report.html is kept. */
  keep?: boolean;
  /** Encoding threads for prepare (default: available cores, at most 4). */
  workers?: number;
  /** Base SentencePiece model (default: the shipped Mistral-7B-v0.1 tokenizer in assets/). */
  baseTokenizer?: string;
  /** Seed of the sample data and of the tiny model. */
  seed?: number;
  /** Called when a stage starts (`status: 'running'`) and when it ends. */
  onStage?: (stage: DemoStage, index: number, total: number) => void;
  onProgress?: ProgressFn;
  onWarning?: (message: string) => void;
}

export type DemoStageStatus = 'running' | 'ok' | 'failed' | 'skipped';

export interface DemoStage {
  name: string;
  /** What the stage does, in one line (`solo …` equivalent). */
  title: string;
  status: DemoStageStatus;
  seconds: number;
  /** Main output path. */
  output?: string;
  /** Bytes of the output (file or directory tree). */
  bytes?: number;
  /** One-line outcome (counts) or the failure message. */
  detail?: string;
  error?: string;
}

export interface DemoResult {
  ok: boolean;
  dir: string;
  /** False when the outputs (except report.html) were removed at the end. */
  kept: boolean;
  seconds: number;
  stages: DemoStage[];
  /** Names of failed stages (skipped ones not included). */
  failed: string[];
  /** Paths of the main outputs. */
  paths: DemoPaths;
  /** The dry-run torchrun argv (empty when the stage failed). */
  trainArgv: string[];
  /** The dry-run launch as a shell command. */
  trainCommand?: string;
  verify?: { ok: boolean; tensors: number; mismatches: number; maxAbsDiff: number };
}

export interface DemoPaths {
  raw: string;
  tokenizer: string;
  mistral: string;
  ingested: string;
  captions: string;
  text: string;
  trainConfig: string;
  soloHf: string;
  release: string;
  sharded: string;
  trainScript: string;
  roundTrip: string;
  report: string;
}

/** The shipped Mistral-7B-v0.1 tokenizer (assets/), found from src/demo or dist/demo. */
export function demoBaseTokenizer(): string {
  return fileURLToPath(new URL('../../assets/mistral-7b-v0.1.tokenizer.model', import.meta.url));
}

/** Bytes of a file or of a directory tree (0 when missing). */
export function demoPathBytes(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  let n = 0;
  for (const e of readdirSync(p)) n += demoPathBytes(join(p, e));
  return n;
}

/** Sample sizes: WebDataset images, LLaVA images, text documents, samples per tar, model layers. */
const SIZES = { full: { wds: 300, llava: 150, text: 300, perTar: 100, layers: 2 }, small: { wds: 24, llava: 12, text: 16, perTar: 12, layers: 2 } };

const MAX_SEQ = 2048;
const DEMO_MARKER = '.solo-demo';
const TP = 2;
const MODEL_NAME = 'MultimodalMistral-tiny-dproj';

interface StageSpec {
  name: string;
  title: string;
  deps: string[];
  output: string;
  run: () => Promise<string | void>;
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const explicitDir = opts.dir !== undefined;
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), 'solo-demo-')));
  if (explicitDir && existsSync(dir)) {
    // Only a directory a previous demo made (or an empty one) is emptied: never a user's folder.
    const entries = readdirSync(dir);
    if (entries.length && !entries.includes(DEMO_MARKER)) throw new UsageError(`${dir} is not empty and was not made by solo demo (no ${DEMO_MARKER}); pick a new or empty --dir`);
    for (const e of entries) rmSync(join(dir, e), { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, DEMO_MARKER), 'made by solo demo; the next run empties this directory\n');
  const keep = opts.keep ?? explicitDir;
  const size = opts.small ? SIZES.small : SIZES.full;
  const seed = opts.seed ?? 20240707;
  const workers = Math.max(1, opts.workers ?? Math.min(4, availableParallelism()));
  const progress = opts.onProgress;
  const warn = (m: string) => opts.onWarning?.(m);
  const baseTokenizer = opts.baseTokenizer ?? demoBaseTokenizer();

  const shardedName = `${MODEL_NAME}-megatron-tp${TP}-pp1`;
  const paths: DemoPaths = {
    raw: join(dir, 'raw'),
    tokenizer: join(dir, 'tokenizer', 'tokenizer.model'),
    mistral: join(dir, 'models', 'mistral-tiny-hf'),
    ingested: join(dir, 'ingested'),
    captions: join(dir, 'datasets', `demo_captions_pack${MAX_SEQ / 1024}k`, 'data'),
    text: join(dir, 'datasets', `demo_text_pack${MAX_SEQ / 1024}k`, 'data'),
    trainConfig: join(dir, 'train', 'solo.config.json'),
    soloHf: join(dir, 'models', `${MODEL_NAME}-hf`),
    release: join(dir, 'models', `${MODEL_NAME}-megatron`),
    sharded: join(dir, 'models', 'sharded', shardedName),
    trainScript: join(dir, 'train', 'solo-train.sh'),
    roundTrip: join(dir, 'models', `${MODEL_NAME}-hf-roundtrip`),
    report: join(dir, 'report.html'),
  };
  const ing = {
    webdataset: join(paths.ingested, 'demo_webdataset.jsonl'),
    llava: join(paths.ingested, 'demo_llava.jsonl'),
    text: join(paths.ingested, 'demo_text.jsonl'),
  };
  let rawTars: string[] = [];
  let rawLlava = { json: '', images: '' };
  let rawText = '';
  let trainArgv: string[] = [];
  let trainCommand: string | undefined;
  let verify: DemoResult['verify'];
  let nTrainData = 0;

  const ingestStage = (name: 'webdataset' | 'llava' | 'text'): StageSpec => ({
    name: `ingest-${name}`,
    title: `solo ingest ${name}`,
    deps: ['data'],
    output: ing[name],
    run: async () => {
      const input = name === 'webdataset' ? rawTars : name === 'llava' ? [rawLlava.json] : [rawText];
      const s = await ingest({ adapter: name, input, out: ing[name], images: name === 'llava' ? rawLlava.images : undefined, force: true, onProgress: progress });
      if (s.errorCount) throw new Error(`${s.errorCount} record(s) quarantined (${JSON.stringify(s.errors)}) in ${s.errorsFile}`);
      if (s.documents === 0) throw new Error('no documents written');
      return s.images ? `${s.documents} docs, ${s.images} images` : `${s.documents} docs`;
    },
  });
  const prepareStage = (name: 'captions' | 'text', inputs: string[], deps: string[]): StageSpec => ({
    name: `prepare-${name}`,
    title: `solo prepare --pretrain --pack --max-seq-length ${MAX_SEQ}`,
    deps: [...deps, 'tokenizer'],
    output: name === 'captions' ? paths.captions : paths.text,
    run: async () => {
      const prefix = name === 'captions' ? paths.captions : paths.text;
      const r = await prepareDataset({ input: inputs, outputPrefix: prefix, tokenizer: paths.tokenizer, pretrain: true, pack: true, maxSeqLength: MAX_SEQ, workers, force: true, onProgress: progress, onWarning: warn });
      if (r.errors) throw new Error(`${r.errors} line(s) skipped (${r.errorsFile ?? 'see _errors.jsonl'})`);
      if (!existsSync(`${prefix}_DONE`)) throw new Error(`${prefix}_DONE was not written`);
      return `${r.docs} docs → ${r.items} packs, ${r.tokens} tokens, ${r.images} images`;
    },
  });

  const specs: StageSpec[] = [
    {
      name: 'data',
      title: 'synthetic captioned scenes (WebDataset tars + LLaVA JSON) and a text corpus',
      deps: [],
      output: paths.raw,
      run: async () => {
        const r = await writeDemoRawData({ dir: paths.raw, webdatasetImages: size.wds, llavaImages: size.llava, textDocs: size.text, perTar: size.perTar, seed });
        rawTars = r.tars;
        rawLlava = { json: r.llavaJson, images: r.llavaImages };
        rawText = r.textJsonl;
        return `${r.images} images in ${r.tars.length} tars + LLaVA JSON, ${size.text} text docs`;
      },
    },
    {
      name: 'tokenizer',
      title: 'solo tokenizer extend (Mistral-7B-v0.1 + SOLO tokens)',
      deps: [],
      output: paths.tokenizer,
      run: async () => {
        await mkdir(join(dir, 'tokenizer'), { recursive: true });
        const r = await extendSoloTokenizer({ base: baseTokenizer, out: paths.tokenizer });
        return `${r.pieces} pieces`;
      },
    },
    {
      name: 'tiny-model',
      title: 'a tiny random Mistral-shaped HF checkpoint (bf16)',
      deps: [],
      output: paths.mistral,
      run: async () => {
        await mkdir(join(dir, 'models'), { recursive: true });
        const r = await writeTinyMistral({ out: paths.mistral, tokenizer: baseTokenizer, layers: size.layers, seed });
        return `${r.config.num_hidden_layers} layers, hidden ${r.config.hidden_size}, vocab ${r.config.vocab_size}, ${(r.parameters / 1e6).toFixed(1)}M params`;
      },
    },
    ingestStage('webdataset'),
    ingestStage('llava'),
    ingestStage('text'),
    prepareStage('captions', [ing.webdataset, ing.llava], ['ingest-webdataset', 'ingest-llava']),
    prepareStage('text', [ing.text], ['ingest-text']),
    {
      name: 'plan',
      title: 'solo plan (natural mixture) --config',
      deps: ['prepare-captions', 'prepare-text'],
      output: paths.trainConfig,
      run: async () => {
        const plan = await planMixture({ inputs: [paths.captions, paths.text], globalBatchSize: 8, onProgress: progress });
        await mkdir(join(dir, 'train'), { recursive: true });
        writeMixtureToConfig(plan, paths.trainConfig);
        nTrainData = plan.nTrainData;
        return `${plan.sources.length} sources, ${plan.nTrainData} packs, weights ${plan.trainData.map((e) => e.weight).join(' ')}`;
      },
    },
    {
      name: 'model-create',
      title: 'solo model create (Mistral → SOLO HF)',
      deps: ['tiny-model'],
      output: paths.soloHf,
      run: async () => {
        const r = await modelCreate({ from: paths.mistral, out: paths.soloHf, seed: 0, force: true, onProgress: progress, warn });
        return `vocab ${r.baseVocab} → ${r.vocab}, ${r.dtype}`;
      },
    },
    {
      name: 'to-megatron',
      title: 'solo model to-megatron',
      deps: ['model-create'],
      output: paths.release,
      run: async () => {
        const r = await modelToMegatron({ hf: paths.soloHf, out: paths.release, force: true, onProgress: progress, warn });
        return `${r.tensors} tensors, vocab ${r.vocab} (padded ${r.paddedVocabSize}), ${r.dtype}`;
      },
    },
    {
      name: 'shard',
      title: `solo model shard --tp ${TP} --pp 1`,
      deps: ['to-megatron'],
      output: paths.sharded,
      run: async () => {
        const r = await modelShard({ in: paths.release, out: paths.sharded, tp: TP, pp: 1, force: true, onProgress: progress, warn });
        return `${r.files.length} files, TP${r.tp} PP${r.pp}, padded vocab ${r.paddedVocabSize}`;
      },
    },
    {
      name: 'train-dry-run',
      title: 'solo train --preset solo-stage1 --dry-run',
      deps: ['plan', 'shard', 'tokenizer'],
      output: paths.trainScript,
      run: async () => {
        const batchBase = 8;
        const iters = Math.floor(nTrainData / batchBase) + 1;
        const set = [
          `tokenizerPath=${paths.tokenizer}`,
          `initModelDir=${paths.sharded}`,
          `ckptRoot=${join(dir, 'ckpts')}`,
          `modelName=${MODEL_NAME}`,
          `expDataNote=demo-captions+text-${MAX_SEQ / 1024}k`,
          `seqLength=${MAX_SEQ}`,
          `batchBase=${batchBase}`,
          `warmupIters=${Math.min(20, Math.floor(iters / 10))}`,
          'wandb.enabled=false',
        ];
        const { plan } = await train({ preset: 'solo-stage1', config: paths.trainConfig, set, dryRun: true, root: dir, onWarning: (w) => (w.code === 'W-EXIT-CODE' ? undefined : warn(w.message)) });
        trainArgv = plan.launch.argv;
        if (!trainArgv.length) throw new Error('the rendered launch has an empty argv');
        trainCommand = trainShellCommand(trainArgv);
        await writeFile(paths.trainScript, plan.script, { mode: 0o755 });
        await writeFile(join(dir, 'train', 'argv.json'), JSON.stringify({ env: plan.launch.env, pre: plan.launch.pre, argv: trainArgv }, null, 2) + '\n');
        return `${plan.derived.worldSize} GPUs (TP${plan.config.tp} DP${plan.derived.dp}), ${plan.derived.trainIters} iterations, batch ${plan.derived.globalBatchSize}`;
      },
    },
    {
      name: 'to-hf',
      title: 'solo model to-hf (from the TP2 shards)',
      deps: ['shard'],
      output: paths.roundTrip,
      run: async () => {
        const r = await modelToHf({ in: paths.sharded, out: paths.roundTrip, force: true, onProgress: progress, warn });
        return `iteration ${String(r.iteration)}, vocab ${r.vocab}, ${r.dtype}`;
      },
    },
    {
      name: 'verify',
      title: 'solo model verify (round trip vs model create)',
      deps: ['to-hf', 'model-create'],
      output: paths.roundTrip,
      run: async () => {
        const r = await modelVerify({ a: paths.soloHf, b: paths.roundTrip, onProgress: progress });
        verify = { ok: r.ok, tensors: r.tensors.length, mismatches: r.mismatches, maxAbsDiff: r.maxAbsDiff };
        if (!r.ok) {
          const bad = r.tensors.filter((t) => !t.ok).slice(0, 3).map((t) => `${t.name}: ${t.problem ?? `max |a−b| ${t.maxAbsDiff}`}`);
          throw new Error(`${r.mismatches} tensor(s) differ: ${bad.join('; ')}`);
        }
        return `${r.tensors.length} tensors identical (max |a−b| ${r.maxAbsDiff})`;
      },
    },
    {
      name: 'inspect',
      title: 'solo inspect --html (captions dataset)',
      deps: ['prepare-captions'],
      output: paths.report,
      run: async () => {
        const r = await inspectPath({ path: paths.captions, tokenizer: paths.tokenizer, html: paths.report, items: [0], samples: 6, onProgress: progress });
        if (r.kind !== 'dataset' || !r.report) throw new Error('no dataset report was written');
        const problems = r.items.reduce((a, it) => a + it.problems.length, 0) + r.report.problems;
        if (problems) throw new Error(`${problems} decoding problem(s) in the report (see ${paths.report})`);
        return `${r.report.packs} packs, ${r.report.images} images, gallery of ${r.report.galleryImages} images`;
      },
    },
  ];

  const stages: DemoStage[] = specs.map((s) => ({ name: s.name, title: s.title, status: 'running', seconds: 0, output: s.output }));
  const statusOf = new Map<string, DemoStageStatus>();
  for (const [i, spec] of specs.entries()) {
    const st = stages[i]!;
    const blocked = spec.deps.filter((d) => statusOf.get(d) !== 'ok');
    if (blocked.length) {
      st.status = 'skipped';
      st.detail = `needs ${blocked.join(', ')}`;
      statusOf.set(spec.name, 'skipped');
      opts.onStage?.(st, i, specs.length);
      continue;
    }
    opts.onStage?.({ ...st }, i, specs.length);
    const s0 = performance.now();
    try {
      const detail = await spec.run();
      st.status = 'ok';
      if (detail) st.detail = detail;
    } catch (e) {
      st.status = 'failed';
      st.error = (e as Error).message;
      st.detail = st.error;
    }
    st.seconds = (performance.now() - s0) / 1000;
    st.bytes = demoPathBytes(spec.name === 'prepare-captions' || spec.name === 'prepare-text' ? join(spec.output, '..') : spec.output);
    statusOf.set(spec.name, st.status);
    opts.onStage?.(st, i, specs.length);
  }

  const failed = stages.filter((s) => s.status === 'failed').map((s) => s.name);
  const skipped = stages.some((s) => s.status === 'skipped');
  // a failed run keeps everything, for a look at what went wrong
  const removed = !keep && failed.length === 0 && !skipped;
  if (removed) for (const e of readdirSync(dir)) if (join(dir, e) !== paths.report && e !== DEMO_MARKER) rmSync(join(dir, e), { recursive: true, force: true });
  return {
    ok: failed.length === 0 && !skipped,
    dir,
    kept: !removed,
    seconds: (performance.now() - t0) / 1000,
    stages,
    failed,
    paths,
    trainArgv,
    trainCommand,
    verify,
  };
}

/** The summary table (stage, status, time, size, output) as fixed-width text. */
export function formatDemoTable(r: DemoResult): string {
  const rows = r.stages.map((s) => [s.name, s.status, s.status === 'skipped' ? '-' : `${s.seconds.toFixed(1)} s`, s.bytes ? formatDemoBytes(s.bytes) : '-', s.output ?? '']);
  const head = ['stage', 'status', 'time', 'size', 'output'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatDemoBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}
