#!/usr/bin/env node
/**
 * bench/jsonl.mjs: read speed and peak memory of solo's .jsonl.lz4 line reader, against the
 * reference path (Python `lz4.frame.open(...)` iterated line by line, as the Megatron writer reads).
 *
 *   npx tsc -p . && node bench/jsonl.mjs [--size-mb 2048] [--file /tmp/solo-bench.jsonl.lz4] [--keep]
 *
 * Generates a chat-like corpus (text lines plus ~1 MB base64 "image" lines and one 100 MB line)
 * with solo's writer, then reads it in a child process (so the RSS is the reader's alone) and
 * with Python. Prints MB/s (decompressed bytes) and peak RSS for both, and their ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const here = fileURLToPath(import.meta.url);
const lib = new URL('../dist/formats/jsonl/index.js', import.meta.url).href;

if (args[0] === '--read') {
  // child: read the file and report
  const { readLines } = await import(lib);
  const file = args[1];
  const t0 = process.hrtime.bigint();
  let lines = 0;
  let bytes = 0;
  let longest = 0;
  for await (const l of readLines(file)) {
    lines++;
    bytes += l.byteLength;
    if (l.text.length > longest) longest = l.text.length;
  }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const rssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ lines, bytes, sec, mbps: bytes / 1e6 / sec, peakRssMB: rssMB, longest }) + '\n');
  process.exit(0);
}

const sizeMB = Number(opt('--size-mb', '2048'));
const file = opt('--file', `/tmp/solo-bench-${sizeMB}MB.jsonl.lz4`);
const { createLineWriter } = await import(lib);

if (!existsSync(file)) {
  const t0 = Date.now();
  const w = await createLineWriter(file);
  let seed = 42;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const words = 'the a of to and in is image shows cat dog red blue tree person on with small large photo'.split(' ');
  const b64 = Buffer.alloc(768 * 1024);
  for (let i = 0; i < b64.length; i++) b64[i] = (rnd() * 256) | 0;
  const img = b64.toString('base64'); // ~1 MB, incompressible like real JPEG payloads
  let n = 0;
  const target = sizeMB * 1e6;
  let wroteBig = false;
  while (w.bytesWritten < target) {
    if (!wroteBig && w.bytesWritten > target / 2) {
      await w.write(JSON.stringify({ role: 'user', content: [{ type: 'text', text: 'A'.repeat(100 * 1024 * 1024) }] }));
      wroteBig = true;
      continue;
    }
    if (n % 200 === 199) {
      await w.write(JSON.stringify([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,' + img } }, { type: 'text', text: 'caption ' + n }] }]));
    } else {
      let t = '';
      const k = 20 + ((rnd() * 400) | 0);
      for (let j = 0; j < k; j++) t += words[(rnd() * words.length) | 0] + ' ';
      await w.write(JSON.stringify({ id: String(n), conversations: [{ role: 'user', content: t }, { role: 'assistant', content: 'ok ' + n }] }));
    }
    n++;
  }
  await w.close();
  const sec = (Date.now() - t0) / 1000;
  console.log(`generated ${file}: ${(w.bytesWritten / 1e6).toFixed(0)} MB raw, ${(statSync(file).size / 1e6).toFixed(0)} MB lz4, write ${(w.bytesWritten / 1e6 / sec).toFixed(0)} MB/s`);
}

const child = spawnSync(process.execPath, [here, '--read', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
if (child.status !== 0) throw new Error(child.stderr);
const solo = JSON.parse(child.stdout.trim());

const py = spawnSync(
  '/usr/bin/python3',
  [
    '-c',
    `import lz4.frame, sys, time, resource, json
t = time.time(); n = 0; b = 0
with lz4.frame.open(sys.argv[1], 'rb') as f:
    for line in f:
        n += 1; b += len(line)
s = time.time() - t
print(json.dumps({"lines": n, "bytes": b, "sec": s, "mbps": b / 1e6 / s, "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))`,
    file,
  ],
  { encoding: 'utf8' },
);
const ref = py.status === 0 ? JSON.parse(py.stdout.trim()) : null;

console.log(`solo   readLines: ${solo.lines} lines, ${(solo.bytes / 1e6).toFixed(0)} MB in ${solo.sec.toFixed(2)} s = ${solo.mbps.toFixed(0)} MB/s, peak RSS ${solo.peakRssMB.toFixed(0)} MB (longest line ${(solo.longest / 1e6).toFixed(0)} MB)`);
if (ref) {
  console.log(`python lz4.frame: ${ref.lines} lines, ${(ref.bytes / 1e6).toFixed(0)} MB in ${ref.sec.toFixed(2)} s = ${ref.mbps.toFixed(0)} MB/s, peak RSS ${ref.peakRssMB.toFixed(0)} MB`);
  console.log(`ratio solo/python speed: ${(solo.mbps / ref.mbps).toFixed(2)}x; same lines: ${solo.lines === ref.lines && solo.bytes === ref.bytes}`);
} else console.log(`python reference unavailable: ${py.stderr.trim().split('\n').pop()}`);
console.log(`peak RSS target < 300 MB: ${solo.peakRssMB < 300 ? 'ok' : 'EXCEEDED'}`);
if (!args.includes('--keep')) rmSync(file, { force: true });
