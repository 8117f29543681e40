import { describe, expect, it } from 'vitest';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../src/ingest/index.js';
import { dataUrl, expectValidChat, jpeg, makeTar, png, prepareOutput, readJsonl, tempDir } from './helpers.js';

describe('ingest webdataset', () => {
  it('converts img2dataset tars: real mime, bytes copied, caption verbatim, stats and markers', async () => {
    const dir = tempDir();
    const a = await jpeg(40, 30, 1);
    const b = await png(20, 20, 2);
    await fsp.writeFile(
      join(dir, '00000.tar'),
      await makeTar([
        { name: '000000001.jpg', data: a },
        { name: '000000001.txt', data: '  a red cat\n' },
        { name: '000000001.json', data: '{"caption":"from json","url":"http://x"}' },
        { name: '000000002.png', data: b },
        { name: '000000002.txt', data: 'a png, ünïcode' },
        { name: '000000002.json', data: '{"caption":"second"}' },
      ]),
    );
    const out = join(dir, 'out', 'wds.shard_{000}.jsonl.lz4');
    const s = await ingest({ adapter: 'webdataset', input: [join(dir, '*.tar')], out, numShards: 1 });
    expect(s.documents).toBe(2);
    expect(s.images).toBe(2);
    expect(s.errorCount).toBe(0);
    const shard = join(dir, 'out', 'wds.shard_000.jsonl.lz4');
    expect(await readJsonl(shard)).toEqual([
      { id: '000000001', conversations: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(a, 'image/jpeg') } }, { type: 'text', text: '  a red cat\n' }] }] },
      { id: '000000002', conversations: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(b, 'image/png') } }, { type: 'text', text: 'a png, ünïcode' }] }] },
    ]);
    const st = JSON.parse(await fsp.readFile(`${shard}.stats.json`, 'utf8'));
    expect(st).toMatchObject({ documents: 2, images: 2, imageBytes: a.length + b.length, errorCount: 0, mime: { 'image/jpeg': 1, 'image/png': 1 } });
    expect(existsSync(`${shard}_DONE`)).toBe(true);
    expect(existsSync(join(dir, 'out', 'wds_DONE'))).toBe(true);
    expect(await fsp.readFile(join(dir, 'out', 'wds_errors.jsonl'), 'utf8')).toBe('');
    await expectValidChat([shard], 2);
    expect(await prepareOutput([shard], dir)).toEqual({ docs: 2, errors: 0, images: 2 });

    // caption from the json member, E3 envelope, compat jpeg-mime, image after text
    const out2 = join(dir, 'o2', 'x.jsonl');
    await ingest({ adapter: 'webdataset', input: [join(dir, '00000.tar')], out: out2, captionKey: 'caption', envelope: 'single-message', beforeRatio: 0, compat: ['jpeg-mime'] });
    expect(await readJsonl(out2)).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'from json' }, { type: 'image_url', image_url: { url: dataUrl(a, 'image/jpeg') } }] },
      { role: 'assistant', content: [{ type: 'text', text: 'second' }, { type: 'image_url', image_url: { url: dataUrl(b, 'image/jpeg') } }] },
    ]);
  });

  it('quarantines a truncated member, a ../evil member and a zero-byte image; other samples intact', async () => {
    const dir = tempDir();
    const imgs = await Promise.all([1, 2, 3, 4].map((i) => jpeg(16 + i, 16, i)));
    const full = await makeTar([
      { name: 'k1.jpg', data: imgs[0]! },
      { name: 'k1.txt', data: 'one' },
      { name: '../evil', data: 'pwned' },
      { name: 'k2.jpg', data: Buffer.alloc(0) },
      { name: 'k2.txt', data: 'zero' },
      { name: 'k3.jpg', data: imgs[2]! },
      { name: 'k3.txt', data: 'three' },
      { name: 'k4.txt', data: 'four' },
      { name: 'k4.jpg', data: Buffer.concat([imgs[3]!, Buffer.alloc(2000, 7)]) },
    ]);
    // cut inside the last member's data (it starts after its 512-byte header)
    const lastData = full.length - 1024 - Math.ceil((imgs[3]!.length + 2000) / 512) * 512;
    await fsp.writeFile(join(dir, 'bad.tar'), full.subarray(0, lastData + 300));
    const out = join(dir, 'o', 'bad.shard_{000}.jsonl');
    const s = await ingest({ adapter: 'webdataset', input: [join(dir, 'bad.tar')], out, numShards: 1 });
    expect(s.documents).toBe(2);
    expect(s.errors).toEqual({ 'unsafe-member-name': 1, 'empty-image': 1, 'truncated-member': 1 });
    const docs = (await readJsonl(join(dir, 'o', 'bad.shard_000.jsonl'))) as Array<{ id: string; conversations: Array<{ content: Array<{ text?: string; image_url?: { url: string } }> }> }>;
    expect(docs.map((d) => d.id)).toEqual(['k1', 'k3']);
    expect(docs[1]!.conversations[0]!.content[0]!.image_url!.url).toBe(dataUrl(imgs[2]!, 'image/jpeg'));
    const errs = (await readJsonl(join(dir, 'o', 'bad_errors.jsonl'))) as Array<Record<string, unknown>>;
    expect(errs.map((e) => [e.reason, e.member])).toEqual([
      ['unsafe-member-name', '../evil'],
      ['empty-image', 'k2.jpg'],
      ['truncated-member', 'k4.jpg'],
    ]);
    for (const e of errs) expect(e.file).toBe(join(dir, 'bad.tar'));
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    expect(existsSync(join(dir, 'o', 'evil'))).toBe(false);
  });

  it('stops a tar at a corrupt header (earlier samples kept), ignores links, reads .tar.gz, flags bad captions', async () => {
    const dir = tempDir();
    const a = await jpeg(9, 9, 1);
    const b = await jpeg(10, 9, 2);
    const good = await makeTar([
      { name: 's1.jpg', data: a }, { name: 's1.txt', data: 'ok' },
      { name: 'link.jpg', data: '', type: 'symlink', linkname: '/etc/passwd' },
      { name: 's2.jpg', data: b }, { name: 's2.txt', data: Buffer.from([0xff, 0xfe, 0x41]) },
      { name: 's3.jpg', data: b }, { name: 's3.txt', data: 'three' },
    ]);
    const { gzipSync } = await import('node:zlib');
    await fsp.writeFile(join(dir, 'a.tar.gz'), gzipSync(good));
    const corrupt = Buffer.from(good);
    // break the header of the symlink member (3rd header: after s1.jpg and s1.txt)
    const third = 512 + Math.ceil(a.length / 512) * 512 + 1024;
    corrupt[third + 10] = corrupt[third + 10]! ^ 0xff;
    await fsp.writeFile(join(dir, 'b.tar'), corrupt);
    const out = join(dir, 'o.jsonl');
    const s = await ingest({ adapter: 'webdataset', input: [join(dir, 'a.tar.gz'), join(dir, 'b.tar')], out });
    const docs = (await readJsonl(out)) as Array<{ id: string }>;
    expect(docs.map((d) => d.id)).toEqual(['s1', 's3', 's1']);
    expect(s.errors).toEqual({ 'non-file-member': 1, 'bad-caption': 1, 'corrupt-tar': 1 });
    const errs = (await readJsonl(join(dir, 'o_errors.jsonl'))) as Array<Record<string, unknown>>;
    expect(errs.map((e) => [e.reason, e.member])).toEqual([
      ['non-file-member', 'link.jpg'],
      ['bad-caption', 's2'],
      ['corrupt-tar', 's1.txt'],
    ]);
  });
});
