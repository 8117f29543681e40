import { describe, expect, it } from 'vitest';
import { existsSync, promises as fsp, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { ingest } from '../../src/ingest/index.js';
import { parseShardSize, outputBase, shardPath } from '../../src/ingest/output.js';
import { main } from '../../src/cli/main.js';
import { expectValidChat, jpeg, makeTar, readJsonl, readText, tempDir } from './helpers.js';

async function tars(dir: string, nTars: number, perTar: number): Promise<void> {
  for (let t = 0; t < nTars; t++) {
    const m = [];
    for (let i = 0; i < perTar; i++) {
      const key = `${String(t).padStart(5, '0')}${String(i).padStart(4, '0')}`;
      m.push({ name: `${key}.jpg`, data: await jpeg(8 + i, 8, t * 10 + i) }, { name: `${key}.txt`, data: `caption ${t}/${i}` });
    }
    await fsp.writeFile(join(dir, `${String(t).padStart(5, '0')}.tar`), await makeTar(m));
  }
}

async function shardBytes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.lz4')) out[f] = (await fsp.readFile(join(dir, f))).toString('base64');
    if (f.endsWith('.stats.json')) {
      const { shard, shardFiles, ...rest } = JSON.parse(await fsp.readFile(join(dir, f), 'utf8'));
      void shard, shardFiles;
      out[f] = JSON.stringify(rest);
    }
  }
  return out;
}

describe('ingest output naming and sizes', () => {
  it('parses patterns and sizes', () => {
    expect(shardPath('d/x.shard_{000}.jsonl.lz4', 7)).toBe('d/x.shard_007.jsonl.lz4');
    expect(shardPath('d/x_{00000}.jsonl', 12)).toBe('d/x_00012.jsonl');
    expect(outputBase('d/x.shard_{000}.jsonl.lz4')).toBe('d/x');
    expect(outputBase('d/out.jsonl.gz')).toBe('d/out');
    expect(parseShardSize(10000)).toEqual({ docs: 10000 });
    expect(parseShardSize('250')).toEqual({ docs: 250 });
    expect(parseShardSize('512MB')).toEqual({ bytes: 512e6 });
    expect(parseShardSize('1.5GiB')).toEqual({ bytes: 1.5 * 1024 ** 3 });
    expect(() => parseShardSize('12 parsecs')).toThrow(/unit/);
  });
});

