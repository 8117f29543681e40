// bench/ingest: `solo ingest` throughput for the webdataset and llava adapters on generated data
// (photo-like JPEGs, 32 distinct images round-robin so LZ4 cannot match repeats), lz4 output,
// one shard, one thread. Reports documents/s, MB/s of images (wall and per CPU-second), peak RSS,
// and the same conversion done the reference way in Python (/usr/bin/python3: tarfile/json +
// base64 + json.dumps + lz4.frame, as scripts/data/capfusion and scripts/data/cc3m do, with lz4
// instead of gzip for cc3m so both sides compress alike) measured in the same run.
// Build first: `npx tsc -p .`; run: `node bench/ingest.mjs [N=2000]`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { photoJpeg } from './photo.mjs';
import tar from 'tar-stream';
import { ingest } from '../dist/ingest/index.js';

const N = Number(process.argv[2] ?? 2000);
const PER_TAR = 250;
const PY = process.env.SOLO_PYTHON ?? '/usr/bin/python3';


const dir = mkdtempSync(join(tmpdir(), 'solo-bench-ingest-'));
const imgs = [];
for (let i = 0; i < 32; i++) imgs.push(await photoJpeg(500, 375, i + 1));
const caption = (i) => `a photo number ${i} of something rather ordinary, seen from the side`;
let imageBytes = 0;
for (let i = 0; i < N; i++) imageBytes += imgs[i % 32].length;

// webdataset tars
mkdirSync(join(dir, 'wds'));
for (let t = 0; t * PER_TAR < N; t++) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const end = new Promise((r) => pack.on('end', r));
  for (let i = t * PER_TAR; i < Math.min(N, (t + 1) * PER_TAR); i++) {
    const key = String(i).padStart(9, '0');
    pack.entry({ name: `${key}.jpg` }, imgs[i % 32]);
    pack.entry({ name: `${key}.txt` }, caption(i));
    pack.entry({ name: `${key}.json` }, JSON.stringify({ key, caption: caption(i), status: 'success' }));
  }
  pack.finalize();
  await end;
  writeFileSync(join(dir, 'wds', `${String(t).padStart(5, '0')}.tar`), Buffer.concat(chunks));
}
// llava folder
mkdirSync(join(dir, 'llava', 'images'), { recursive: true });
const recs = [];
for (let i = 0; i < N; i++) {
  const name = `GCC_train_${String(i).padStart(9, '0')}.jpg`;
  writeFileSync(join(dir, 'llava', 'images', name), imgs[i % 32]);
  recs.push({ id: String(i), image: name, conversations: [{ from: 'human', value: '<image>\nWrite a terse but informative summary of the picture.' }, { from: 'gpt', value: caption(i) }] });
}
writeFileSync(join(dir, 'llava', 'chat.json'), JSON.stringify(recs));

async function soloRun(name, opts) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const s = await ingest({ ...opts, force: true });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  if (s.documents !== N || s.errorCount) throw new Error(`${name}: ${s.documents} docs, ${s.errorCount} errors`);
  return { wall, cpu, outBytes: statSync(s.outputs[0]).size };
}

