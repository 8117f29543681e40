/**
 * `solo ingest <adapter>`: raw datasets → unified chat JSONL shards. Flag parsing and progress
 * only; the work is `ingest()` in src/ingest. `solo ingest presets` lists the dataset presets.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { ingest } from '../ingest/run.js';
import { INGEST_PRESETS } from '../ingest/presets.js';
import { INGEST_ADAPTERS } from '../ingest/registry.js';
import { INGEST_COMPAT_SWITCHES, type IngestAdapterName, type IngestOptions, type IngestSummary } from '../ingest/types.js';
import { stripFlags, submitIngestArray } from '../slurm/ingest-array.js';
import { action, createReporter, globals, intOption } from './shared.js';
import { addSlurmOptions, slurmSettings, type SlurmCliOptions } from './slurm-options.js';

const list = (v: string, prev: string[] = []) => prev.concat(v.split(',').map((s) => s.trim()).filter(Boolean));

function numberOption(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`${name} must be a number, got '${v}'`);
    return n;
  };
}

const ADAPTER_HELP: Record<IngestAdapterName, string> = {
  llava: 'LLaVA-style conversation JSON/JSONL + image folder (<image> placeholders, human/gpt → user/assistant)',
  webdataset: 'WebDataset / img2dataset tars: {key}.jpg|png|webp + {key}.txt|json',
  imagenet: 'class folders or tars + synset→name mapping (ImageNet-1k / 21k)',
  text: 'text-only JSON lines (.zst/.gz/plain), optional metadata filter (SlimPajama, C4)',
  interleaved: 'MMC4-style documents: sentences + images at matched sentence indices',
  chat: 'existing chat JSONL: embed local/file:// images, true mime types, canonical shape, validation',
  qa: 'visual-QA releases (DVQA, FigureQA, OCR-VQA): QA records grouped into one conversation per image',
  table: 'Parquet tables with an image column and a text column (Hugging Face releases, e.g. WebSight)',
};

interface CliOpts extends SlurmCliOptions {
  input?: string[];
  out?: string;
  images?: string;
  mapping?: string;
  captionKey?: string;
  seed?: number;
  workers?: number;
  concurrency?: number;
  shardSize?: string;
  numShards?: number;
  shardIndex?: number[];
  preset?: string;
  role?: string;
  beforeRatio?: number;
  maxSide?: number;
  envelope?: string;
  jsonStyle?: string;
  contentStyle?: string;
  validate?: string;
  compat: string[];
  force?: boolean;
  maxErrors?: number;
  imageExts?: string[];
  imageKey?: string;
  roleMap?: string[];
  idKey?: string;
  conversationsKey?: string;
  imageToken?: string;
  keepEmptyText?: boolean;
  layout?: string;
  labelTransform?: string[];
  filterKey?: string;
  exclude?: string[];
  include?: string[];
  onMissingImage?: string;
  recordsKey?: string;
  imageTemplate?: string;
  questionKey?: string;
  answerKey?: string;
  answerMap?: string[];
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

export function toIngestOptions(adapter: IngestAdapterName, o: CliOpts): IngestOptions {
  if (!o.input?.length) throw new UsageError('--input is required');
  if (!o.out) throw new UsageError('--out is required');
  const shardSize = o.shardSize === undefined ? undefined : /^\d+$/.test(o.shardSize) ? Number(o.shardSize) : o.shardSize;
  return {
    adapter,
    input: o.input,
    out: o.out,
    images: o.images,
    mapping: o.mapping,
    captionKey: o.captionKey,
    seed: o.seed,
    workers: o.workers,
    concurrency: o.concurrency,
    shardSize,
    numShards: o.numShards,
    shardIndex: o.shardIndex,
    preset: o.preset,
    role: oneOf('--role', o.role, ['system', 'user', 'assistant'] as const),
    beforeRatio: o.beforeRatio,
    maxSide: o.maxSide,
    envelope: oneOf('--envelope', o.envelope, ['conversations', 'messages-array', 'single-message'] as const),
    jsonStyle: oneOf('--json-style', o.jsonStyle, ['compact', 'python', 'ujson'] as const),
    contentStyle: oneOf('--content-style', o.contentStyle, ['parts', 'string'] as const),
    validate: oneOf('--validate', o.validate, ['none', 'header', 'decode'] as const),
    compat: o.compat.length ? o.compat : undefined,
    force: o.force,
    maxErrors: o.maxErrors,
    imageExts: o.imageExts?.map((e) => e.replace(/^\./, '').toLowerCase()),
    imageKey: o.imageKey,
    roleMap: o.roleMap ? parseRoleMap(o.roleMap) : undefined,
    idKey: o.idKey,
    conversationsKey: o.conversationsKey,
    imageToken: o.imageToken,
    keepEmptyText: o.keepEmptyText,
    layout: oneOf('--layout', o.layout, ['assistant', 'user-assistant'] as const),
    labelTransform: o.labelTransform?.map((t) => oneOf('--label-transform', t, ['underscore', 'hyphen', 'lowercase'] as const)!),
    filterKey: o.filterKey,
    exclude: o.exclude,
    include: o.include,
    onMissingImage: oneOf('--on-missing-image', o.onMissingImage, ['drop-document', 'drop-image'] as const),
    recordsKey: o.recordsKey,
    imageTemplate: o.imageTemplate,
    questionKey: o.questionKey,
    answerKey: o.answerKey,
    answerMap: o.answerMap ? Object.fromEntries(o.answerMap.map((p) => { const i = p.indexOf('='); if (i < 1) throw new UsageError(`--answer-map expects from=to pairs, got '${p}'`); return [p.slice(0, i), p.slice(i + 1)]; })) : undefined,
  };
}

function parseRoleMap(items: string[]): Record<string, 'system' | 'user' | 'assistant'> {
  const out: Record<string, 'system' | 'user' | 'assistant'> = {};
  for (const it of items) {
    const [from, to] = it.split('=');
    if (!from || !to) throw new UsageError(`--role-map expects from=to pairs, got '${it}'`);
    out[from] = oneOf('--role-map', to, ['system', 'user', 'assistant'] as const)!;
  }
  return out;
}

/** Flags that belong to the submission, not to the per-shard task command. */
const SLURM_FLAGS = {
  bool: ['--slurm', '--dry-run'],
  valued: ['--partition', '--time', '--cpus-per-task', '--mem', '--array-parallel', '--job-name', '--slurm-dir', '--shard-index'],
  variadic: ['--sbatch', '--export-env'],
};

