/**
 * `solo model`: create, to-megatron, shard, to-hf, verify, info. Flag parsing only; each command
 * calls its library function (src/model) with typed options and renders progress / a summary.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { action, createReporter, globals, intOption } from './shared.js';
import {
  modelCreate, modelToMegatron, modelShard, modelToHf, modelVerify, modelInfo, formatModelInfo,
} from '../model/index.js';
import { parseDType, type DType } from '../model/tensor.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

function iterOption(v: string): number | 'release' {
  if (v === 'release') return 'release';
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--iter must be an iteration number or 'release', got '${v}'`);
  return n;
}

function dtypeOption(v: string): DType {
  try {
    return parseDType(v);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function bytesOption(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB)?$/i.exec(v.trim());
  if (!m) throw new UsageError(`bad size '${v}' (e.g. 5GB, 500MB, 1000000)`);
  const mult: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
  return Math.floor(Number(m[1]) * mult[(m[2] ?? 'b').toLowerCase()]!);
}

export function register(program: Command): void {
  const model = program.command('model').description('SOLO model surgery and HF ⇄ Megatron checkpoint conversion');

  model
    .command('create')
    .description('Mistral HF directory → SOLO HF directory (extended tokenizer, resized embeddings, vision projection)')
    .requiredOption('--from <dir>', 'Mistral HF directory (config.json, tokenizer.model, weights)')
    .requiredOption('--out <dir>', 'output SOLO HF directory (written atomically)')
    .option('--chat-tokens', 'also add <|im_start|> <|im_end|> (33031 tokens for Mistral instead of 33029)')
    .option('--seed <n>', 'seed of the new rows and of embed_vision_patch', intOption('--seed'), 0)
    .option('--dtype <dtype>', 'output dtype (default: the input\'s; float32 reproduces the reference)', dtypeOption)
    .option('--max-shard-size <size>', 'safetensors shard size (default 5GB)', bytesOption)
    .option('--compat <switch>', 'reference behaviour: config-dtype | create-fp32 | create-chat-tokens | reference (repeatable)', collect, [])
    .option('--force', 'replace an existing output directory')
    .action(action(async (o: { from: string; out: string; chatTokens?: boolean; seed: number; dtype?: DType; maxShardSize?: number; compat: string[]; force?: boolean }, cmd: Command) => {
      const rep = createReporter(globals(cmd));
      const r = await modelCreate({ ...o, onProgress: rep.progress, warn: rep.warn });
      rep.info(`wrote ${r.out}: ${r.vocab} tokens (${r.baseVocab} base), ${r.dtype}, seed ${r.seed}, ${r.files.join(', ')}`);
      rep.finish(r);
    }));

  model
    .command('to-megatron')
    .description('HF SOLO directory → Megatron release checkpoint (hf_to_megatron.py multimodal_mistral)')
    .requiredOption('--hf <dir>', 'HF SOLO directory')
    .requiredOption('--out <dir>', 'output checkpoint directory (written atomically)')
    .option('--true-vocab-size <n>', 'vocabulary rows kept (default: the tokenizer\'s size; the reference uses 33029)', intOption('--true-vocab-size'))
    .option('--dtype <dtype>', 'output dtype (default: the input\'s; the reference writes float32)', dtypeOption)
    .option('--compat <switch>', 'reference behaviour: release-fp32 | release-vocab-33029 | reference (repeatable)', collect, [])
    .option('--force', 'replace an existing output directory')
    .action(action(async (o: { hf: string; out: string; trueVocabSize?: number; dtype?: DType; compat: string[]; force?: boolean }, cmd: Command) => {
      const rep = createReporter(globals(cmd));
      const r = await modelToMegatron({ ...o, onProgress: rep.progress, warn: rep.warn });
      rep.info(`wrote ${r.out}: ${r.tensors} tensors, vocab ${r.vocab} (padded ${r.paddedVocabSize}), ${r.dtype}`);
      rep.finish(r);
    }));

  model
    .command('shard')
    .description('Megatron checkpoint → TP×PP shards (tools/checkpoint_util.py)')
    .requiredOption('--in <dir>', 'Megatron checkpoint directory (release, sharded or trained)')
    .requiredOption('--out <dir>', 'output checkpoint directory (written atomically)')
    .requiredOption('--tp <n>', 'target tensor-parallel size', intOption('--tp'))
    .requiredOption('--pp <n>', 'target pipeline-parallel size', intOption('--pp'))
    .option('--iter <k>', 'iteration to read (default: the tracker\'s)', iterOption)
    .option('--true-vocab-size <n>', 'true vocabulary size (default: the checkpoint\'s tokenizer.model)', intOption('--true-vocab-size'))
    .option('--dtype <dtype>', 'output dtype (default bfloat16, as the reference\'s --bf16)', dtypeOption)
    .option('--save-arg <string>', 'value stored in args.save (default: --out as given)')
    .option('--compat <switch>', 'reference behaviour: pp-vision-weights | reference (repeatable)', collect, [])
    .option('--force', 'replace an existing output directory')
    .action(action(async (o: { in: string; out: string; tp: number; pp: number; iter?: number | 'release'; trueVocabSize?: number; dtype?: DType; saveArg?: string; compat: string[]; force?: boolean }, cmd: Command) => {
      const rep = createReporter(globals(cmd));
      const r = await modelShard({ ...o, iteration: o.iter, save: o.saveArg, onProgress: rep.progress, warn: rep.warn });
      rep.info(`wrote ${r.out}: TP ${r.tp} × PP ${r.pp}, iteration ${r.iteration}, vocab ${r.trueVocabSize} → ${r.paddedVocabSize} rows, ${r.dtype}`);
      rep.finish(r);
    }));

  model
    .command('to-hf')
    .description('Megatron checkpoint (any TP/PP, trained or release) → HF SOLO directory, in one pass')
    .requiredOption('--in <dir>', 'Megatron checkpoint directory')
    .requiredOption('--out <dir>', 'output HF directory (written atomically)')
    .option('--iter <k>', 'iteration to read (default: the tracker\'s)', iterOption)
    .option('--tokenizer <file>', 'tokenizer.model (default: the checkpoint directory\'s)')
    .option('--vocab-size <n>', 'vocabulary rows kept (default: the tokenizer\'s size)', intOption('--vocab-size'))
    .option('--dtype <dtype>', 'output dtype (default: the checkpoint\'s)', dtypeOption)
    .option('--config <file>', 'HF config.json to take the non-shape fields from (default: built in)')
    .option('--max-shard-size <size>', 'split the safetensors (default: one file)', bytesOption)
    .option('--force', 'replace an existing output directory')
    .action(action(async (o: { in: string; out: string; iter?: number | 'release'; tokenizer?: string; vocabSize?: number; dtype?: DType; config?: string; maxShardSize?: number; force?: boolean }, cmd: Command) => {
      const rep = createReporter(globals(cmd));
      const r = await modelToHf({ ...o, iteration: o.iter, onProgress: rep.progress, warn: rep.warn });
      rep.info(`wrote ${r.out}: iteration ${r.iteration}, vocab ${r.vocab}, ${r.dtype}, ${r.files.join(', ')}`);
      rep.finish(r);
    }));

  model
    .command('verify')
    .description('compare two checkpoints of any kind tensor by tensor (exit 1 on mismatch)')
    .argument('<a>', 'HF directory or Megatron checkpoint directory')
    .argument('<b>', 'HF directory or Megatron checkpoint directory')
    .option('--atol <x>', 'accepted max |a − b| (default 0)', (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--atol must be a non-negative number, got '${v}'`);
      return n;
    })
    .option('--strict-vocab', 'fail when vocabulary row counts differ (default: padding rows are reported)')
    .option('--iter-a <k>', 'iteration of <a> when it is a Megatron checkpoint (default: its tracker\'s)', iterOption)
    .option('--iter-b <k>', 'iteration of <b> when it is a Megatron checkpoint (default: its tracker\'s)', iterOption)
    .action(action(async (a: string, b: string, o: { atol?: number; strictVocab?: boolean; iterA?: number | 'release'; iterB?: number | 'release' }, cmd: Command) => {
      const g = globals(cmd);
      const rep = createReporter(g);
      const r = await modelVerify({ a, b, atol: o.atol, strictVocab: o.strictVocab, iterationA: o.iterA, iterationB: o.iterB, onProgress: rep.progress });
      if (!g.json) {
        for (const d of r.tensors) {
          const extra = d.extraRows ? ` (+${d.extraRows.rows} rows in ${d.extraRows.in}${d.extraRows.allZero ? ', all zero' : ''})` : '';
          const v = d.maxAbsDiff !== undefined ? `max|Δ| ${d.maxAbsDiff.toExponential(3)}${d.bitIdentical ? ' (bit-identical)' : ''}` : '';
          process.stdout.write(`${d.ok ? 'ok  ' : 'FAIL'} ${d.name}  ${v}${extra}${d.problem ? `  ${d.problem}` : ''}\n`);
        }
        for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
        process.stdout.write(`${r.ok ? 'MATCH' : 'MISMATCH'}: ${r.tensors.length} tensors, ${r.mismatches} mismatched, max |Δ| ${r.maxAbsDiff}\n`);
      }
      rep.finish(r);
      return r.ok ? 0 : 1;
    }));

  model
    .command('info')
    .description('what is inside an HF directory, a Megatron checkpoint directory, a .pt or a .safetensors file')
    .argument('<path>')
    .option('--iter <k>', 'iteration of a Megatron checkpoint (default: the tracker\'s)', iterOption)
    .action(action(async (path: string, o: { iter?: number | 'release' }, cmd: Command) => {
      const g = globals(cmd);
      const rep = createReporter(g);
      const r = await modelInfo(path, { iteration: o.iter });
      if (!g.json) process.stdout.write(formatModelInfo(r) + '\n');
      rep.finish(r);
    }));
}
