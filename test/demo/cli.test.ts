// `solo demo` through the built CLI: a progress line per stage, the summary table, the dry-run
// command, exit 0; with --json the last stdout line is the summary object; a --dir the demo did
// not make is refused with exit 2 and left untouched.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'solo-demo-cli-'));

beforeAll(() => {
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist', 'demo', 'run-demo.js'))) spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

// outputs that must be byte-identical between two runs (determinism)
const FIXED = [
  'raw/webdataset/00000.tar',
  'datasets/demo_captions_pack2k/data-text.bin',
  'datasets/demo_captions_pack2k/data-vision_patch.bin',
  'datasets/demo_text_pack2k/data-text.bin',
  'models/mistral-tiny-hf/model.safetensors',
  'models/MultimodalMistral-tiny-dproj-hf/model.safetensors',
  'models/sharded/MultimodalMistral-tiny-dproj-megatron-tp2-pp1/release/mp_rank_01/model_optim_rng.pt',
];
const digests = (dir: string) => FIXED.map((f) => createHash('sha256').update(readFileSync(join(dir, f))).digest('hex'));
let first: string[] = [];

const solo = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

describe('solo demo CLI', () => {
  it('prints a line per stage, the table and the command; exit 0', () => {
    const r = solo(['demo', '--small', '--dir', join(root, 'a'), '--workers', '2']);
    expect(r.stderr).not.toMatch(/FAILED|SKIPPED|error:/);
    expect(r.status).toBe(0);
    expect(r.stderr.match(/^\[\s*\d+\/16\] \S+: ok in /gm)?.length).toBe(16);
    expect(r.stdout).toMatch(/^stage\s+status\s+time\s+size\s+output$/m);
    expect(r.stdout).toContain('torchrun');
    expect(r.stdout).toMatch(/Round trip: ok: \d+ tensors, 0 mismatches/);
    expect(r.stdout).toMatch(/demo ok in [\d.]+ s/);
    expect(existsSync(join(root, 'a', 'report.html'))).toBe(true);
    first = digests(join(root, 'a'));
  }, 60_000);

  it('--json ends with the summary; a rerun into its own directory gives identical bytes', () => {
    const r = solo(['demo', '--small', '--dir', join(root, 'a'), '--json']);
    expect(r.status).toBe(0);
    const stageLines = r.stdout.split('\n').filter((l) => l.startsWith('{"type":"stage"')).map((l) => JSON.parse(l) as { index: number; name: string; status: string });
    expect(stageLines.map((l) => [l.index, l.status])).toEqual(Array.from({ length: 16 }, (_, i) => [i + 1, 'ok']));
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!) as { type: string; ok: boolean; stages: { status: string }[]; trainArgv: string[]; verify: { ok: boolean } };
    expect(last.type).toBe('summary');
    expect(last.ok).toBe(true);
    expect(last.stages.map((s) => s.status)).toEqual(new Array(16).fill('ok'));
    expect(last.trainArgv[0]).toBe('torchrun');
    expect(last.verify.ok).toBe(true);
    // same sample, same bytes (the first run used 2 encoding threads, this one the default)
    expect(digests(join(root, 'a'))).toEqual(first);
  }, 60_000);

  it('refuses a non-empty directory it did not make (exit 2)', () => {
    const d = join(root, 'mine');
    mkdirSync(d);
    writeFileSync(join(d, 'keep.txt'), 'x');
    const r = solo(['demo', '--small', '--dir', d]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not made by solo demo/);
    expect(existsSync(join(d, 'keep.txt'))).toBe(true);
  });
});
