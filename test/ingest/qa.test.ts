import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ingest } from '../../src/ingest/index.js';
import { dataUrl, expectValidChat, jpeg, png, prepareOutput, readJsonl, tempDir } from './helpers.js';

const img = (b: Buffer, m: string) => ({ type: 'image_url', image_url: { url: dataUrl(b, m) } });
const txt = (t: string) => ({ type: 'text', text: t });

describe('ingest qa (visual-QA releases)', () => {
  it('DVQA layout: QAs grouped per image in first-appearance order', async () => {
    const dir = tempDir();
    await fsp.mkdir(join(dir, 'images'));
    const a = await png(20, 10, 1);
    const b = await png(10, 20, 2);
    await fsp.writeFile(join(dir, 'images', 'bar_train_00000000.png'), a);
    await fsp.writeFile(join(dir, 'images', 'bar_train_00000001.png'), b);
    const qa = [
      { image: 'bar_train_00000000.png', question: 'How many bars?', answer: '3', question_id: 1 },
      { image: 'bar_train_00000001.png', question: 'Largest?', answer: 'x', question_id: 2 },
      { image: 'bar_train_00000000.png', question: 'Is x > 2?', answer: 'no', question_id: 3 },
      { image: 'bar_train_00000009.png', question: 'q', answer: 'a', question_id: 4 },
      { question: 'no image', answer: 'a' },
    ];
    await fsp.mkdir(join(dir, 'qa'));
    await fsp.writeFile(join(dir, 'qa', 'train_qa.json'), JSON.stringify(qa));
    const out = join(dir, 'dvqa.jsonl.gz');
    const s = await ingest({ adapter: 'qa', preset: 'dvqa', input: [join(dir, 'qa', 'train_qa.json')], images: join(dir, 'images'), out });
    expect(await readJsonl(out)).toEqual([
      { id: 'bar_train_00000000.png', conversations: [
        { role: 'user', content: [img(a, 'image/png'), txt('How many bars?')] }, { role: 'assistant', content: [txt('3')] },
        { role: 'user', content: [txt('Is x > 2?')] }, { role: 'assistant', content: [txt('no')] },
      ] },
      { id: 'bar_train_00000001.png', conversations: [{ role: 'user', content: [img(b, 'image/png'), txt('Largest?')] }, { role: 'assistant', content: [txt('x')] }] },
    ]);
    expect(s.errors).toEqual({ 'bad-record': 1, 'missing-image': 1 });
    expect(s.counters).toEqual({ qaPairs: 3 });
    await expectValidChat([out], 2);
    expect(await prepareOutput([out], dir)).toEqual({ docs: 2, errors: 0, images: 2 });
  });

  it('FigureQA layout: records under qa_pairs (streamed), image from image_index, answers 0/1 → No/Yes', async () => {
    const dir = tempDir();
    await fsp.mkdir(join(dir, 'png'));
    const a = await png(8, 8, 3);
    await fsp.writeFile(join(dir, 'png', '0.png'), a);
    const file = { version: 'x', qa_pairs: [
      { image_index: 0, question_string: 'Is Red the minimum?', answer: 1, color1_name: 'Red', question_id: 0 },
      { image_index: 0, question_string: 'Is Blue the maximum?', answer: 0, question_id: 1 },
    ], other: [1, 2] };
    await fsp.writeFile(join(dir, 'qa_pairs.json'), JSON.stringify(file, null, 2));
    const out = join(dir, 'figureqa.jsonl');
    await ingest({ adapter: 'qa', preset: 'figureqa', input: [join(dir, 'qa_pairs.json')], images: join(dir, 'png'), out });
    expect(await readJsonl(out)).toEqual([
      { id: '0.png', conversations: [
        { role: 'user', content: [img(a, 'image/png'), txt('Is Red the minimum?')] }, { role: 'assistant', content: [txt('Yes')] },
        { role: 'user', content: [txt('Is Blue the maximum?')] }, { role: 'assistant', content: [txt('No')] },
      ] },
    ]);
  });

  it('OCR-VQA layout: object keyed by id, parallel question/answer arrays, train split only', async () => {
    const dir = tempDir();
    await fsp.mkdir(join(dir, 'images'));
    const a = await jpeg(8, 12, 4);
    await fsp.writeFile(join(dir, 'images', '000001.jpg'), a);
    const ds = {
      '000001': { imageURL: 'http://x/1.jpg', title: 'T', questions: ['Who wrote this book?', 'What is the title?'], answers: ['Someone', 'T'], split: 1 },
      '000002': { imageURL: 'http://x/2.jpg', questions: ['q'], answers: ['a'], split: 3 },
      '000003': { imageURL: 'http://x/3.jpg', questions: ['q', 'r'], answers: ['a'], split: 1 },
    };
    await fsp.writeFile(join(dir, 'dataset.json'), JSON.stringify(ds));
    const out = join(dir, 'ocrvqa.jsonl');
    const s = await ingest({ adapter: 'qa', preset: 'ocrvqa', input: [join(dir, 'dataset.json')], images: join(dir, 'images'), out });
    expect(await readJsonl(out)).toEqual([
      { id: '000001', conversations: [
        { role: 'user', content: [img(a, 'image/jpeg'), txt('Who wrote this book?')] }, { role: 'assistant', content: [txt('Someone')] },
        { role: 'user', content: [txt('What is the title?')] }, { role: 'assistant', content: [txt('T')] },
      ] },
    ]);
    expect(s.counters).toMatchObject({ filtered: 1 });
    expect(s.errors).toEqual({ 'bad-record': 1 });
  });
});
