/**
 * Synthetic captioned scenes for the demo: coloured shapes on a background, drawn as SVG and
 * encoded with sharp, with a caption that says what is where. Deterministic for a seed.
 */
import sharp from 'sharp';
import { DemoRandom } from './random.js';

const COLOURS = [
  ['red', '#d62728'],
  ['blue', '#1f77b4'],
  ['green', '#2ca02c'],
  ['orange', '#ff7f0e'],
  ['purple', '#9467bd'],
  ['yellow', '#e8d52a'],
  ['black', '#111111'],
] as const;
const BACKGROUNDS = [
  ['white', '#ffffff'],
  ['light grey', '#dddddd'],
  ['pale blue', '#dceefb'],
  ['cream', '#f6f0dc'],
] as const;
const SHAPES = ['circle', 'square', 'triangle'] as const;
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five'];

export interface Scene {
  key: string;
  width: number;
  height: number;
  format: 'jpeg' | 'png';
  image: Buffer;
  caption: string;
}

function region(x: number, y: number, w: number, h: number): string {
  const col = x < w / 3 ? 'left' : x > (2 * w) / 3 ? 'right' : 'centre';
  const row = y < h / 3 ? 'top' : y > (2 * h) / 3 ? 'bottom' : 'middle';
  if (row === 'middle' && col === 'centre') return 'in the centre';
  if (row === 'middle') return `on the ${col}`;
  if (col === 'centre') return `at the ${row}`;
  return `in the ${row} ${col}`;
}

/** Draw one scene. Sizes vary from tiny to ~640 px with varied aspect ratios. */
export async function drawScene(rng: DemoRandom, index: number): Promise<Scene> {
  const sizes = [
    [64, 64],
    [96, 160],
    [200, 150],
    [320, 240],
    [240, 320],
    [500, 375],
    [640, 200],
    [128, 512],
  ] as const;
  const [width, height] = rng.pick(sizes);
  const [bgName, bg] = rng.pick(BACKGROUNDS);
  const [colourName, colour] = rng.pick(COLOURS);
  const shape = rng.pick(SHAPES);
  const count = rng.int(1, 4);
  const parts: string[] = [];
  const r = Math.max(4, Math.round(Math.min(width, height) / 10));
  let firstPlace = '';
  for (let i = 0; i < count; i++) {
    const x = rng.int(r, width - r);
    const y = rng.int(r, height - r);
    if (i === 0) firstPlace = region(x, y, width, height);
    if (shape === 'circle') parts.push(`<circle cx="${x}" cy="${y}" r="${r}" fill="${colour}"/>`);
    else if (shape === 'square') parts.push(`<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`);
    else parts.push(`<polygon points="${x},${y - r} ${x - r},${y + r} ${x + r},${y + r}" fill="${colour}"/>`);
  }
  // A second, different shape half of the time, for richer captions.
  let extra = '';
  if (rng.next() < 0.5) {
    const [c2Name, c2] = rng.pick(COLOURS.filter(([n]) => n !== colourName));
    const x = rng.int(r, width - r);
    const y = rng.int(r, height - r);
    parts.push(`<rect x="${x - r / 2}" y="${y - r / 2}" width="${r}" height="${r}" fill="${c2}" transform="rotate(45 ${x} ${y})"/>`);
    extra = ` A small ${c2Name} diamond sits ${region(x, y, width, height)}.`;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${bg}"/>${parts.join('')}</svg>`;
  const format = rng.next() < 0.75 ? 'jpeg' : 'png';
  const pipeline = sharp(Buffer.from(svg));
  const image = format === 'jpeg' ? await pipeline.jpeg({ quality: 90 }).toBuffer() : await pipeline.png().toBuffer();
  const noun = count === 1 ? shape : `${shape}s`;
  const caption = `${NUMBER_WORDS[count]![0]!.toUpperCase()}${NUMBER_WORDS[count]!.slice(1)} ${colourName} ${noun} on a ${bgName} background; ${count === 1 ? 'it is' : 'the first is'} ${firstPlace}.${extra}`;
  return { key: String(index).padStart(6, '0'), width, height, format, image, caption };
}

/** A few hundred words of plain prose for the text-only corpus. */
export function textDocument(rng: DemoRandom): string {
  const subjects = ['The model', 'A transformer', 'The tokenizer', 'Each patch', 'The dataset', 'A pipeline'];
  const verbs = ['reads', 'packs', 'splits', 'normalises', 'counts', 'writes'];
  const objects = ['raw pixels', 'text tokens', 'thirty-two by thirty-two patches', 'long sequences', 'shards of data', 'checkpoints'];
  const n = rng.int(3, 12);
  const sentences: string[] = [];
  for (let i = 0; i < n; i++) sentences.push(`${rng.pick(subjects)} ${rng.pick(verbs)} ${rng.pick(objects)} ${rng.int(2, 999)} times.`);
  return sentences.join(' ');
}
