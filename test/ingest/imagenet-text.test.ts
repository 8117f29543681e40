import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../src/ingest/index.js';
import { describeInterop, runPython } from '../helpers/oracle.js';
import { dataUrl, expectValidChat, jpeg, makeTar, readJsonl, readText, tempDir } from './helpers.js';

describe('ingest imagenet', () => {
  it('class folders + category.jsonl (1k preset): user image → assistant label, decode-validated', async () => {
    const dir = tempDir();
    const a = await jpeg(10, 10, 1);
    const b = await jpeg(11, 10, 2);
    await fsp.mkdir(join(dir, 'train', 'n01'), { recursive: true });
    await fsp.mkdir(join(dir, 'train', 'n02'), { recursive: true });
    await fsp.mkdir(join(dir, 'train', 'n99'), { recursive: true });
    await fsp.writeFile(join(dir, 'train', 'n01', 'x1.JPEG'), a);
    await fsp.writeFile(join(dir, 'train', 'n01', 'x2.JPEG'), a.subarray(0, a.length - 200)); // truncated
    await fsp.writeFile(join(dir, 'train', 'n02', 'y.JPEG'), b);
    await fsp.writeFile(join(dir, 'train', 'n99', 'z.JPEG'), b);
    await fsp.writeFile(join(dir, 'category.jsonl'), '{"id":"n01","name":"Great_White Shark"}\n{"id":"n02","name":"tench-fish"}\n');
    const out = join(dir, 'in1k.jsonl');
    const s = await ingest({ adapter: 'imagenet', preset: 'imagenet1k', input: [join(dir, 'train')], mapping: join(dir, 'category.jsonl'), out });
    expect(await readJsonl(out)).toEqual([
      { id: 'n01/x1.JPEG', conversations: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(a, 'image/jpeg') } }] }, { role: 'assistant', content: [{ type: 'text', text: 'great white shark' }] }] },
      { id: 'n02/y.JPEG', conversations: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(b, 'image/jpeg') } }] }, { role: 'assistant', content: [{ type: 'text', text: 'tench-fish' }] }] },
    ]);
    expect(s.errors).toEqual({ 'corrupt-image': 1, 'unknown-class': 1 });
    await expectValidChat([out], 2);
  });

  it("WebDataset tars + mapping.txt (21k preset): assistant [image, name with _ and - → space]", async () => {
    const dir = tempDir();
    const imgs = await Promise.all([1, 2, 3].map((i) => jpeg(8 + i, 8, i)));
    await fsp.writeFile(join(dir, 'imagenet21k-train-0000.tar'), await makeTar([
      { name: 'n001_1.jpg', data: imgs[0]! }, { name: 'n001_1.cls', data: '0' },
      { name: 'n002_7.jpg', data: imgs[1]! },
      { name: 'n404_1.jpg', data: imgs[2]! },
    ]));
    await fsp.writeFile(join(dir, 'mapping.txt'), 'n001 Sea_Lion-pup\nn002 ice cream\n');
    const out = join(dir, 'o', 'in21k.shard_{000}.jsonl.lz4');
    const s = await ingest({ adapter: 'imagenet', preset: 'imagenet21k', input: [join(dir, '*.tar')], mapping: join(dir, 'mapping.txt'), out, numShards: 2 });
    expect(s.shards).toBe(2);
    expect(await readJsonl(join(dir, 'o', 'in21k.shard_000.jsonl.lz4'))).toEqual([
      { role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(imgs[0]!, 'image/jpeg') } }, { type: 'text', text: 'Sea Lion pup' }] },
      { role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(imgs[1]!, 'image/jpeg') } }, { type: 'text', text: 'ice cream' }] },
    ]);
    // fewer tars than shards: the trailing shard is written empty (reference behaviour)
    expect(await readText(join(dir, 'o', 'in21k.shard_001.jsonl.lz4')).then((t) => t.length > 0)).toBe(true);
    expect(await readJsonl(join(dir, 'o', 'in21k.shard_001.jsonl.lz4'))).toEqual([]);
    expect(s.errors).toEqual({ 'unknown-class': 1 });
    // reference parsing: "n002 ice cream" has three tokens
    await expect(
      ingest({ adapter: 'imagenet', preset: 'imagenet21k', input: [join(dir, '*.tar')], mapping: join(dir, 'mapping.txt'), out: join(dir, 'o2.jsonl'), compat: ['mapping-two-tokens'] }),
    ).rejects.toThrow(/exactly 'wnid name'/);
  });
});

