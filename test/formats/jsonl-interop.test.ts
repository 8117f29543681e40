// formats/jsonl interop with Python: files written by lz4.frame / gzip / zstandard are read by solo,
// and files written by solo are read by them (byte-identical content both ways).
import { expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeInterop, runPython } from '../helpers/oracle.js';
import { readLines, createLineWriter } from '../../src/formats/jsonl/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'solo-jsonl-py-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Deterministic content with multi-byte UTF-8, long and empty-ish lines.
const PY_LINES = `
import json
lines = []
for i in range(6000):
    lines.append(json.dumps({"i": i, "t": ("héllo ✓ 🎉 " * (i % 97)) + str(i * 7919 % 10007)}, ensure_ascii=(i % 2 == 0)))
lines.append(json.dumps({"big": "x" * 300000}))
data = ("\\n".join(lines) + "\\n").encode("utf-8")
`;

async function readAll(p: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const l of readLines(p)) parts.push(Buffer.from(l.text + '\n', 'utf8'));
  return Buffer.concat(parts);
}

let cached: Buffer | undefined;
function pyData(): Buffer {
  cached ??= Buffer.from(runPython(PY_LINES + 'import sys; sys.stdout.write(data.hex())'), 'hex');
  return cached;
}

describeInterop(['lz4.frame'], 'jsonl interop: Python lz4.frame', () => {
  const variants: Record<string, string> = {
    default: 'lz4.frame.compress(data)',
    linked_4mb_checksums: 'lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX4MB, content_checksum=True, block_checksum=True)',
    independent_256k: 'lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX256KB, block_linked=False, store_size=False)',
    hc_level: 'lz4.frame.compress(data, compression_level=lz4.frame.COMPRESSIONLEVEL_MINHC)',
    two_frames: 'lz4.frame.compress(data[:100000]) + lz4.frame.compress(data[100000:])',
  };
  for (const [name, expr] of Object.entries(variants)) {
    it(`reads a file written by lz4.frame (${name})`, async () => {
      const p = join(dir, `py-${name}.jsonl.lz4`);
      runPython(PY_LINES + `import lz4.frame, sys\nopen(sys.argv[1], 'wb').write(${expr})`, { args: [p] });
      expect((await readAll(p)).equals(pyData())).toBe(true);
    });
  }
  it('writes .lz4 that lz4.frame reads back identically', async () => {
    const data = pyData();
    const p = join(dir, 'solo.jsonl.lz4');
    const w = await createLineWriter(p);
    for (const l of data.toString('utf8').split('\n').slice(0, -1)) await w.write(l);
    await w.close();
    const out = runPython(`import lz4.frame, sys, hashlib\nprint(hashlib.sha256(lz4.frame.decompress(open(sys.argv[1],'rb').read())).hexdigest())`, { args: [p] }).trim();
    const { createHash } = await import('node:crypto');
    expect(out).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

describeInterop(['lz4.frame'], 'jsonl interop: lz4 encoder options', () => {
  it('frames with block checksums and 64 KiB / 1 MiB blocks are read by lz4.frame', async () => {
    const { lz4FrameCompress } = await import('../../src/formats/jsonl/index.js');
    const data = pyData();
    for (const blockSize of [65536, 1048576] as const) {
      const p = join(dir, `opts-${blockSize}.lz4`);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(p, lz4FrameCompress(data, { blockSize, blockChecksum: true, contentChecksum: true }));
      const out = runPython(`import lz4.frame, sys, hashlib\nprint(hashlib.sha256(lz4.frame.decompress(open(sys.argv[1],'rb').read())).hexdigest())`, { args: [p] }).trim();
      const { createHash } = await import('node:crypto');
      expect(out).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

describeInterop(['gzip'], 'jsonl interop: Python gzip', () => {
  it('reads a file written by gzip (and a two-member file)', async () => {
    const p = join(dir, 'py.jsonl.gz');
    runPython(PY_LINES + `import gzip, sys\nopen(sys.argv[1], 'wb').write(gzip.compress(data[:5000]) + gzip.compress(data[5000:]))`, { args: [p] });
    expect((await readAll(p)).equals(pyData())).toBe(true);
  });
  it('writes .gz that gzip reads back identically', async () => {
    const data = pyData();
    const p = join(dir, 'solo.jsonl.gz');
    const w = await createLineWriter(p);
    for (const l of data.toString('utf8').split('\n').slice(0, -1)) await w.write(l);
    await w.close();
    const out = runPython(`import gzip, sys\nsys.stdout.write(gzip.open(sys.argv[1]).read().hex())`, { args: [p] });
    expect(Buffer.from(out, 'hex').equals(data)).toBe(true);
  });
});

describeInterop(['zstandard'], 'jsonl interop: Python zstandard', () => {
  it('reads files written by zstandard (one-shot, streaming with checksum, two frames)', async () => {
    const cases = {
      oneshot: 'zstandard.ZstdCompressor(level=3).compress(data)',
      stream: 'zstandard.ZstdCompressor(level=10, write_checksum=True).compressobj().compress(data)',
      twoframes: 'zstandard.ZstdCompressor().compress(data[:7777]) + zstandard.ZstdCompressor().compress(data[7777:])',
    };
    for (const [name, expr] of Object.entries(cases)) {
      const p = join(dir, `py-${name}.jsonl.zst`);
      const code =
        name === 'stream'
          ? PY_LINES + `import zstandard, sys\nc = zstandard.ZstdCompressor(level=10, write_checksum=True).compressobj()\nopen(sys.argv[1], 'wb').write(c.compress(data) + c.flush())`
          : PY_LINES + `import zstandard, sys\nopen(sys.argv[1], 'wb').write(${expr})`;
      runPython(code, { args: [p] });
      expect((await readAll(p)).equals(pyData()), name).toBe(true);
    }
  });
  it('writes .zst that zstandard reads back identically (across frames)', async () => {
    const data = pyData();
    const p = join(dir, 'solo.jsonl.zst');
    const w = await createLineWriter(p);
    for (const l of data.toString('utf8').split('\n').slice(0, -1)) await w.write(l);
    await w.close();
    expect((await readFile(p)).length).toBeLessThan(data.length / 3);
    const out = runPython(
      `import zstandard, sys\nr = zstandard.ZstdDecompressor().stream_reader(open(sys.argv[1],'rb'), read_across_frames=True)\nsys.stdout.write(r.read().hex())`,
      { args: [p] },
    );
    expect(Buffer.from(out, 'hex').equals(data)).toBe(true);
  });
});
