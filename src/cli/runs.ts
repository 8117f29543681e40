/** `solo runs ls|show`: CLI layer over `listRuns` and `showRun`. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { formatRunList, listRuns, showRun } from '../train/index.js';
import { action, createReporter, globals } from './shared.js';

export function register(program: Command): void {
  const runs = program.command('runs').description('training runs: checkpoints and logs');
  runs
    .command('ls')
    .description('list runs and their checkpoints (iterations, sizes, latest, complete or not)')
    .argument('[roots...]', 'checkpoint roots or run directories (default: data/ckpts)')
    .option('--no-slurm', 'do not ask squeue/sacct for the state of submitted jobs')
    .action(
      action(async (roots: string[], o: { slurm: boolean }, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const list = listRuns(roots.length ? roots : existsSync('data/ckpts') ? ['data/ckpts'] : [], { slurmState: o.slurm });
        if (!g.json) process.stdout.write(formatRunList(list) + '\n');
        rep.finish({ runs: list });
      }),
    );
  runs
    .command('show')
    .description('parse a training log: table, CSV series, loss and lr curves (SVG and PNG)')
    .argument('<log>', 'the fork\'s training log, or a run directory holding *.log / slurm-*.out')
    .option('--out <dir>', 'where to write <name>.csv/.svg/.png (default: beside the log)')
    .option('--name <name>', 'base name of the outputs (default: the log file name)')
    .action(
      action(async (log: string, o: { out?: string; name?: string }, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const r = await showRun({ log, outDir: o.out, name: o.name });
        if (!g.json) {
          process.stdout.write(r.table + '\n');
          rep.info(`wrote ${r.csv}, ${r.svg}, ${r.png}`);
        }
        rep.finish({
          logFile: r.logFile, iterations: r.log.points.length, lastIteration: r.log.lastIteration, trainIters: r.log.trainIters,
          skippedIterations: r.log.skippedIterations, nanTotal: r.log.nanTotal, saves: r.log.saves,
          crashes: r.log.crashes.map((c) => ({ line: c.line, error: c.error, afterIteration: c.afterIteration })),
          csv: r.csv, svg: r.svg, png: r.png,
        });
        return r.log.crashes.length ? 1 : 0;
      }),
    );
}
