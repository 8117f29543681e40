/** `solo plan`: CLI layer over `planMixture` (the mixture notebook) and `writeMixtureToConfig`. */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { formatMixtureTable, planMixture, writeMixtureToConfig } from '../train/index.js';
import { action, createReporter, globals, intOption } from './shared.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command): void {
  program
    .command('plan')
    .description('compute the training mixture (weights, N_TRAIN_DATA, iterations, epochs) from dataset prefixes or directories of them')
    .argument('<inputs...>', 'dataset prefixes (…/data or any of its files) or directories holding *_DONE / *-text.idx prefixes')
    .option('--group <name=regex>', 'source rule: prefixes whose path matches regex form source <name> (repeatable, first match wins; default: by directory name)', collect)
    .option('--source <name=proportion>', 'target token proportion of a source (repeatable; all sources, summing to 1): stage-1 token weighting', collect)
    .option('--sample <name=fraction>', 'count only this fraction of a source\'s packs (stage-3 style subsample; deterministic)', collect)
    .option('--sample-seed <n>', 'seed of the row subsample', intOption('--sample-seed'))
    .option('--allow-incomplete', 'use prefixes without a _DONE marker')
    .option('--global-batch-size <n>', 'global batch for the iteration count', intOption('--global-batch-size'), 128)
    .option('--epochs <n>', 'epochs for the iteration count', intOption('--epochs'), 1)
    .option('--config <file>', 'write trainData and nTrainData into this JSON/YAML run config (created if missing)')
    .option('--out <file>', 'write the plan (sources, files, trainData, train_data_path) as JSON')
    .action(
      action(async (inputs: string[], o: { group?: string[]; source?: string[]; sample?: string[]; sampleSeed?: number; allowIncomplete?: boolean; globalBatchSize: number; epochs: number; config?: string; out?: string }, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const plan = await planMixture({
          inputs, groups: o.group, sources: o.source, sample: o.sample, sampleSeed: o.sampleSeed,
          allowIncomplete: o.allowIncomplete, globalBatchSize: o.globalBatchSize, nEpochs: o.epochs, onProgress: rep.progress,
        });
        if (o.config) writeMixtureToConfig(plan, o.config);
        if (o.out) writeFileSync(o.out, JSON.stringify(plan, null, 2) + '\n');
        if (!g.json) {
          process.stdout.write(formatMixtureTable(plan) + '\n\n--train_data_path ' + plan.trainDataPath + '\n');
          if (o.config) rep.info(`wrote trainData (${plan.trainData.length} entries) and nTrainData=${plan.nTrainData} to ${o.config}`);
        }
        rep.finish({
          mode: plan.mode, nTrainData: plan.nTrainData, trainIters: plan.trainIters, globalBatchSize: plan.globalBatchSize,
          trainDataPath: plan.trainDataPath, trainData: plan.trainData,
          sources: plan.sources, ...(o.config ? { config: o.config } : {}),
        });
      }),
    );
}
