#!/usr/bin/env node
/**
 * Tokenizer benchmark: solo's SentencePiece encoder vs Python sentencepiece 0.1.97 on the same
 * corpus, in the same run, each pinned to one core (taskset -c 0 when available).
 *
 *   npx tsc -p . && node bench/tokenizer.mjs [--model path] [--mb 4] [--runs 3]
 *
 * Corpus, built from what a Debian machine has: licence texts (prose), the Python standard library
 * (code), translated strings from .mo catalogues (multilingual). Reports MB/s (UTF-8 input bytes)
 * and Mtok/s per category, the JS/Python ratio, whether both produced the same ids, and peak RSS.
 * JS timing uses a fresh processor per run (cold chunk cache; a JIT warm-up runs first on another
 * instance), so the cache only helps within a run, as it does in production.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const MODEL = opt('--model', join(here, '..', 'test', 'fixtures', 'tokenizer', 'mistral-7b-v0.1.tokenizer.model'));
const MB = Number(opt('--mb', '4'));
const RUNS = Number(opt('--runs', '3'));
const PYTHON = process.env.SOLO_PYTHON ?? '/usr/bin/python3';

// ---- worker mode: time the JS encoder (run under taskset by the parent) ----
if (args[0] === '--js-worker') {
  const { loadSentencePiece } = await import('../dist/tokenizer/index.js');
  const corpus = JSON.parse(readFileSync(args[1], 'utf8'));
  const buf = readFileSync(MODEL);
  const t0 = performance.now();
  loadSentencePiece(new Uint8Array(buf));
  const loadS = (performance.now() - t0) / 1000;
  const warm = loadSentencePiece(new Uint8Array(buf));
  for (const docs of Object.values(corpus)) for (const d of docs) warm.encode(d);
  const result = { loadS, categories: {} };
  for (const [cat, docs] of Object.entries(corpus)) {
    let best = Infinity;
    let tokens = 0;
    let digest = 0;
    for (let r = 0; r < RUNS; r++) {
      const sp = loadSentencePiece(new Uint8Array(buf));
      const s = performance.now();
      tokens = 0;
      digest = 0;
      for (const d of docs) {
        const ids = sp.encode(d);
        tokens += ids.length;
        for (let i = 0; i < ids.length; i++) digest = (Math.imul(digest, 31) + ids[i]) | 0;
      }
      best = Math.min(best, (performance.now() - s) / 1000);
    }
    result.categories[cat] = { seconds: best, tokens, digest };
  }
  result.maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

const PY = String.raw`
import json, sys, time, resource
import sentencepiece as spm
corpus = json.load(open(sys.argv[2], encoding="utf-8"))
t0 = time.perf_counter(); spm.SentencePieceProcessor(model_file=sys.argv[1]); load = time.perf_counter() - t0
sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
runs = int(sys.argv[3])
res = {"loadS": load, "categories": {}}
for cat, docs in corpus.items():
    best = 1e9
    for r in range(runs):
        s = time.perf_counter()
        out = [sp.encode_as_ids(d) for d in docs]
        best = min(best, time.perf_counter() - s)
    tokens = sum(len(x) for x in out)
    digest = 0
    for ids in out:
        for i in ids:
            digest = (digest * 31 + i) & 0xffffffff
    if digest >= 0x80000000: digest -= 0x100000000
    res["categories"][cat] = {"seconds": best, "tokens": tokens, "digest": digest}
res["maxRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(res))
`;

// ---- corpus ----
function walk(dir, pred, out, limit) {
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (out.bytes >= limit) return;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, pred, out, limit);
    else if (e.isFile() && pred(p)) {
      try {
        if (statSync(p).size > 2e6) continue;
        const data = readFileSync(p);
        out.files.push({ path: p, data });
        out.bytes += data.length;
      } catch {
        /* unreadable */
      }
    }
  }
}

function moStrings(buf) {
  // GNU .mo: magic, revision, N, offset of originals, offset of translations
  const le = buf.readUInt32LE(0) === 0x950412de;
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const n = u32(8);
  const tOff = u32(16);
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = u32(tOff + 8 * i);
    const off = u32(tOff + 8 * i + 4);
    const s = buf.subarray(off, off + len).toString('utf8');
    if (s && !s.includes('\ufffd')) out.push(...s.split('\0'));
  }
  return out;
}

