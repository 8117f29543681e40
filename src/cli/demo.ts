/** `solo demo`: CLI layer over runDemo (flag parsing, a progress line per stage, the summary table). */
import type { Command } from 'commander';
import { formatDemoBytes, formatDemoTable, runDemo, type DemoStage } from '../demo/run-demo.js';
import { action, createReporter, globals, intOption } from './shared.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run every stage (ingest → prepare → plan → model → shard → train --dry-run → to-hf → verify → inspect) on an embedded sample, offline, no GPU')
    .option('--dir <dir>', 'output directory (default: a fresh temporary directory); a previous demo directory is emptied first')
    .option('--small', 'a smaller sample (about 50 images; what the tests run)')
    .option('--keep', 'keep every output (default: kept with --dir or after a failure, otherwise only report.html is kept)')
    .option('--workers <n>', 'encoding threads for prepare (default: cores, at most 4)', intOption('--workers'))
    .addHelpText(
      'after',
      `
Examples:
  npm run demo
  solo demo --dir /tmp/solo-demo
  solo demo --small --json`,
    )
    .action(
      action(async (o: { dir?: string; small?: boolean; keep?: boolean; workers?: number }, cmd: Command) => {
        const g = globals(cmd);
        const r = createReporter(g);
        let stageReporter = createReporter(g);
        let stageStart = Date.now();
        const tty = !!process.stderr.isTTY;
        const line = (s: DemoStage, i: number, n: number): string => {
          const tag = `[${String(i + 1).padStart(2)}/${n}] ${s.name}`;
          if (s.status === 'running') return `${tag}: ${s.title} …`;
          const size = s.bytes ? `, ${formatDemoBytes(s.bytes)}` : '';
          if (s.status === 'ok') return `${tag}: ok in ${s.seconds.toFixed(1)} s${size}${s.detail ? ` (${s.detail})` : ''}`;
          if (s.status === 'skipped') return `${tag}: SKIPPED (${s.detail})`;
          return `${tag}: FAILED after ${s.seconds.toFixed(1)} s: ${s.error}`;
        };
        const res = await runDemo({
          dir: o.dir,
          small: !!o.small,
          keep: o.keep,
          workers: o.workers,
          onStage: (s, i, n) => {
            // a fresh reporter per stage, so rates and ETAs are the stage's own
            stageReporter.finish();
            if (g.json && s.status !== 'running') process.stdout.write(JSON.stringify({ type: 'stage', index: i + 1, total: n, ...s }) + '\n');
            r.info(line(s, i, n));
            if (s.status === 'running') (stageReporter = createReporter(g)), (stageStart = Date.now());
          },
          // on a log (not a TTY), only stages that take a while print progress lines
          onProgress: (e) => {
            if (tty || g.json || Date.now() - stageStart > 3000) stageReporter.progress(e);
          },
          onWarning: (m) => r.warn(m),
        });
        if (!g.json) {
          const out: string[] = ['', formatDemoTable(res), ''];
          if (res.trainCommand) out.push('The training command a GPU machine would run (dry run, not launched):', res.trainCommand, '');
          if (res.verify) out.push(`Round trip: ${res.verify.ok ? 'ok' : 'FAILED'}: ${res.verify.tensors} tensors, ${res.verify.mismatches} mismatches, max |a−b| ${res.verify.maxAbsDiff}`);
          out.push(`Report: ${res.paths.report}`);
          out.push(res.kept ? `Outputs: ${res.dir}` : `Outputs other than report.html were removed from ${res.dir} (pass --keep or --dir to keep them)`);
          out.push(res.ok ? `demo ok in ${res.seconds.toFixed(1)} s` : `demo FAILED: ${res.failed.length ? `stage(s) ${res.failed.join(', ')} failed` : 'some stages were skipped'}`);
          process.stdout.write(out.join('\n') + '\n');
        }
        r.finish({ ok: res.ok, dir: res.dir, kept: res.kept, seconds: res.seconds, failed: res.failed, stages: res.stages, paths: res.paths, trainArgv: res.trainArgv, verify: res.verify });
        return res.ok ? 0 : 1;
      }),
    );
}
