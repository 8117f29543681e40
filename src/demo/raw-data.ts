/**
 * Write the demo's raw sources in the layouts real datasets use: WebDataset tars
 * (`<key>.jpg|png` + `<key>.txt` + `<key>.json`, as img2dataset writes them), a LLaVA-style JSON with
 * an image folder, and a text-only JSONL corpus.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { DemoRandom } from './random.js';
import type { Scene } from './scenes.js';
import { drawScene, textDocument } from './scenes.js';

export interface DemoRawOptions {
  dir: string;
  /** Images in the WebDataset tars. */
  webdatasetImages: number;
  /** Images in the LLaVA-style set. */
  llavaImages: number;
  /** Documents in the text-only corpus. */
  textDocs: number;
  /** Samples per tar. */
  perTar?: number;
  seed?: number;
}

export interface DemoRawResult {
  tars: string[];
  llavaJson: string;
  llavaImages: string;
  textJsonl: string;
  images: number;
  bytes: number;
}

async function writeTar(path: string, scenes: Scene[]): Promise<number> {
  const pack = tar.pack();
  const tmp = `${path}.tmp`;
  const done = pipeline(pack, createWriteStream(tmp));
  let bytes = 0;
  for (const s of scenes) {
    const ext = s.format === 'jpeg' ? 'jpg' : 'png';
    const meta = JSON.stringify({ key: s.key, caption: s.caption, width: s.width, height: s.height });
    pack.entry({ name: `${s.key}.${ext}`, mtime: new Date(0) }, s.image);
    pack.entry({ name: `${s.key}.txt`, mtime: new Date(0) }, s.caption);
    pack.entry({ name: `${s.key}.json`, mtime: new Date(0) }, meta);
    bytes += s.image.length;
  }
  pack.finalize();
  await done;
  await rename(tmp, path);
  return bytes;
}

export async function writeDemoRawData(opts: DemoRawOptions): Promise<DemoRawResult> {
  const rng = new DemoRandom(opts.seed ?? 20240707);
  const perTar = opts.perTar ?? 100;
  const wdsDir = join(opts.dir, 'webdataset');
  const llavaDir = join(opts.dir, 'llava');
  const imgDir = join(llavaDir, 'images');
  await mkdir(wdsDir, { recursive: true });
  await mkdir(imgDir, { recursive: true });
  let index = 0;
  let bytes = 0;
  const tars: string[] = [];
  for (let t = 0; t * perTar < opts.webdatasetImages; t++) {
    const scenes: Scene[] = [];
    for (let i = t * perTar; i < Math.min(opts.webdatasetImages, (t + 1) * perTar); i++) scenes.push(await drawScene(rng, index++));
    const path = join(wdsDir, `${String(t).padStart(5, '0')}.tar`);
    bytes += await writeTar(path, scenes);
    tars.push(path);
  }
  // LLaVA-CC3M-595K layout: [{id, image, conversations: [{from: human, value: "<image>\n…"}, {from: gpt, value}]}]
  const questions = ['Describe the image briefly.', 'What is shown here?', 'Give a short caption for this picture.'];
  const llava: unknown[] = [];
  for (let i = 0; i < opts.llavaImages; i++) {
    const s = await drawScene(rng, index++);
    const name = `${s.key}.${s.format === 'jpeg' ? 'jpg' : 'png'}`;
    await writeFile(join(imgDir, name), s.image);
    bytes += s.image.length;
    llava.push({
      id: s.key,
      image: name,
      conversations: [
        { from: 'human', value: rng.next() < 0.5 ? `<image>\n${rng.pick(questions)}` : `${rng.pick(questions)}\n<image>` },
        { from: 'gpt', value: s.caption },
      ],
    });
  }
  const llavaJson = join(llavaDir, 'chat.json');
  await writeFile(llavaJson, JSON.stringify(llava, null, 1));
  const textJsonl = join(opts.dir, 'text', 'corpus.jsonl');
  await mkdir(join(opts.dir, 'text'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < opts.textDocs; i++) lines.push(JSON.stringify({ text: textDocument(rng), meta: { source: 'demo' } }));
  await writeFile(textJsonl, lines.join('\n') + '\n');
  return { tars, llavaJson, llavaImages: imgDir, textJsonl, images: index, bytes };
}
