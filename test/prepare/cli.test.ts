// The built CLI (dist/): every golden run with --workers 2 (piscina threads), --json summary,
// _DONE skip and --force, --max-errors, the sharded form, and SIGKILL at random points followed by
// a rerun that must be byte-identical.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODES, goldenDir, goldenSums, sha256File, stripTimings } from './golden.js';
import { ensureBuilt, workDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

beforeAll(ensureBuilt);

function solo(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

function modeArgs(set: string, mode: keyof typeof MODES): string[] {
  const m = MODES[mode];
  const w = workDir();
  return [
    '--input', join(w, `${set}.jsonl`),
    '--tokenizer', join(w, `${m.tokenizer}.tokenizer.model`),
    ...(m.kind === 'pretrain' ? ['--pretrain'] : []),
    ...(m.pack ? ['--pack', '--max-seq-length', String(m.pack)] : []),
    ...(set === 'packing_exact512' ? ['--compat', 'pack-exact-length'] : []),
  ];
}

/** Compare a prefix folder with a golden run; returns mismatching names. */
function diffGolden(dir: string, gold: string): string[] {
  const bad: string[] = [];
  for (const [name, sha] of goldenSums(gold)) {
    if (name === 'data_stats.json') {
      if (stripTimings(readFileSync(join(dir, name), 'utf8')) !== stripTimings(readFileSync(join(gold, name), 'utf8'))) bad.push(name);
    } else if (!existsSync(join(dir, name)) || sha256File(join(dir, name)) !== sha) bad.push(name);
  }
  return bad;
}

describe('solo prepare (built CLI, --workers 2)', () => {
  // Every run is covered in-process with --workers 1 and 2 (prepare-golden.test.ts); these check the flag mapping.
  const runs: [string, keyof typeof MODES][] = [['dev', 'b_pretrain_pack512'], ['packing', 'c_chat_pack4096'], ['packing_exact512', 'b_pretrain_pack512'], ['dev', 'd_pretrain_nopack']];
  for (const [set, mode] of runs) {
    it(`${set} ${mode}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'cli-'));
      const r = solo(['prepare', ...modeArgs(set, mode), '--output-prefix', join(dir, 'data'), '--workers', '2', '--quiet']);
      expect(r.status, r.stderr).toBe(0);
      expect(diffGolden(dir, goldenDir(set, mode))).toEqual([]);
    });
  }

  it('--json summary equals the stats; _DONE skips; --force redoes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const args = ['--json', 'prepare', ...modeArgs('packing', 'b_pretrain_pack512'), '--output-prefix', join(dir, 'data'), '--workers', '2'];
    const r = solo(args);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.at(-1)!;
    expect(summary.type).toBe('summary');
    const stats = JSON.parse(readFileSync(join(dir, 'data_stats.json'), 'utf8')) as Record<string, number>;
    for (const [k, v] of Object.entries(stats)) expect(summary[k], k).toBe(v);
    expect(summary.errors).toBe(2);
    const errs = readFileSync(join(dir, 'data_errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string; offset: number });
    expect(errs.map((e) => [e.line, e.reason])).toEqual([[6, 'invalid-json'], [41, 'unknown-content-type']]);
    const before = statSync(join(dir, 'data-text.bin')).mtimeMs;
    const again = solo(args);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!).skipped).toBe(true);
    expect(statSync(join(dir, 'data-text.bin')).mtimeMs).toBe(before);
    const forced = solo([...args, '--force']);
    expect(JSON.parse(forced.stdout.trim().split('\n').at(-1)!).skipped).toBe(false);
    expect(diffGolden(dir, goldenDir('packing', 'b_pretrain_pack512'))).toEqual([]);
  });

  it('--max-errors aborts cleanly (no outputs at all)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const r = solo(['prepare', ...modeArgs('dev', 'b_pretrain_pack512'), '--output-prefix', join(dir, 'data'), '--workers', '2', '--max-errors', '2', '--quiet']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/too many skipped lines/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a tokenizer without the chat pieces fails chat mode at startup (exit 1, no outputs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const w = workDir();
    const r = solo(['prepare', '--input', join(w, 'packing_exact512.jsonl'), '--output-prefix', join(dir, 'data'), '--tokenizer', join(w, 'solo-33029.tokenizer.model'), '--workers', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/<\|im_start\|>/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a second run on a prefix being written fails fast; the first one is unaffected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-lock-'));
    const args = [CLI, 'prepare', ...modeArgs('dev', 'b_pretrain_pack512'), '--output-prefix', join(dir, 'data'), '--workers', '1', '--quiet'];
    const first = spawn(process.execPath, args, { stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => first.on('exit', (c) => res(c)));
    for (let i = 0; i < 200 && !existsSync(join(dir, 'data.lock')); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(join(dir, 'data.lock'))).toBe(true);
    // hold the first run (alive, lock held) so it cannot finish while the second one starts up
    first.kill('SIGSTOP');
    let second;
    try {
      second = spawnSync(process.execPath, args, { encoding: 'utf8' });
    } finally {
      first.kill('SIGCONT');
    }
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/is being written by pid/);
    expect(await exited).toBe(0);
    expect(diffGolden(dir, goldenDir('dev', 'b_pretrain_pack512'))).toEqual([]);
    expect(existsSync(join(dir, 'data.lock'))).toBe(false);
  });

  it('usage errors exit 2', () => {
    expect(solo(['prepare', '--input', 'x.jsonl', '--output-prefix', 'p']).status).toBe(2);
    expect(solo(['prepare', ...modeArgs('dev', 'a_pretrain_pack32768'), '--output-prefix', '/tmp/x/y', '--compat', 'nope']).status).toBe(2);
  });

  it('--shards: one prefix per shard, --parallel 2, finished shards skipped', () => {
    const w = workDir();
    const inDir = mkdtempSync(join(tmpdir(), 'shards-in-'));
    copyFileSync(join(w, 'packing.jsonl'), join(inDir, 'shard_000.jsonl'));
    copyFileSync(join(w, 'packing_exact512.jsonl'), join(inDir, 'shard_001.jsonl'));
    const out = mkdtempSync(join(tmpdir(), 'shards-out-'));
    const args = ['--json', 'prepare', '--shards', join(inDir, 'shard_{000..001}.jsonl'), '--output-dir', out, '--parallel', '2', '--workers', '1',
      '--tokenizer', join(w, 'solo-33029.tokenizer.model'), '--pretrain', '--pack', '--max-seq-length', '512', '--compat', 'reference'];
    const r = solo(args);
    expect(r.status, r.stderr).toBe(0);
    expect(diffGolden(join(out, 'shard_000'), goldenDir('packing', 'b_pretrain_pack512'))).toEqual([]);
    expect(diffGolden(join(out, 'shard_001'), goldenDir('packing_exact512', 'b_pretrain_pack512'))).toEqual([]);
    const again = JSON.parse(solo(args).stdout.trim().split('\n').at(-1)!) as { done: number; skipped: number };
    expect([again.done, again.skipped]).toEqual([0, 2]);
  });
});

describe('kill at random points, then rerun', () => {
  it('never shows _DONE or an incomplete final-named file; the rerun is byte-identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kill-'));
    const prefix = join(dir, 'data');
    const gold = goldenDir('dev', 'b_pretrain_pack512');
    const sums = goldenSums(gold);
    const args = [CLI, 'prepare', ...modeArgs('dev', 'b_pretrain_pack512'), '--output-prefix', prefix, '--workers', '2', '--quiet'];
    // One complete run first: its duration sets the range of kill points.
    const t0 = performance.now();
    const first = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const full = performance.now() - t0;
    expect(first.status, first.stderr).toBe(0);
    expect(diffGolden(dir, gold)).toEqual([]);
    for (const n of readdirSync(dir)) spawnSync('rm', ['-f', join(dir, n)]);
    const delays: number[] = [];
    let killed = 0;
    for (let attempt = 0; killed < 10 && attempt < 25; attempt++) {
      const delay = Math.floor(30 + Math.random() * Math.max(50, full * 0.95 - 30));
      delays.push(delay);
      const child = spawn(process.execPath, args, { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const [code, signal] = await new Promise<[number | null, string | null]>((res) => child.on('exit', (c, s) => res([c, s])));
      clearTimeout(timer);
      const names = readdirSync(dir);
      if (signal === 'SIGKILL' && names.includes('data_DONE')) {
        // killed after it finished (while shutting down): then every output must be complete
        expect(diffGolden(dir, gold), `DONE after a kill at ${delay} ms`).toEqual([]);
        for (const n of names) spawnSync('rm', ['-f', join(dir, n)]);
      } else if (signal === 'SIGKILL') {
        killed++;
        // Files under final names are complete (renamed only after being finalized).
        for (const n of names) if (sums.has(n) && n !== 'data_stats.json') expect(sha256File(join(dir, n)), `${n} after kill at ${delay} ms`).toBe(sums.get(n));
      } else {
        expect(code).toBe(0);
        expect(diffGolden(dir, gold)).toEqual([]);
        // finished: start over so the next kill hits a real run
        for (const n of names) spawnSync('rm', ['-f', join(dir, n)]);
      }
    }
    expect(killed, `delays ${delays.join(',')} (full run ${full.toFixed(0)} ms)`).toBeGreaterThanOrEqual(10);
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(diffGolden(dir, gold)).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });
});