/** The argv after `solo` that re-runs this ingest command (from the root program's raw argv). */
function taskArgv(cmd: Command, adapter: string): string[] {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv;
  const at = raw.findIndex((w, i) => w === 'ingest' && raw[i + 1] === adapter);
  if (at < 0) throw new UsageError('--slurm: cannot find the ingest command in the command line');
  return ['ingest', adapter, ...stripFlags(raw.slice(at + 2), SLURM_FLAGS)];
}

function summaryLine(s: IngestSummary): string {
  const errs = Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', ');
  return (
    `${s.adapter}${s.preset ? ` (${s.preset})` : ''}: ${s.documents} documents, ${s.images} images (${(s.imageBytes / 1e6).toFixed(1)} MB) in ` +
    `${s.shards} shard(s) (${s.shardsWritten} written, ${s.shardsSkipped} already done); ${s.errorCount} quarantined${errs ? ` (${errs})` : ''} → ${s.errorsFile}`
  );
}

export function register(program: Command): void {
  const group = program.command('ingest').description('raw datasets → unified chat JSONL shards (adapters + dataset presets)');
  for (const name of Object.keys(INGEST_ADAPTERS) as IngestAdapterName[]) {
    const sub = group
      .command(name)
      .description(ADAPTER_HELP[name])
      .option('--input <paths...>', 'input files, globs or brace ranges (x_{000..031}.tar)')
      .option('--out <pattern>', "output pattern; {000} = zero-padded shard index (e.g. 'out/name.shard_{000}.jsonl.lz4')")
      .option('--images <dir>', 'image root (llava, chat, interleaved) or the tar folder (interleaved --mapping)')
      .option('--mapping <file>', 'imagenet: synset→name map; interleaved: url→(img2dataset_shard_id,key) .jsonl/.csv/.tsv')
      .option('--caption-key <key>', 'webdataset: caption field of the .json member (default: .txt); text: text field (default text)')
      .option('--preset <name>', `dataset preset: ${Object.keys(INGEST_PRESETS).join(', ')}`)
      .option('--seed <N>', 'seed of the per-sample RNG (default 42)', intOption('--seed'))
      .option('--workers <N>', 'output shards processed in parallel (default 1)', intOption('--workers'))
      .option('--concurrency <N>', 'image reads in flight per shard (default 16)', intOption('--concurrency'))
      .option('--shard-size <N|size>', 'rolling shards: documents (10000) or bytes (512MB) per shard')
      .option('--num-shards <N>', 'fixed shards: inputs split contiguously into N shards (reference rule)', intOption('--num-shards'))
      .option('--shard-index <i>', 'fixed shards: process only shard i (repeatable; one Slurm array task)', (v: string, prev: number[] = []) => prev.concat(intOption('--shard-index')(v)))
      .option('--role <role>', 'role of pre-training messages (default assistant)')
      .option('--before-ratio <p>', 'probability that an image precedes its text (default 1.0)', numberOption('--before-ratio'))
      .option('--max-side <N>', 're-encode images whose longest side exceeds N (changes what prepare sees)', intOption('--max-side'))
      .option('--envelope <kind>', 'conversations (default) | messages-array | single-message')
      .option('--json-style <style>', 'compact (default) | python | ujson')
      .option('--content-style <style>', 'parts (default) | string (a lone text part as a plain string)')
      .option('--validate <level>', 'image check: header (default, magic bytes) | decode | none')
      .option('--compat <switch>', `reference behaviour: ${Object.keys(INGEST_COMPAT_SWITCHES).join(', ')}, reference (= all); repeatable`, list, [])
      .option('--force', 'redo shards that are already finished')
      .option('--max-errors <N>', 'fail once more than N records were quarantined', intOption('--max-errors'))
      .option('--image-exts <exts>', 'image member extensions in preference order (default jpg,jpeg,png,webp)', list)
      .option('--image-key <key>', 'llava: image field; table: image column (default image)')
      .option('--id-key <key>', 'llava: id field (default id)')
      .option('--role-map <pairs>', 'llava/chat: extra role names, e.g. human=user,bot=assistant', list)
      .option('--conversations-key <key>', 'llava: conversations field (default conversations)')
      .option('--image-token <tok>', 'llava: image placeholder (default <image>)')
      .option('--keep-empty-text', 'llava: keep the empty text piece before a leading <image> (reference CC3M)')
      .option('--layout <layout>', 'imagenet: assistant (one message, 21k) | user-assistant (1k)')
      .option('--label-transform <steps>', 'imagenet: comma list of underscore, hyphen, lowercase', list)
      .option('--filter-key <dotted>', 'text: metadata field to filter on (e.g. meta.redpajama_set_name)')
      .option('--exclude <values>', 'text: drop documents whose filter value is listed', list)
      .option('--include <values>', 'text: keep only documents whose filter value is listed', list)
      .option('--on-missing-image <what>', 'interleaved: drop-document (default) | drop-image')
      .option('--records-key <key>', 'qa: key of the records array in a top-level object (e.g. qa_pairs)')
      .option('--image-template <t>', "qa: image path with {field} placeholders, {id} = record key (default '{image}')")
      .option('--question-key <key>', 'qa: question field or array (default question)')
      .option('--answer-key <key>', 'qa: answer field or array (default answer)')
      .option('--answer-map <pairs>', 'qa: answer rewrites, e.g. 0=No,1=Yes', list);
    addSlurmOptions(sub)
      .addHelpText(
        'after',
        `\nOne Slurm array task per fixed output shard (each task runs this command with --shard-index i):\n` +
          `  $ solo ingest ${name} --input 'in/*' --out 'out/x.shard_{000}.jsonl.lz4' --num-shards 64 \\\n` +
          `      --slurm --partition cpu --cpus-per-task 4 --mem 16G --array-parallel 32   # then: solo jobs wait <manifest>\n`,
      )
      .action(
        action(async (o: CliOpts, cmd: Command) => {
          const g = globals(cmd);
          const rep = createReporter(g);
          if (o.dryRun && !o.slurm) throw new UsageError('--dry-run applies to --slurm');
          if (o.slurm) {
            const opts = toIngestOptions(name, o);
            if (opts.shardSize !== undefined) throw new UsageError('--slurm needs fixed shards (--num-shards N); rolling --shard-size shards depend on each other');
            if (o.shardIndex?.length) throw new UsageError('--slurm runs every shard as its own task; drop --shard-index');
            const res = await submitIngestArray({ argv: taskArgv(cmd, name), out: opts.out, numShards: o.numShards ?? NaN, inputs: opts.input, slurm: slurmSettings(o), dryRun: o.dryRun, stateDir: o.slurmDir });
            if (o.dryRun && !g.json) process.stdout.write(res.script);
            else if (!g.json) process.stdout.write(res.jobId ? `submitted Slurm job ${res.jobId}: ${res.indices.length} shard(s), ${res.skipped} already done\nfollow with: solo jobs wait ${res.manifest}\n` : `nothing to submit: all ${res.skipped} shard(s) are done\n`);
            rep.finish({ manifest: res.manifest, jobId: res.jobId, shards: res.indices.length, skipped: res.skipped, ...(o.dryRun ? { script: res.script } : {}) });
            return 0;
          }
          const s = await ingest({ ...toIngestOptions(name, o), onProgress: rep.progress });
          rep.info(summaryLine(s));
          rep.finish(s);
          return 0;
        }),
      );
  }
  group
    .command('presets')
    .description('list the dataset presets with the command that runs each')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        const g = globals(cmd);
        if (g.json) {
          process.stdout.write(JSON.stringify({ type: 'summary', presets: INGEST_PRESETS }) + '\n');
          return 0;
        }
        for (const [k, p] of Object.entries(INGEST_PRESETS)) process.stdout.write(`${k} (${p.adapter}): ${p.description}\n  ${p.example}\n`);
        return 0;
      }),
    );
}