describe('ingest imagenet class tars', () => {
  it('one tar per synset: the class comes from the tar name when member keys carry none', async () => {
    const dir = tempDir();
    const a = await jpeg(9, 9, 1);
    await fsp.writeFile(join(dir, 'n777.tar'), await makeTar([{ name: 'pic_a.JPEG', data: a }, { name: 'pic2.JPEG', data: a }]));
    await fsp.writeFile(join(dir, 'map.txt'), 'n777 hot_dog\n');
    const out = join(dir, 'o.jsonl');
    await ingest({ adapter: 'imagenet', input: [join(dir, 'n777.tar')], mapping: join(dir, 'map.txt'), out, layout: 'user-assistant', labelTransform: ['underscore'] });
    const docs = (await readJsonl(out)) as Array<{ id: string; conversations: Array<{ content: Array<{ text?: string }> }> }>;
    expect(docs.map((d) => [d.id, d.conversations[1]!.content[0]!.text])).toEqual([['pic_a', 'hot dog'], ['pic2', 'hot dog']]);
  });
});

describeInterop(['zstandard'], 'ingest text (zstd input made by python zstandard)', () => {
  it('slimpajama preset: drops CommonCrawl/C4, string content, E3, 2 shards; bad lines quarantined', async () => {
    const dir = tempDir();
    await fsp.mkdir(join(dir, 'train', 'chunk1'), { recursive: true });
    await fsp.mkdir(join(dir, 'train', 'chunk2'), { recursive: true });
    const lines = (set: string[]) => set.map((s, i) => (s === 'BAD' ? '{not json' : JSON.stringify({ text: `${s} doc ${i} é/`, meta: { redpajama_set_name: s } }))).join('\n') + '\n';
    const mk = (path: string, body: string) =>
      runPython('import sys,zstandard; open(sys.argv[1],"wb").write(zstandard.ZstdCompressor().compress(sys.stdin.buffer.read()))', { input: body, args: [path] });
    mk(join(dir, 'train', 'chunk1', 'example_train_0.jsonl.zst'), lines(['RedPajamaBook', 'RedPajamaC4', 'BAD', 'RedPajamaArXiv']));
    mk(join(dir, 'train', 'chunk2', 'example_train_0.jsonl.zst'), lines(['RedPajamaCommonCrawl', 'RedPajamaGithub']));
    const out = join(dir, 'o', 'slim.shard_{000}.jsonl.lz4');
    const s = await ingest({ adapter: 'text', preset: 'slimpajama', input: [join(dir, 'train', '*', '*.jsonl.zst')], out, numShards: 2 });
    expect(await readJsonl(join(dir, 'o', 'slim.shard_000.jsonl.lz4'))).toEqual([
      { role: 'assistant', content: 'RedPajamaBook doc 0 é/' },
      { role: 'assistant', content: 'RedPajamaArXiv doc 3 é/' },
    ]);
    expect(await readJsonl(join(dir, 'o', 'slim.shard_001.jsonl.lz4'))).toEqual([{ role: 'assistant', content: 'RedPajamaGithub doc 1 é/' }]);
    expect(s.counters).toEqual({ filtered: 2 });
    expect(s.errors).toEqual({ 'invalid-json': 1 });
    const errs = (await readJsonl(join(dir, 'o', 'slim_errors.jsonl'))) as Array<Record<string, unknown>>;
    expect(errs).toMatchObject([{ reason: 'invalid-json', line: 3, file: join(dir, 'train', 'chunk1', 'example_train_0.jsonl.zst') }]);
    await expectValidChat([join(dir, 'o', 'slim.shard_000.jsonl.lz4'), join(dir, 'o', 'slim.shard_001.jsonl.lz4')], 3);

    // ujson flavour under --compat json-style: ASCII-escaped, slashes escaped
    const o2 = join(dir, 'o2.jsonl');
    await ingest({ adapter: 'text', preset: 'slimpajama', input: [join(dir, 'train', 'chunk1', '*.zst')], out: o2, numShards: 1, compat: ['json-style'] });
    expect((await readText(o2)).split('\n')[0]).toBe('{"role":"assistant","content":"RedPajamaBook doc 0 \\u00e9\\/"}');
  });

  it('c4-val preset: gz JSON lines → E2 with one text part', async () => {
    const dir = tempDir();
    const { gzipSync } = await import('node:zlib');
    await fsp.writeFile(join(dir, 'c4-validation.00000-of-00008.json.gz'), gzipSync('{"text":"a","url":"u","timestamp":"t"}\n{"text":"b\\nc"}\n'));
    const out = join(dir, 'c4_val.jsonl.gz');
    await ingest({ adapter: 'text', preset: 'c4-val', input: [join(dir, 'c4-validation.*.json.gz')], out });
    expect(await readJsonl(out)).toEqual([[{ role: 'assistant', content: [{ type: 'text', text: 'a' }] }], [{ role: 'assistant', content: [{ type: 'text', text: 'b\nc' }] }]]);
  });
});
