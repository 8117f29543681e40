#!/usr/bin/env node
// Benchmark of `solo prepare` (build first: npx tsc -p .). Not a test.
//
// Generates a CC3M-like corpus (default 2,000 documents: one ~500×375 q90 JPEG and a ~12-word
// caption each, the capfusion/cc3m pretraining line shape), then measures in child processes:
//   * the reference-equivalent Python path (json → base64 → PIL decode/convert → torchvision
//     Resize/ToTensor/Normalize → float16 patches → sentencepiece), one process, on the same data;
//   * `prepareDataset` with --workers 1 and 2 (pretrain, pack 32768, like SOLO),
//   * the disk's sequential write rate (dd-like, fsync'd) in the same folder;
//   * peak RSS with the corpus and with a 10× larger corpus.
// Usage: node bench/prepare.mjs [--docs 2000] [--tokenizer path] [--dir /tmp/x] [--skip-python] [--skip-10x]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};

if (args[0] === '--child') {
  // Child: one prepareDataset run, prints its result and peak RSS.
  const [, input, workers, prefix, tokenizer] = args;
  const { prepareDataset } = await import(join(here, '..', 'dist', 'prepare', 'index.js'));
  const t0 = performance.now();
  const r = await prepareDataset({ input: [input], outputPrefix: prefix, tokenizer, pretrain: true, pack: true, maxSeqLength: 32768, workers: Number(workers), force: true });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ seconds, docs: r.docs, images: r.images, inputBytes: r.inputBytes, outputBytes: r.outputBytes, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

const N = Number(opt('--docs', '2000'));
const dir = opt('--dir', join(tmpdir(), 'solo-bench-prepare'));
mkdirSync(dir, { recursive: true });
let tokenizer = opt('--tokenizer');
if (!tokenizer) {
  tokenizer = join(dir, 'solo-33029.tokenizer.model');
  if (!existsSync(tokenizer)) writeFileSync(tokenizer, gunzipSync(readFileSync(join(here, '..', 'test', 'fixtures', 'prepare', 'tokenizers', 'solo-33029.tokenizer.model.gz'))));
}

// ---- corpus -------------------------------------------------------------------------------
const WORDS = 'a man woman dog cat sitting standing on the in of with red blue green small large old young street beach park table near under holding looking at two people group tree car building water sky snow grass'.split(' ');
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
async function makeCorpus(path, n) {
  if (existsSync(path)) return;
  const sharp = (await import('sharp')).default;
  const imgs = [];
  for (let k = 0; k < 100; k++) {
    // Photo-like content: smooth gradients, a few shapes, mild noise (~40-60 KB at q90).
    const w = 500, h = 375, px = Buffer.alloc(w * h * 3);
    const fx = 2 + rnd() * 6, fy = 2 + rnd() * 6, ph = rnd() * 6;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const s = Math.sin((x / w) * fx + ph) * Math.cos((y / h) * fy);
      px[i] = Math.max(0, Math.min(255, 128 + 90 * s + (rnd() - 0.5) * 30));
      px[i + 1] = Math.max(0, Math.min(255, (x * 255) / w + (rnd() - 0.5) * 30));
      px[i + 2] = Math.max(0, Math.min(255, (y * 255) / h + (rnd() - 0.5) * 30));
    }
    imgs.push((await sharp(px, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer()).toString('base64'));
  }
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const caption = Array.from({ length: 12 }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');
    const line = JSON.stringify({ role: 'assistant', content: [{ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${imgs[i % imgs.length]}` } }, { type: 'text', text: caption }] });
    if (!out.write(line + '\n')) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

// ---- disk write rate -----------------------------------------------------------------------
function diskWriteMBs(bytes = 1 << 30) {
  const p = join(dir, 'ddtest.bin');
  const chunk = Buffer.alloc(16 << 20, 7);
  const t0 = performance.now();
  const fd = openSync(p, 'w');
  for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk);
  fsyncSync(fd);
  closeSync(fd);
  const s = (performance.now() - t0) / 1000;
  rmSync(p, { force: true });
  return bytes / 1e6 / s;
}

// ---- reference-equivalent Python path ------------------------------------------------------
const PY = `
import sys, json, base64, io, time, numpy as np, sentencepiece as spm, torch
from PIL import Image
from torchvision import transforms
sp = spm.SentencePieceProcessor(model_file=sys.argv[2])
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.485,0.456,0.406),(0.229,0.224,0.225))])
def size(w, h):
    lng, sh = max(w, h), min(w, h)
    nl = min((lng + 31)//32*32, 1024); ns = int(nl*sh/lng); ns = (ns + 31)//32*32
    return (nl, ns) if w >= h else (ns, nl)
out = open(sys.argv[3], 'wb'); n = 0; nb = 0; t0 = time.time()
for line in open(sys.argv[1]):
    d = json.loads(line); nb += len(line)
    for it in d['content']:
        if it['type'] == 'text': ids = sp.encode_as_ids(it['text'])
        else:
            img = Image.open(io.BytesIO(base64.b64decode(it['image_url']['url'].split(',')[1]))).convert('RGB')
            w, h = size(*img.size); img = transforms.Resize((h, w))(img)
            t = tf(img)
            p = t.unfold(1, 32, 32).unfold(2, 32, 32).permute(1, 2, 0, 3, 4).reshape(-1, 3*32*32).numpy().astype(np.float16)
            out.write(p.tobytes())
    n += 1
print(json.dumps({"seconds": time.time()-t0, "docs": n, "inputBytes": nb}))
`;

function child(input, workers, prefix) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', input, String(workers), prefix, tokenizer], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const corpus = join(dir, `cc3m-like-${N}.jsonl`);
await makeCorpus(corpus, N);
const inMB = statSync(corpus).size / 1e6;
console.log(`corpus: ${N} docs, ${inMB.toFixed(1)} MB (${corpus})`);
const disk = diskWriteMBs();
console.log(`disk sequential write: ${disk.toFixed(0)} MB/s`);

let pyDocsS;
if (!args.includes('--skip-python')) {
  const r = spawnSync('/usr/bin/python3', ['-c', PY, corpus, tokenizer, join(dir, 'py-patches.bin')], { encoding: 'utf8' });
  if (r.status === 0) {
    const p = JSON.parse(r.stdout.trim());
    pyDocsS = p.docs / p.seconds;
    console.log(`reference-equivalent Python path (1 process): ${pyDocsS.toFixed(1)} docs/s`);
  } else console.log(`python path unavailable: ${r.stderr.trim().split('\n').pop()}`);
  rmSync(join(dir, 'py-patches.bin'), { force: true });
}

const rows = [];
for (const w of [1, 2]) {
  const r = child(corpus, w, join(dir, `out-w${w}`, 'data'));
  const row = {
    workers: w,
    'docs/s': r.docs / r.seconds,
    'images/s': r.images / r.seconds,
    'input MB/s': r.inputBytes / 1e6 / r.seconds,
    'output MB/s': r.outputBytes / 1e6 / r.seconds,
    'output % of disk': (100 * (r.outputBytes / 1e6 / r.seconds)) / disk,
    'peak RSS MB': r.maxRssKb / 1024,
    'vs python': pyDocsS ? r.docs / r.seconds / pyDocsS : NaN,
  };
  rows.push(row);
  rmSync(join(dir, `out-w${w}`), { recursive: true, force: true });
}
console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(2)) : v]))));
console.log(`2 workers / 1 worker: ${(rows[1]['docs/s'] / rows[0]['docs/s']).toFixed(2)}×`);

if (!args.includes('--skip-10x')) {
  const big = join(dir, `cc3m-like-${N}x10.jsonl`);
  if (!existsSync(big)) {
    const body = readFileSync(corpus);
    const fd = openSync(big, 'w');
    for (let i = 0; i < 10; i++) writeSync(fd, body);
    closeSync(fd);
  }
  const r = child(big, 2, join(dir, 'out-10x', 'data'));
  rmSync(join(dir, 'out-10x'), { recursive: true, force: true });
  const rss = r.maxRssKb / 1024;
  console.log(`10× corpus (${N * 10} docs, 2 workers): ${(r.docs / r.seconds).toFixed(1)} docs/s, peak RSS ${rss.toFixed(0)} MB (${((100 * rss) / rows[1]['peak RSS MB'] - 100).toFixed(1)}% vs 1×)`);
}
