import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ingest } from '../../src/ingest/index.js';
import { dataUrl, expectValidChat, jpeg, makeTar, png, readJsonl, tempDir } from './helpers.js';

describe('ingest interleaved (mmc4)', () => {
  it('places images at their sentences from img2dataset tars via a url map; missing images drop the doc', async () => {
    const dir = tempDir();
    const [i0, i1, i2] = await Promise.all([1, 2, 3].map((i) => jpeg(9, 9 + i, i)));
    await fsp.mkdir(join(dir, 'images'));
    await fsp.writeFile(join(dir, 'images', '00000.tar'), await makeTar([{ name: '000000000.jpg', data: i0! }, { name: '000000000.json', data: '{}' }, { name: '000000001.jpg', data: i1! }]));
    await fsp.writeFile(join(dir, 'images', '00003.tar'), await makeTar([{ name: '000030005.jpg', data: i2! }]));
    await fsp.writeFile(
      join(dir, 'map.csv'),
      'url,img2dataset_shard_id,key\nhttp://a,0,000000000\nhttp://b,0,000000001\nhttp://c,3,000030005\nhttp://a,3,999\nhttp://gone,3,000030009\n',
    );
    const docs = [
      { text_list: ['S0.', 'S1.', 'S2.'], image_info: [{ raw_url: 'http://b', matched_text_index: 2 }, { raw_url: 'http://a', matched_text_index: 0 }, { raw_url: 'http://c', matched_text_index: 2 }], url: 'x' },
      { text_list: ['only text'], image_info: [] },
      { text_list: ['T0', 'T1'], image_info: [{ raw_url: 'http://never-downloaded', matched_text_index: 1 }] },
      { text_list: ['U0'], image_info: [{ raw_url: 'http://gone', matched_text_index: 0 }] },
    ];
    await fsp.writeFile(join(dir, 'docs_shard_0_v3.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const out = join(dir, 'o', 'mmc4.shard_{000}.jsonl.gz');
    const s = await ingest({ adapter: 'interleaved', preset: 'mmc4', input: [join(dir, 'docs_*.jsonl')], images: join(dir, 'images'), mapping: join(dir, 'map.csv'), out, numShards: 1 });
    const img = (b: Buffer) => ({ type: 'image_url', image_url: { url: dataUrl(b, 'image/jpeg') } });
    const txt = (t: string) => ({ type: 'text', text: t });
    expect(await readJsonl(join(dir, 'o', 'mmc4.shard_000.jsonl.gz'))).toEqual([
      [{ role: 'assistant', content: [img(i0!), txt('S0.'), txt('S1.'), img(i1!), img(i2!), txt('S2.')] }],
      [{ role: 'assistant', content: [txt('only text')] }],
    ]);
    expect(s.counters).toMatchObject({ documentsDroppedForMissingImage: 1, imagesInserted: 3, imagesBeforeText: 3 });
    expect(s.errors).toEqual({ 'missing-image': 1 }); // mapped but absent from its tar (reference crash)
    await expectValidChat([join(dir, 'o', 'mmc4.shard_000.jsonl.gz')], 2);

    // script default: drop just the image, images after text
    const o2 = join(dir, 'o2.jsonl');
    await ingest({ adapter: 'interleaved', input: [join(dir, 'docs_*.jsonl')], images: join(dir, 'images'), mapping: join(dir, 'map.csv'), out: o2, onMissingImage: 'drop-image', beforeRatio: 0, envelope: 'messages-array' });
    const r = (await readJsonl(o2)) as unknown[];
    expect(r[2]).toEqual([{ role: 'assistant', content: [txt('T0'), txt('T1')] }]);
    expect(r[0]).toEqual([{ role: 'assistant', content: [txt('S0.'), img(i0!), txt('S1.'), txt('S2.'), img(i1!), img(i2!)] }]);
  });
});

describe('ingest interleaved with an image folder', () => {
  it('reads image_name files; a never-downloaded image is dropped alone with drop-image', async () => {
    const dir = tempDir();
    const a = await png(6, 6, 1);
    await fsp.mkdir(join(dir, 'imgs'));
    await fsp.writeFile(join(dir, 'imgs', 'a.png'), a);
    const doc = { text_list: ['one', 'two'], image_info: [{ image_name: 'a.png', matched_text_index: 1 }, { image_name: 'gone.jpg', matched_text_index: 0 }, { image_name: '../x.png', matched_text_index: 0 }] };
    await fsp.writeFile(join(dir, 'd.jsonl'), JSON.stringify(doc) + '\n');
    const out = join(dir, 'o.jsonl');
    const s = await ingest({ adapter: 'interleaved', input: [join(dir, 'd.jsonl')], images: join(dir, 'imgs'), out, onMissingImage: 'drop-image' });
    expect(await readJsonl(out)).toEqual([{ conversations: [{ role: 'assistant', content: [{ type: 'text', text: 'one' }, { type: 'image_url', image_url: { url: dataUrl(a, 'image/png') } }, { type: 'text', text: 'two' }] }] }]);
    expect(s.counters).toMatchObject({ missingImages: 2, imagesInserted: 1 });
  });
});

describe('ingest chat (normalise)', () => {
  it('embeds file:// and relative images with their real mime, re-labels data URLs, canonical shape, quarantines the rest', async () => {
    const dir = tempDir();
    const a = await jpeg(10, 10, 5);
    const b = await png(10, 10, 6);
    await fsp.mkdir(join(dir, 'imgs'));
    await fsp.writeFile(join(dir, 'imgs', 'a.jpg'), a);
    const lines = [
      JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: pathToFileURL(join(dir, 'imgs', 'a.jpg')).href } }, { type: 'text', text: 'q' }] }, { role: 'assistant', content: 'a' }] }),
      JSON.stringify([{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(b, 'image/jpeg') } }] }]),
      JSON.stringify({ role: 'assistant', content: [{ type: 'image_url', image_url: 'imgs/a.jpg' }] }),
      JSON.stringify({ id: 7, conversations: [{ from: 'human', value: 'hi' }] }),
      JSON.stringify({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/x.jpg' } }] }),
      JSON.stringify({ role: 'user', content: [{ type: 'video', url: 'x' }] }),
      JSON.stringify({ role: 'user', content: 'bad \ud83d' }),
      '{oops',
      JSON.stringify({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } }] }),
    ];
    await fsp.writeFile(join(dir, 'in.jsonl'), lines.join('\n') + '\n');
    const out = join(dir, 'norm.jsonl.lz4');
    const s = await ingest({ adapter: 'chat', input: [join(dir, 'in.jsonl')], out });
    const img = (x: Buffer, m: string) => ({ type: 'image_url', image_url: { url: dataUrl(x, m) } });
    expect(await readJsonl(out)).toEqual([
      { conversations: [{ role: 'user', content: [img(a, 'image/jpeg'), { type: 'text', text: 'q' }] }, { role: 'assistant', content: [{ type: 'text', text: 'a' }] }] },
      { conversations: [{ role: 'assistant', content: [img(b, 'image/png')] }] },
      { conversations: [{ role: 'assistant', content: [img(a, 'image/jpeg')] }] },
      { id: '7', conversations: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
    ]);
    const errs = (await readJsonl(join(dir, 'norm_errors.jsonl'))) as Array<Record<string, unknown>>;
    expect(errs.map((e) => [e.reason, e.line])).toEqual([
      ['remote-url', 5],
      ['unknown-content-type', 6],
      ['invalid-text', 7],
      ['invalid-json', 8],
      ['bad-base64', 9],
    ]);
    expect(s.documents).toBe(4);
    await expectValidChat([out], 4);
  });
});
