/**
 * `solo prepare --shards … --slurm`: one Slurm array task per input shard. Each task runs
 * `solo prepare --input <shard> --output-prefix <dir>/<shard-name>/data …` with the same options,
 * so a task is exactly what `prepareShards` would do for that shard; `<prefix>_DONE` marks it done.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { expandInputPatterns } from '../formats/jsonl/expand-patterns.js';
import { shardPrefix } from '../prepare/prepare-shards.js';
import type { PrepareShardsOptions } from '../prepare/prepare-shards.js';
import type { SlurmSettings } from './manifest.js';
import type { SubmitArrayResult } from './submit.js';
import { submitShardArray } from './submit.js';

export interface PrepareArrayOptions extends Omit<PrepareShardsOptions, 'parallel' | 'only' | 'onProgress' | 'onShardDone' | 'onWarning' | 'signal'> {
  slurm: SlurmSettings;
  dryRun?: boolean;
  /** Manifests and task logs (default `<outputDir>/.solo-slurm`). */
  stateDir?: string;
  /** Override how tasks invoke solo (tests). */
  solo?: string[];
}

/** The solo argv that prepares one shard with these options. */
export function prepareTaskArgv(opts: PrepareArrayOptions, file: string, prefix: string): string[] {
  const a = ['prepare', '--input', file, '--output-prefix', prefix, '--tokenizer', resolve(opts.tokenizer)];
  if (opts.pretrain) a.push('--pretrain');
  if (opts.pack) a.push('--pack');
  if (opts.maxSeqLength !== undefined) a.push('--max-seq-length', String(opts.maxSeqLength));
  if (opts.workers !== undefined) a.push('--workers', String(opts.workers));
  if (opts.maxErrors !== undefined) a.push('--max-errors', String(opts.maxErrors));
  for (const c of opts.compat ?? []) a.push('--compat', c);
  return a;
}

export async function submitPrepareArray(opts: PrepareArrayOptions): Promise<SubmitArrayResult> {
  if (opts.force) throw new UsageError('--force with --slurm is not supported: delete the _DONE markers of the shards to redo, then submit again');
  const files = (await expandInputPatterns(opts.shards)).map((f) => resolve(f));
  if (!files.length) throw new UsageError('no shard files');
  const outputDir = resolve(opts.outputDir);
  const seen = new Map<string, string>();
  const tasks = files.map((file) => {
    const prefix = shardPrefix(outputDir, file);
    if (seen.has(prefix)) throw new UsageError(`shards ${seen.get(prefix)} and ${file} map to the same output ${prefix}`);
    seen.set(prefix, file);
    return { input: file, output: prefix, doneMarker: `${prefix}_DONE`, argv: prepareTaskArgv(opts, file, prefix) };
  });
  return submitShardArray({
    kind: 'prepare',
    tasks,
    stateDir: opts.stateDir ?? `${outputDir}/.solo-slurm`,
    settings: opts.slurm,
    solo: opts.solo,
    dryRun: opts.dryRun,
  });
}
