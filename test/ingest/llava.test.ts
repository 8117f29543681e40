import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../src/ingest/index.js';
import { dataUrl, expectValidChat, jpeg, png, prepareOutput, readJsonl, readText, tempDir } from './helpers.js';

async function fixture() {
  const dir = tempDir();
  await fsp.mkdir(join(dir, 'images', 'sub'), { recursive: true });
  const a = await jpeg(30, 20, 3);
  const b = await png(12, 40, 4);
  await fsp.writeFile(join(dir, 'images', 'GCC_1.jpg'), a);
  await fsp.writeFile(join(dir, 'images', 'sub', 'b.jpg'), b); // a PNG named .jpg
  const records = [
    { id: 'GCC_1', image: 'GCC_1.jpg', conversations: [{ from: 'human', value: '<image>\nDescribe it.' }, { from: 'gpt', value: ' a cat ' }] },
    { id: 2, image: 'sub/b.jpg', conversations: [{ from: 'human', value: 'Look <image> here' }, { from: 'gpt', value: 'ok' }] },
    { id: 'missing', image: 'nope.jpg', conversations: [{ from: 'human', value: '<image>' }, { from: 'gpt', value: 'x' }] },
    { id: 'escape', image: '../secret.jpg', conversations: [{ from: 'human', value: '<image>' }, { from: 'gpt', value: 'x' }] },
    { id: 'role', image: 'GCC_1.jpg', conversations: [{ from: 'robot', value: '<image>' }] },
    { id: 'two', image: 'GCC_1.jpg', conversations: [{ from: 'human', value: '<image><image>' }] },
    { id: 'text-only', conversations: [{ from: 'human', value: 'hi' }, { from: 'gpt', value: 'hello' }] },
  ];
  await fsp.writeFile(join(dir, 'chat.json'), JSON.stringify(records, null, 1));
  return { dir, a, b };
}

describe('ingest llava', () => {
  it('converts a LLaVA chat.json array + image folder; bad records quarantined with their index', async () => {
    const { dir, a, b } = await fixture();
    const out = join(dir, 'out', 'llava.jsonl.gz');
    const s = await ingest({ adapter: 'llava', input: [join(dir, 'chat.json')], images: join(dir, 'images'), out });
    expect(s.documents).toBe(3);
    expect(await readJsonl(out)).toEqual([
      { id: 'GCC_1', conversations: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(a, 'image/jpeg') } }, { type: 'text', text: '\nDescribe it.' }] },
        { role: 'assistant', content: [{ type: 'text', text: ' a cat ' }] },
      ] },
      { id: '2', conversations: [
        { role: 'user', content: [{ type: 'text', text: 'Look ' }, { type: 'image_url', image_url: { url: dataUrl(b, 'image/png') } }, { type: 'text', text: ' here' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
      ] },
      { id: 'text-only', conversations: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }, { role: 'assistant', content: [{ type: 'text', text: 'hello' }] }] },
    ]);
    const errs = (await readJsonl(join(dir, 'out', 'llava_errors.jsonl'))) as Array<Record<string, unknown>>;
    expect(errs.map((e) => [e.reason, e.member, e.id])).toEqual([
      ['missing-image', 'nope.jpg', 'missing'],
      ['unsafe-image-path', '../secret.jpg', 'escape'],
      ['unknown-role', '[4]', 'role'],
      ['image-token-mismatch', '[5]', 'two'],
    ]);
    await expectValidChat([out], 3);
    expect(await prepareOutput([out], dir)).toEqual({ docs: 3, errors: 0, images: 2 });
  });

  it('preset cc3m-llava keeps the empty text piece; --compat reference gives python JSON and image/jpeg', async () => {
    const { dir, b } = await fixture();
    const out = join(dir, 'cc3m.jsonl');
    await ingest({ adapter: 'llava', preset: 'cc3m-llava', input: [join(dir, 'chat.json')], images: join(dir, 'images'), out, compat: ['reference'] });
    const text = await readText(out);
    const first = text.split('\n')[0]!;
    expect(first.startsWith('{"id": "GCC_1", "conversations": [{"role": "user", "content": [{"type": "text", "text": ""}, {"type": "image_url"')).toBe(true);
    const docs = (await readJsonl(out)) as Array<{ conversations: Array<{ content: Array<{ image_url?: { url: string } }> }> }>;
    expect(docs[1]!.conversations[0]!.content[1]!.image_url!.url).toBe(dataUrl(b, 'image/jpeg'));
  });

  it('a conversation that does not fit the single-message envelope is quarantined, not fatal', async () => {
    const { dir } = await fixture();
    const out = join(dir, 'e3.jsonl');
    const s = await ingest({ adapter: 'llava', input: [join(dir, 'chat.json')], images: join(dir, 'images'), out, envelope: 'single-message' });
    expect(s.documents).toBe(0);
    expect(s.errors['envelope-mismatch']).toBe(3);
  });
});