describe('ingest sharding, resume and determinism', () => {
  it('rolls shards by documents, resumes after the last finished shard, --force redoes', async () => {
    const dir = tempDir();
    await tars(dir, 3, 3);
    const out = join(dir, 'o', 'r.shard_{000}.jsonl.lz4');
    const opts = { adapter: 'webdataset' as const, input: [join(dir, '*.tar')], out, shardSize: 4, beforeRatio: 0.5 };
    const s1 = await ingest(opts);
    expect([s1.shards, s1.documents, s1.shardsWritten]).toEqual([3, 9, 3]);
    const docs = await Promise.all([0, 1, 2].map((i) => readJsonl(join(dir, 'o', `r.shard_00${i}.jsonl.lz4`))));
    expect(docs.map((d) => d.length)).toEqual([4, 4, 1]);
    const before = await shardBytes(join(dir, 'o'));
    // everything finished: nothing redone
    const s2 = await ingest(opts);
    expect([s2.shardsWritten, s2.shardsSkipped, s2.documents]).toEqual([0, 3, 9]);
    // lose the last two shards: resume from shard 1's cursor
    await fsp.rm(join(dir, 'o', 'r.shard_001.jsonl.lz4_DONE'));
    await fsp.rm(join(dir, 'o', 'r.shard_002.jsonl.lz4'));
    const s3 = await ingest(opts);
    expect([s3.shardsWritten, s3.shardsSkipped]).toEqual([2, 1]);
    expect(await shardBytes(join(dir, 'o'))).toEqual(before);
    const s4 = await ingest({ ...opts, force: true });
    expect(s4.shardsWritten).toBe(3);
    expect(await shardBytes(join(dir, 'o'))).toEqual(before);
    // a changed option invalidates the finished shards
    const s5 = await ingest({ ...opts, beforeRatio: 1 });
    expect(s5.shardsWritten).toBe(3);
    // bigger shards: the stale third shard and its side files are removed
    const s6 = await ingest({ ...opts, shardSize: 5 });
    expect(s6.shards).toBe(2);
    expect(readdirSync(join(dir, 'o')).filter((f) => f.includes('shard_002'))).toEqual([]);
  });

  it('rolls shards by bytes', async () => {
    const dir = tempDir();
    await tars(dir, 1, 6);
    const out = join(dir, 'o', 'b_{000}.jsonl');
    const one = (await ingest({ adapter: 'webdataset', input: [join(dir, '*.tar')], out: join(dir, 'one.jsonl') })).bytes / 6;
    const s = await ingest({ adapter: 'webdataset', input: [join(dir, '*.tar')], out, shardSize: `${Math.ceil(one * 2.5)}B` });
    expect(s.shards).toBe(3);
    for (let i = 0; i < 3; i++) expect((await readJsonl(join(dir, 'o', `b_00${i}.jsonl`))).length).toBe(2);
  });

  it('fixed shards: same bytes whatever the worker count; one shard index at a time (Slurm) is idempotent', async () => {
    const dir = tempDir();
    await tars(dir, 5, 2);
    const run = (sub: string, extra: object) =>
      ingest({ adapter: 'webdataset', input: [join(dir, '*.tar')], out: join(dir, sub, 'c.shard_{000}.jsonl.lz4'), numShards: 3, beforeRatio: 0.5, seed: 7, ...extra });
    await run('w1', { workers: 1 });
    await run('w3', { workers: 3, concurrency: 2 });
    const ref = await shardBytes(join(dir, 'w1'));
    expect(Object.keys(ref).length).toBe(7);
    expect(await shardBytes(join(dir, 'w3'))).toEqual(ref);
    // contiguous split: ceil(5/3) = 2 tars per shard → 4, 4, 2 documents
    const st = JSON.parse(await readText(join(dir, 'w1', 'c.stats.json')));
    expect(st.documents).toBe(10);
    expect(await Promise.all([0, 1, 2].map(async (i) => (await readJsonl(join(dir, 'w1', `c.shard_00${i}.jsonl.lz4`))).length))).toEqual([4, 4, 2]);
    // the seed matters, the worker count does not
    await run('s8', { seed: 8 });
    expect(await shardBytes(join(dir, 's8'))).not.toEqual(ref);
    // one index per call (a Slurm array task); run-level files appear once all are done
    for (const i of [2, 0, 2, 1]) {
      const s = await run('slurm', { shardIndex: i });
      expect(s.shardsWritten + s.shardsSkipped).toBe(1);
      expect(existsSync(join(dir, 'slurm', 'c_DONE'))).toBe(i === 1);
    }
    expect(await shardBytes(join(dir, 'slurm'))).toEqual(ref);
    // array tasks that run at the same time: the last to finish still writes the run-level files
    await Promise.all([0, 1, 2].map((i) => run('together', { shardIndex: i })));
    expect(existsSync(join(dir, 'together', 'c_DONE'))).toBe(true);
    expect(JSON.parse(await readText(join(dir, 'together', 'c.stats.json')))).toMatchObject({ shards: 3, documents: 10 });
    // worker threads (compiled worker from dist/ when built)
    const worker = resolve('dist/ingest/worker.js');
    if (existsSync(worker)) {
      await run('pool', { workers: 3, workerScript: worker });
      expect(await shardBytes(join(dir, 'pool'))).toEqual(ref);
    }
    await expectValidChat([0, 1, 2].map((i) => join(dir, 'w3', `c.shard_00${i}.jsonl.lz4`)), 10);
  });

  it('--max-side re-encodes only larger images; --max-errors stops a runaway run', async () => {
    const dir = tempDir();
    const big = await jpeg(300, 120, 1);
    const small = await jpeg(50, 40, 2);
    await fsp.writeFile(join(dir, 'a.tar'), await makeTar([
      { name: 'big.jpg', data: big }, { name: 'big.txt', data: 'b' },
      { name: 'small.jpg', data: small }, { name: 'small.txt', data: 's' },
      { name: 'x.jpg', data: Buffer.alloc(0) }, { name: 'x.txt', data: 'x' },
      { name: 'y.txt', data: 'no image' },
    ]));
    const out = join(dir, 'm.jsonl');
    await ingest({ adapter: 'webdataset', input: [join(dir, 'a.tar')], out, maxSide: 100 });
    const docs = (await readJsonl(out)) as Array<{ conversations: Array<{ content: Array<{ image_url?: { url: string } }> }> }>;
    const bytes = docs.map((d) => Buffer.from(d.conversations[0]!.content[0]!.image_url!.url.split(',')[1]!, 'base64'));
    const meta = await sharp(bytes[0]!).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([100, 40, 'jpeg']);
    expect(bytes[1]!.equals(small)).toBe(true);
    await expect(ingest({ adapter: 'webdataset', input: [join(dir, 'a.tar')], out: join(dir, 'e.jsonl'), maxErrors: 1 })).rejects.toThrow(/max-errors/);
    expect(existsSync(join(dir, 'e.jsonl'))).toBe(false);
  });
});

