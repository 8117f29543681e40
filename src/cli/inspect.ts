/** `solo inspect`: look inside a dataset prefix or a checkpoint. */
import type { Command } from 'commander';
import { inspectPath } from '../inspect/inspect.js';
import { action, createReporter, globals, intOption } from './shared.js';

export function register(program: Command): void {
  program
    .command('inspect <path>')
    .description('decode packed items of a dataset prefix (text, roles, rebuilt images) or describe a checkpoint')
    .option('--item <n...>', 'item(s) to decode (default 0)')
    .option('--out <dir>', 'write the rebuilt images as PNG files here')
    .option('--html <file>', 'write a self-contained HTML report (datasets)')
    .option('--samples <n>', 'packs in the report gallery', intOption('--samples'), 6)
    .option('--tokenizer <file>', 'tokenizer.model (default: one beside the prefix)')
    .option('--iter <k>', "checkpoint iteration ('release' or a number)")
    .addHelpText(
      'after',
      `
Examples:
  solo inspect data/cc3m/shard_000/data --item 0 3 --out /tmp/imgs --tokenizer solo.tokenizer.model
  solo inspect data/cc3m/shard_000/data --html report.html
  solo inspect ckpts/MultimodalMistral-7B-megatron-tp2-pp1`,
    )
    .action(
      action(async (path: string, o: { item?: string[]; out?: string; html?: string; samples: number; tokenizer?: string; iter?: string }, cmd: Command) => {
        const g = globals(cmd);
        const r = createReporter(g);
        const res = await inspectPath({
          path,
          items: o.item?.map(Number),
          outDir: o.out,
          html: o.html,
          samples: o.samples,
          tokenizer: o.tokenizer,
          iteration: o.iter === undefined ? undefined : o.iter === 'release' ? 'release' : Number(o.iter),
          onProgress: r.progress,
        });
        if (!g.json) process.stdout.write(res.text + '\n');
        const problems = res.kind === 'dataset' ? res.items.reduce((a, it) => a + it.problems.length, 0) : 0;
        r.finish(res.kind === 'dataset' ? { kind: res.kind, prefix: res.prefix, packs: res.packs, items: res.items.map(({ rebuilt, ...rest }) => ({ ...rest, rebuilt: rebuilt.map(({ rgb: _rgb, ...im }) => im) })), report: res.report } : { kind: res.kind, info: res.info });
        return problems > 0 ? 1 : 0;
      }),
    );
}
