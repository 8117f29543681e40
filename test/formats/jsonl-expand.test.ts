// expandInputPatterns: brace expansion (zero-padded ranges), globs, ordering, and missing inputs.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { expandBraces, expandInputPatterns } from '../../src/formats/jsonl/index.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'solo-expand-'));
  for (let i = 0; i < 32; i++) await writeFile(join(dir, `data.shard_${String(i).padStart(3, '0')}.jsonl.lz4`), '');
  await mkdir(join(dir, 'sub/deep'), { recursive: true });
  await writeFile(join(dir, 'sub/b.jsonl'), '');
  await writeFile(join(dir, 'sub/a.jsonl'), '');
  await writeFile(join(dir, 'sub/deep/c.jsonl'), '');
  await writeFile(join(dir, '.hidden.jsonl'), '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('expandBraces', () => {
  it('expands like bash', () => {
    const cases = ['a{1,2}b', 'x_{000..011}.jsonl', '{a,b{c,d}}e', 'v{0..10..3}', 'r{5..2}', 'l{a..d}', 'n{-2..1}', 'lit{x}y', 'no braces', 'p{01..3}'];
    for (const c of cases) {
      const bash = spawnSync('bash', ['-c', `for x in ${c.replace(/ /g, '\\ ')}; do printf '%s\\n' "$x"; done`], { encoding: 'utf8' });
      expect(expandBraces(c), c).toEqual(bash.stdout.trimEnd().split('\n'));
    }
  });
});

describe('expandInputPatterns', () => {
  it('expands zero-padded shard ranges in order', async () => {
    const got = await expandInputPatterns([join(dir, 'data.shard_{000..031}.jsonl.lz4')]);
    expect(got.length).toBe(32);
    expect(got[0]).toBe(join(dir, 'data.shard_000.jsonl.lz4'));
    expect(got[31]).toBe(join(dir, 'data.shard_031.jsonl.lz4'));
  });
  it('sorts glob matches; keeps pattern order across patterns; skips dot files', async () => {
    expect(await expandInputPatterns([join(dir, 'sub/*.jsonl'), join(dir, 'data.shard_00[12].jsonl.lz4')])).toEqual([
      join(dir, 'sub/a.jsonl'),
      join(dir, 'sub/b.jsonl'),
      join(dir, 'data.shard_001.jsonl.lz4'),
      join(dir, 'data.shard_002.jsonl.lz4'),
    ]);
    expect(await expandInputPatterns([join(dir, '**/*.jsonl')])).toEqual([join(dir, 'sub/a.jsonl'), join(dir, 'sub/b.jsonl'), join(dir, 'sub/deep/c.jsonl')]);
    expect(await expandInputPatterns([join(dir, 'sub/{b,a}.jsonl')])).toEqual([join(dir, 'sub/b.jsonl'), join(dir, 'sub/a.jsonl')]);
  });
  it('errors when a literal file is missing or a glob matches nothing', async () => {
    await expect(expandInputPatterns([join(dir, 'data.shard_{000..032}.jsonl.lz4')])).rejects.toThrow(/shard_032/);
    await expect(expandInputPatterns([join(dir, 'none_*.jsonl')])).rejects.toBeInstanceOf(UsageError);
  });
  it('works with relative patterns', async () => {
    const rel = relative(process.cwd(), dir);
    expect(await expandInputPatterns([`${rel}/sub/?.jsonl`])).toEqual([`${rel}/sub/a.jsonl`, `${rel}/sub/b.jsonl`]);
  });
});
