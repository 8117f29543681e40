import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ingest } from '../../src/ingest/index.js';
import { dataUrl, expectValidChat, jpeg, makeTar, png, readJsonl, tempDir } from './helpers.js';

describe('ingest table (parquet)', () => {
  it('websight preset: image bytes column + HTML text column → one assistant message per row', async () => {
    const dir = tempDir();
    const a = await png(16, 12, 1);
    const b = await jpeg(12, 16, 2);
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'image', data: [a, null, b, new Uint8Array(0)], type: 'BYTE_ARRAY' },
        { name: 'text', data: ['<html>a</html>', '<p>no image</p>', '<html>b</html>', 'x'], type: 'STRING' },
        { name: 'llm_generated_idea', data: ['i', 'j', 'k', 'l'], type: 'STRING' },
      ],
      rowGroupSize: 2,
    });
    await fsp.mkdir(join(dir, 'data'));
    await fsp.writeFile(join(dir, 'data', 'train-00000.parquet'), Buffer.from(buf));
    const out = join(dir, 'o', 'websight.shard_{000}.jsonl.lz4');
    const s = await ingest({ adapter: 'table', preset: 'websight', input: [join(dir, 'data', '*.parquet')], out, numShards: 1 });
    const shard = join(dir, 'o', 'websight.shard_000.jsonl.lz4');
    expect(await readJsonl(shard)).toEqual([
      { role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(a, 'image/png') } }, { type: 'text', text: '<html>a</html>' }] },
      { role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(b, 'image/jpeg') } }, { type: 'text', text: '<html>b</html>' }] },
    ]);
    expect(s.errors).toEqual({ 'missing-image': 1, 'empty-image': 1 });
    await expectValidChat([shard], 2);
  });

  it('image cells holding paths are read from --images; mmc4 url map read from parquet', async () => {
    const dir = tempDir();
    const a = await jpeg(10, 10, 3);
    await fsp.mkdir(join(dir, 'imgs'));
    await fsp.writeFile(join(dir, 'imgs', 'p.jpg'), a);
    await fsp.writeFile(join(dir, 't.parquet'), Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'file', data: ['p.jpg'], type: 'STRING' }, { name: 'caption', data: ['cap'], type: 'STRING' }] })));
    const out = join(dir, 'o.jsonl');
    await ingest({ adapter: 'table', input: [join(dir, 't.parquet')], images: join(dir, 'imgs'), imageKey: 'file', captionKey: 'caption', out, beforeRatio: 0 });
    expect(await readJsonl(out)).toEqual([{ id: '0', conversations: [{ role: 'assistant', content: [{ type: 'text', text: 'cap' }, { type: 'image_url', image_url: { url: dataUrl(a, 'image/jpeg') } }] }] }]);

    // MMC4 selection mapping as the reference's parquet
    await fsp.mkdir(join(dir, 'tars'));
    await fsp.writeFile(join(dir, 'tars', '00002.tar'), await makeTar([{ name: '000020001.jpg', data: a }]));
    await fsp.writeFile(
      join(dir, 'sel.parquet'),
      Buffer.from(parquetWriteBuffer({ columnData: [
        { name: 'img2dataset_shard_id', data: [2n], type: 'INT64' },
        { name: 'key', data: ['000020001'], type: 'STRING' },
        { name: 'url', data: ['http://u'], type: 'STRING' },
      ] })),
    );
    await fsp.writeFile(join(dir, 'docs.jsonl'), JSON.stringify({ text_list: ['s'], image_info: [{ raw_url: 'http://u', matched_text_index: 0 }] }) + '\n');
    const o2 = join(dir, 'mmc4.jsonl');
    await ingest({ adapter: 'interleaved', input: [join(dir, 'docs.jsonl')], images: join(dir, 'tars'), mapping: join(dir, 'sel.parquet'), out: o2, envelope: 'messages-array' });
    expect(await readJsonl(o2)).toEqual([[{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: dataUrl(a, 'image/jpeg') } }, { type: 'text', text: 's' }] }]]);
  });
});
