/** `solo jobs`: follow, wait for and retry Slurm shard arrays submitted by `--slurm`. */
import type { Command } from 'commander';
import { jobsRetry, jobsStatus, jobsWait, runArrayTask } from '../slurm/jobs.js';
import type { ArrayStatus } from '../slurm/status.js';
import { action, createReporter, globals, intOption } from './shared.js';

function printStatus(st: ArrayStatus, log: (s: string) => void): void {
  const c = st.counts;
  log(`shards: ${st.shards.length}  done ${c.done}  running ${c.running}  pending ${c.pending}  failed ${c.failed}  missing ${c.missing}`);
  for (const s of st.shards) {
    if (s.state === 'done') continue;
    log(`  [${s.index}] ${s.state}${s.exitCode !== undefined ? ` (exit ${s.exitCode})` : ''}  ${s.input} → ${s.output}`);
  }
}

export function register(program: Command): void {
  const jobs = program.command('jobs').description('follow Slurm shard arrays (from `solo prepare/ingest --slurm`)');

  jobs
    .command('status <manifest>')
    .description('shards done / running / pending / failed / missing')
    .addHelpText('after', '\nExample:\n  solo jobs status data/cc3m/.solo-slurm/prepare-1a2b3c4d5e6f7a8b.manifest.json')
    .action(
      action(async (manifest: string, _o: unknown, cmd: Command) => {
        const g = globals(cmd);
        const r = createReporter(g);
        const st = await jobsStatus(manifest);
        if (!g.json) printStatus(st, (s) => process.stdout.write(s + '\n'));
        r.finish(st);
        return st.counts.failed > 0 ? 1 : 0;
      }),
    );

  jobs
    .command('wait <manifest>')
    .description('wait until no shard is pending or running; exit 0 when all are done, 1 otherwise')
    .option('--timeout <seconds>', 'give up after this many seconds', intOption('--timeout'))
    .option('--interval <ms>', 'poll interval', intOption('--interval'), 2000)
    .action(
      action(async (manifest: string, o: { timeout?: number; interval: number }, cmd: Command) => {
        const g = globals(cmd);
        const r = createReporter(g);
        const st = await jobsWait({ manifest, timeout: o.timeout, intervalMs: o.interval, onProgress: r.progress });
        if (!g.json) printStatus(st, (s) => process.stderr.write(s + '\n'));
        if (st.timedOut) r.warn(`timed out after ${o.timeout}s`);
        r.finish(st);
        return st.ok ? 0 : 1;
      }),
    );

  jobs
    .command('retry <manifest>')
    .description('resubmit only failed or missing shards')
    .option('--dry-run', 'print the sbatch script, submit nothing')
    .action(
      action(async (manifest: string, o: { dryRun?: boolean }, cmd: Command) => {
        const g = globals(cmd);
        const r = createReporter(g);
        const res = await jobsRetry(manifest, o);
        if (o.dryRun && !g.json) process.stdout.write(res.script);
        else if (!g.json) process.stdout.write(res.jobId ? `submitted job ${res.jobId} for ${res.indices.length} shard(s)\n` : 'nothing to retry\n');
        r.finish({ manifest: res.manifest, jobId: res.jobId, indices: res.indices });
      }),
    );

  jobs
    .command('run-task <manifest> <index>')
    .description('(used inside array jobs) run one shard of a manifest, idempotently')
    .action(
      action(async (manifest: string, index: string) => {
        return runArrayTask(manifest, Number(index));
      }),
    );
}