function buildCorpus(totalMB) {
  const per = (totalMB * 1e6) / 3;
  const prose = { files: [], bytes: 0 };
  walk('/usr/share/common-licenses', () => true, prose, per);
  walk('/usr/share/doc', (p) => /README|changelog|copyright/i.test(p) && !p.endsWith('.gz'), prose, per);
  const code = { files: [], bytes: 0 };
  walk('/usr/lib/python3.11', (p) => p.endsWith('.py'), code, per);
  const mo = { files: [], bytes: 0 };
  walk('/usr/share/locale', (p) => p.endsWith('.mo'), mo, per * 3);
  const docs = { prose: [], code: [], multilingual: [] };
  for (const f of prose.files) for (const para of f.data.toString('utf8').split(/\n\s*\n/)) if (para.trim()) docs.prose.push(para);
  for (const f of code.files) {
    const lines = f.data.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i += 40) docs.code.push(lines.slice(i, i + 40).join('\n'));
  }
  let mbytes = 0;
  let group = [];
  for (const f of mo.files) {
    let strs = [];
    try {
      strs = moStrings(f.data);
    } catch {
      continue;
    }
    for (const s of strs) {
      group.push(s);
      if (group.length === 8) {
        const d = group.join('\n');
        docs.multilingual.push(d);
        mbytes += Buffer.byteLength(d);
        group = [];
      }
      if (mbytes >= per) break;
    }
    if (mbytes >= per) break;
  }
  for (const k of Object.keys(docs)) if (docs[k].length === 0) delete docs[k];
  return docs;
}

// ---- main ----
if (!existsSync(join(here, '..', 'dist', 'tokenizer', 'index.js'))) {
  console.error('build first: npx tsc -p .');
  process.exit(2);
}
const corpus = buildCorpus(MB);
const dir = mkdtempSync(join(tmpdir(), 'solo-bench-tok-'));
const corpusPath = join(dir, 'corpus.json');
writeFileSync(corpusPath, JSON.stringify(corpus));
const pin = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0'] : [];
const run = (cmd) => {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const js = run([...pin, process.execPath, fileURLToPath(import.meta.url), '--js-worker', corpusPath, '--model', MODEL, '--runs', String(RUNS)]);
let py = null;
try {
  py = run([...pin, PYTHON, '-c', PY, MODEL, corpusPath, String(RUNS)]);
} catch (e) {
  console.error(`python sentencepiece not available: ${e.message.split('\n')[0]}`);
}
rmSync(dir, { recursive: true, force: true });

const rows = [];
let jsS = 0, pyS = 0, bytesAll = 0, tokAll = 0;
let same = true;
for (const [cat, docs] of Object.entries(corpus)) {
  const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d), 0);
  const j = js.categories[cat];
  const p = py?.categories[cat];
  bytesAll += bytes;
  tokAll += j.tokens;
  jsS += j.seconds;
  if (p) pyS += p.seconds;
  if (p && (p.tokens !== j.tokens || p.digest !== j.digest)) same = false;
  rows.push({
    category: cat,
    docs: docs.length,
    MB: +(bytes / 1e6).toFixed(2),
    tokens: j.tokens,
    'js MB/s': +(bytes / 1e6 / j.seconds).toFixed(2),
    'js Mtok/s': +(j.tokens / 1e6 / j.seconds).toFixed(2),
    'py MB/s': p ? +(bytes / 1e6 / p.seconds).toFixed(2) : null,
    'py Mtok/s': p ? +(p.tokens / 1e6 / p.seconds).toFixed(2) : null,
    ratio: p ? +(p.seconds / j.seconds).toFixed(2) : null,
    'same ids': p ? p.tokens === j.tokens && p.digest === j.digest : null,
  });
}
rows.push({
  category: 'ALL',
  docs: rows.reduce((a, r) => a + r.docs, 0),
  MB: +(bytesAll / 1e6).toFixed(2),
  tokens: tokAll,
  'js MB/s': +(bytesAll / 1e6 / jsS).toFixed(2),
  'js Mtok/s': +(tokAll / 1e6 / jsS).toFixed(2),
  'py MB/s': py ? +(bytesAll / 1e6 / pyS).toFixed(2) : null,
  'py Mtok/s': py ? +(tokAll / 1e6 / pyS).toFixed(2) : null,
  ratio: py ? +(pyS / jsS).toFixed(2) : null,
  'same ids': py ? same : null,
});
console.log(`model ${MODEL}; best of ${RUNS}; ${pin.length ? 'pinned to core 0' : 'not pinned'}`);
console.table(rows);
console.log(`load: js ${js.loadS.toFixed(2)} s, python ${py ? py.loadS.toFixed(2) : '-'} s; peak RSS: js ${js.maxRssMB.toFixed(0)} MB, python ${py ? py.maxRssMB.toFixed(0) : '-'} MB`);
if (py) console.log(`JS / Python throughput ratio: ${(pyS / jsS).toFixed(2)}x (target >= 1.5x); ids identical: ${same}`);