describe('solo ingest CLI', () => {
  it('runs an adapter with a preset and prints a JSON summary; bad flags exit 2', async () => {
    const dir = tempDir();
    await tars(dir, 2, 2);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    (process.stdout as { write: unknown }).write = (s: string) => (lines.push(String(s)), true);
    try {
      await main(['node', 'solo', '--json', 'ingest', 'webdataset', '--preset', 'capfusion', '--input', join(dir, '*.tar'), '--out', join(dir, 'o', 'cf.shard_{000}.jsonl.lz4'), '--num-shards', '2']);
    } finally {
      (process.stdout as { write: unknown }).write = write;
    }
    const summary = JSON.parse(lines.filter((l) => l.includes('"summary"')).pop()!);
    expect(summary).toMatchObject({ type: 'summary', adapter: 'webdataset', preset: 'capfusion', shards: 2, documents: 4, errorCount: 0 });
    expect(process.exitCode ?? 0).toBe(0);
    expect(await readJsonl(join(dir, 'o', 'cf.shard_001.jsonl.lz4'))).toHaveLength(2);
    const err = process.stderr.write.bind(process.stderr);
    (process.stderr as { write: unknown }).write = () => true;
    try {
      await main(['node', 'solo', 'ingest', 'webdataset', '--input', join(dir, '*.tar'), '--out', join(dir, 'x.jsonl'), '--envelope', 'bogus']);
    } finally {
      (process.stderr as { write: unknown }).write = err;
    }
    expect(process.exitCode).toBe(2);
    process.exitCode = 0;
  });
});

describe('ingest presets', () => {
  it('every preset names a real adapter and is documented with its command', async () => {
    const { INGEST_PRESETS, INGEST_ADAPTERS } = await import('../../src/ingest/index.js');
    const doc = await readText(resolve('docs/commands/ingest.md'));
    for (const [name, p] of Object.entries(INGEST_PRESETS)) {
      expect(Object.keys(INGEST_ADAPTERS)).toContain(p.adapter);
      expect(p.example).toContain(`solo ingest ${p.adapter} --preset ${name} `);
      expect(doc).toContain(p.example);
    }
    for (const n of ['cc3m-llava', 'capfusion', 'imagenet21k', 'slimpajama', 'mmc4', 'c4-val', 'websight', 'llavar', 'dvqa', 'ocrvqa', 'figureqa', 'allava'])
      expect(INGEST_PRESETS).toHaveProperty(n);
  });

  it('rejects an unknown preset, a preset for another adapter and unknown compat switches', async () => {
    const base = { input: ['x'], out: 'y.jsonl' };
    await expect(ingest({ adapter: 'llava', preset: 'nope', ...base })).rejects.toThrow(/unknown preset/);
    await expect(ingest({ adapter: 'llava', preset: 'capfusion', ...base })).rejects.toThrow(/webdataset/);
    await expect(ingest({ adapter: 'llava', compat: ['bogus'], ...base })).rejects.toThrow(/unknown --compat/);
  });
});
