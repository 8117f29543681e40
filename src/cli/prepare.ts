/**
 * `solo prepare`: chat JSONL → Megatron multimodal dataset (the reference's
 * preprocess_multimodal_data.py). Flag parsing and progress only; the work is `prepareDataset`
 * / `prepareShards`.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { expandInputPatterns } from '../formats/jsonl/expand-patterns.js';
import { prepareDataset, resolvePrepareCompat, type PrepareCompatSwitch, type PrepareDatasetResult } from '../prepare/prepare-dataset.js';
import { prepareShards } from '../prepare/prepare-shards.js';
import { submitPrepareArray } from '../slurm/prepare-array.js';
import { action, createReporter, globals, intOption } from './shared.js';
import { addSlurmOptions, slurmSettings, type SlurmCliOptions } from './slurm-options.js';

interface PrepareCliOptions extends SlurmCliOptions {
  input?: string[];
  outputPrefix?: string;
  shards?: string[];
  outputDir?: string;
  parallel?: number;
  tokenizer?: string;
  pretrain?: boolean;
  pack?: boolean;
  maxSeqLength?: number;
  workers?: number;
  force?: boolean;
  maxErrors?: number;
  compat: string[];
  targetSize?: number;
}

const collect = (v: string, prev: string[]) => prev.concat(v.split(',').map((s) => s.trim()).filter(Boolean));

function summaryLine(r: PrepareDatasetResult): string {
  if (r.skipped) return `${r.prefix}: already done (${r.prefix}_DONE exists; --force to redo)`;
  const rate = r.seconds > 0 ? r.docs / r.seconds : 0;
  return (
    `${r.prefix}: ${r.items} items from ${r.docs} documents (${r.errors} skipped), ${r.images} images, ${r.tokens} tokens, ` +
    `${(r.outputBytes / 1e6).toFixed(1)} MB written in ${r.seconds.toFixed(1)} s (${rate.toFixed(1)} docs/s)` +
    (r.errorsFile ? `; skipped lines listed in ${r.errorsFile}` : '')
  );
}

export function register(program: Command): void {
  const cmd = program
    .command('prepare')
    .description('chat JSONL → Megatron multimodal dataset (-text/-role/-vision_patch/-vision_patch_indices, .jsonl, _stats.json, _DONE)')
    .option('--input <files...>', 'input JSONL files or patterns (plain, .gz, .lz4), read in order as one stream')
    .option('--output-prefix <P>', 'output prefix, e.g. out/cc3m/data')
    .option('--shards <patterns...>', "sharded form: one prefix per shard file (glob or '{000..031}' pattern)")
    .option('--output-dir <D>', 'with --shards: outputs go to D/<shard-name>/data')
    .option('--parallel <K>', 'with --shards: shards processed at once', intOption('--parallel'), 1)
    .option('--tokenizer <tokenizer.model>', 'SOLO SentencePiece tokenizer.model (the reference --vocab_file)')
    .option('--pretrain', 'pretraining format, no chat wrapper tokens (reference --do_pretrain)')
    .option('--pack', 'pack documents into sequences (reference --do_packing)')
    .option('--max-seq-length <N>', 'pack length (reference --max_seq_length)', intOption('--max-seq-length'), 4096)
    .option('--workers <N>', 'encoding threads (default: all cores)', intOption('--workers'))
    .option('--force', 'redo prefixes whose _DONE exists')
    .option('--max-errors <N>', 'abort once more than N lines were skipped (default: unlimited)', intOption('--max-errors'))
    .option('--target-size <N>', "the reference's debug cap --target_size (writes N-1 items)", intOption('--target-size'))
    .option('--compat <switch>', 'restore a reference behaviour: pack-exact-length, reject-messages, reference (= all); repeatable or comma-separated', collect, [])
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  solo prepare --input cc3m.jsonl.gz --output-prefix out/cc3m/data --tokenizer tokenizer.model --pretrain --pack --max-seq-length 32768\n' +
        "  solo prepare --shards 'shards/cc3m_{000..031}.jsonl.gz' --output-dir out/cc3m --parallel 4 --tokenizer tokenizer.model --pretrain --pack --max-seq-length 32768\n" +
        "  solo prepare --shards 'shards/cc3m_{000..031}.jsonl.gz' --output-dir out/cc3m --tokenizer tokenizer.model --pretrain --pack --max-seq-length 32768 \\\n" +
        '      --slurm --partition cpu --cpus-per-task 8 --mem 32G --time 04:00:00 --array-parallel 16   # then: solo jobs wait <manifest>',
    );
  addSlurmOptions(cmd).action(
      action(async (o: PrepareCliOptions, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        if (!o.tokenizer) throw new UsageError('--tokenizer is required');
        const compat = [...resolvePrepareCompat(o.compat)] as PrepareCompatSwitch[];
        if (o.workers !== undefined && o.workers < 1) throw new UsageError('--workers must be ≥ 1');
        if (o.maxErrors !== undefined && o.maxErrors < 0) throw new UsageError('--max-errors must be ≥ 0');
        const common = {
          tokenizer: o.tokenizer,
          pretrain: !!o.pretrain,
          pack: !!o.pack,
          maxSeqLength: o.maxSeqLength,
          workers: o.workers,
          force: !!o.force,
          maxErrors: o.maxErrors,
          compat,
          targetSize: o.targetSize,
          onProgress: rep.progress,
          onWarning: (m: string) => rep.warn(m),
        };
        if (o.slurm && !o.shards) throw new UsageError('--slurm needs the sharded form (--shards … --output-dir D)');
        if (o.dryRun && !o.slurm) throw new UsageError('--dry-run applies to --slurm');
        if (o.shards) {
          if (o.input || o.outputPrefix) throw new UsageError('use either --shards/--output-dir or --input/--output-prefix');
          if (!o.outputDir) throw new UsageError('--shards needs --output-dir');
          if (o.slurm) {
            const sub = await submitPrepareArray({ ...common, shards: o.shards, outputDir: o.outputDir, slurm: slurmSettings(o), dryRun: o.dryRun, stateDir: o.slurmDir });
            if (o.dryRun && !g.json) process.stdout.write(sub.script);
            else if (!g.json) process.stdout.write(sub.jobId ? `submitted Slurm job ${sub.jobId}: ${sub.indices.length} shard(s), ${sub.skipped} already done\nfollow with: solo jobs wait ${sub.manifest}\n` : `nothing to submit: all ${sub.skipped} shard(s) are done\n`);
            rep.finish({ manifest: sub.manifest, jobId: sub.jobId, shards: sub.indices.length, skipped: sub.skipped, ...(o.dryRun ? { script: sub.script } : {}) });
            return 0;
          }
          const res = await prepareShards({
            ...common,
            shards: o.shards,
            outputDir: o.outputDir,
            parallel: o.parallel,
            onShardDone: (r, i, n) => rep.info(`[${i}/${n}] ${summaryLine(r)}`),
          });
          for (const f of res.failed) rep.warn(`shard ${f.shard} failed: ${f.error}`);
          rep.finish({ done: res.done, skipped: res.skipped, failed: res.failed, shards: res.shards.map((r) => ({ prefix: r.prefix, skipped: r.skipped, ...r.stats })) });
          return res.failed.length ? 1 : 0;
        }
        if (!o.input?.length) throw new UsageError('--input is required (or --shards)');
        if (!o.outputPrefix) throw new UsageError('--output-prefix is required');
        const input = await expandInputPatterns(o.input);
        const r = await prepareDataset({ ...common, input, outputPrefix: o.outputPrefix });
        rep.info(summaryLine(r));
        rep.finish({ prefix: r.prefix, skipped: r.skipped, ...r.stats, items: r.items, docs: r.docs, errors: r.errors, images: r.images, tokens: r.tokens, patches: r.patches, inputBytes: r.inputBytes, outputBytes: r.outputBytes, seconds: r.seconds, errorsFile: r.errorsFile });
        return 0;
      }),
    );
}