const PY_WDS = `
import sys, tarfile, base64, json, lz4.frame, glob, time, resource
t0 = time.time(); c0 = time.process_time(); n = 0
with lz4.frame.open(sys.argv[2], 'wt') as out:
    for path in sorted(glob.glob(sys.argv[1] + '/*.tar')):
        with tarfile.open(path) as tf:
            for m in tf.getmembers():
                if not m.name.endswith('.jpg'): continue
                key = m.name.split('.')[0]
                img = tf.extractfile(m).read()
                cap = tf.extractfile(key + '.txt').read().decode('utf-8')
                url = 'data:image/jpeg;base64,' + base64.b64encode(img).decode('utf-8')
                inst = {'role': 'assistant', 'content': [{'type': 'image_url', 'image_url': {'url': url}}, {'type': 'text', 'text': cap}]}
                out.write(json.dumps(inst) + '\\n'); n += 1
print(json.dumps({'n': n, 'wall': time.time() - t0, 'cpu': time.process_time() - c0, 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;
const PY_LLAVA = `
import sys, base64, json, lz4.frame, time, os, resource
t0 = time.time(); c0 = time.process_time(); n = 0
data = json.load(open(sys.argv[1]))
with lz4.frame.open(sys.argv[3], 'wt') as out:
    for rec in data:
        with open(os.path.join(sys.argv[2], rec['image']), 'rb') as f:
            url = 'data:image/jpeg;base64,' + base64.b64encode(f.read()).decode('utf-8')
        conv = []
        for t in rec['conversations']:
            if t['from'] == 'human':
                a, b = t['value'].split('<image>')
                c = [{'type': 'text', 'text': a}, {'type': 'image_url', 'image_url': {'url': url}}]
                if b: c.append({'type': 'text', 'text': b})
                conv.append({'role': 'user', 'content': c})
            else:
                conv.append({'role': 'assistant', 'content': [{'type': 'text', 'text': t['value']}]})
        out.write(json.dumps({'id': rec['id'], 'conversations': conv}) + '\\n'); n += 1
print(json.dumps({'n': n, 'wall': time.time() - t0, 'cpu': time.process_time() - c0, 'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;
function pyRun(code, args) {
  const r = spawnSync(PY, ['-c', code, ...args], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').pop() };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const MB = imageBytes / 1e6;
const rows = [];
const report = (name, s, py) => {
  const row = {
    adapter: name,
    documents: N,
    imageMB: +MB.toFixed(1),
    docsPerSec: +(N / s.wall).toFixed(0),
    imageMBps: +(MB / s.wall).toFixed(1),
    imageMBpsPerCpuSec: +(MB / s.cpu).toFixed(1),
    outMB: +(s.outBytes / 1e6).toFixed(1),
    python: py.error ? py.error : { docsPerSec: +(py.n / py.wall).toFixed(0), imageMBps: +(MB / py.wall).toFixed(1), imageMBpsPerCpuSec: +(MB / py.cpu).toFixed(1), peakRssMB: +(py.rss / 1024).toFixed(0) },
    speedupVsPython: py.error ? null : +(py.wall / s.wall).toFixed(2),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
};

const wds = await soloRun('webdataset', { adapter: 'webdataset', input: [join(dir, 'wds', '*.tar')], out: join(dir, 'out', 'wds.jsonl.lz4'), envelope: 'single-message' });
report('webdataset', wds, pyRun(PY_WDS, [join(dir, 'wds'), join(dir, 'out', 'py-wds.jsonl.lz4')]));
const llava = await soloRun('llava', { adapter: 'llava', input: [join(dir, 'llava', 'chat.json')], images: join(dir, 'llava', 'images'), out: join(dir, 'out', 'llava.jsonl.lz4') });
report('llava', llava, pyRun(PY_LLAVA, [join(dir, 'llava', 'chat.json'), join(dir, 'llava', 'images'), join(dir, 'out', 'py-llava.jsonl.lz4')]));
// scaling: fixed shards in worker threads (one output shard per thread)
const WORKERS = Number(process.env.WORKERS ?? 2);
{
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const s = await ingest({ adapter: 'webdataset', input: [join(dir, 'wds', '*.tar')], out: join(dir, 'out', 'wdsw.shard_{000}.jsonl.lz4'), envelope: 'single-message', numShards: Math.max(WORKERS, 2), workers: WORKERS, force: true });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  if (s.documents !== N) throw new Error('workers run lost documents');
  console.log(JSON.stringify({ adapter: 'webdataset', workers: WORKERS, shards: s.shards, docsPerSec: +(N / wall).toFixed(0), imageMBps: +(MB / wall).toFixed(1), imageMBpsPerCpuSec: +(MB / ((cu.user + cu.system) / 1e6)).toFixed(1) }));
}
console.log(JSON.stringify({ peakRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(0), target: '>= 100 MB/s of images per core with lz4 output' }));
rmSync(dir, { recursive: true, force: true });
