// formats/jsonl: round trips in every codec, line splitting rules, damaged input, long lines.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  readLines,
  createLineWriter,
  detectCompression,
  lz4FrameCompress,
  lz4FrameDecompress,
  xxh32,
  type JsonlLine,
} from '../../src/formats/jsonl/index.js';
import { InputError } from '../../src/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'solo-jsonl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(paths: string | string[], opts?: Parameters<typeof readLines>[1]): Promise<JsonlLine[]> {
  const out: JsonlLine[] = [];
  for await (const l of readLines(paths, opts)) out.push(l);
  return out;
}

async function collectUntilError(path: string): Promise<{ lines: JsonlLine[]; error: unknown }> {
  const lines: JsonlLine[] = [];
  try {
    for await (const l of readLines(path)) lines.push(l);
  } catch (e) {
    return { lines, error: e };
  }
  return { lines, error: undefined };
}

function sampleLines(n: number): string[] {
  const out: string[] = [];
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out.push(JSON.stringify({ i, text: 'héllo wörld ✓ 🎉 '.repeat(seed % 40), r: seed }));
  }
  return out;
}

describe('xxh32', () => {
  it('matches the published test vectors', () => {
    expect(xxh32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxh32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(xxh32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
  });
});

describe('detectCompression', () => {
  it('uses the suffix by default and the substring rule in reference mode', () => {
    expect(detectCompression('a.jsonl')).toBe('none');
    expect(detectCompression('a.jsonl.gz')).toBe('gzip');
    expect(detectCompression('a.jsonl.lz4')).toBe('lz4');
    expect(detectCompression('a.jsonl.zst')).toBe('zstd');
    expect(detectCompression('data.gz.notreally.jsonl')).toBe('none');
    expect(detectCompression('data.gz.notreally.jsonl', 'reference')).toBe('gzip');
    expect(detectCompression('x.lz4.d/a.jsonl', 'reference')).toBe('lz4');
    expect(detectCompression('a.jsonl.zst', 'reference')).toBe('none');
  });
});

describe('round trips', () => {
  const lines = sampleLines(3000);
  const text = lines.join('\n') + '\n';
  for (const ext of ['jsonl', 'jsonl.gz', 'jsonl.lz4', 'jsonl.zst']) {
    it(`writes and reads back .${ext} identically`, async () => {
      const p = join(dir, `rt.${ext}`);
      const w = await createLineWriter(p);
      for (const l of lines) await w.write(l);
      expect(w.bytesWritten).toBe(Buffer.byteLength(text));
      await w.close();
      const got = await collect(p);
      expect(got.map((l) => l.text)).toEqual(lines);
      expect(got[0]!.line).toBe(1);
      let off = 0;
      for (const l of got) {
        expect(l.offset).toBe(off);
        off += l.byteLength;
        expect(l.terminator).toBe('\n');
      }
      expect(off).toBe(Buffer.byteLength(text));
      // no temp files left behind
      expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    });
  }

  it('abort removes the temporary file and never creates the target', async () => {
    const p = join(dir, 'aborted.jsonl.lz4');
    const w = await createLineWriter(p);
    await w.write('{"a":1}');
    await w.abort();
    await expect(stat(p)).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.includes('aborted'))).toEqual([]);
  });

  it('reads several files in order with per-file line numbers', async () => {
    const a = join(dir, 'multi_a.jsonl.gz');
    const b = join(dir, 'multi_b.jsonl.lz4');
    for (const [p, ls] of [[a, ['1', '2']], [b, ['3', '4', '5']]] as const) {
      const w = await createLineWriter(p);
      for (const l of ls) await w.write(l);
      await w.close();
    }
    let compressed = 0;
    const got = await collect([a, b], { onBytes: (n) => (compressed = n) });
    expect(got.map((l) => [l.text, l.file === a ? 'a' : 'b', l.line])).toEqual([
      ['1', 'a', 1], ['2', 'a', 2], ['3', 'b', 1], ['4', 'b', 2], ['5', 'b', 3],
    ]);
    expect(compressed).toBe((await stat(a)).size + (await stat(b)).size);
  });

  it('lz4 codec round-trips incompressible, repetitive and empty data', () => {
    const rnd = Buffer.alloc(300000);
    let s = 1;
    for (let i = 0; i < rnd.length; i++) rnd[i] = (s = (s * 1664525 + 1013904223) >>> 0) >>> 24;
    const rep = Buffer.from('abcabcabcabd'.repeat(500000));
    for (const data of [rnd, rep, Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(5_000_000, 0x41)]) {
      for (const blockSize of [65536, 4194304] as const) {
        const c = lz4FrameCompress(data, { blockSize });
        expect(lz4FrameDecompress(c).equals(data)).toBe(true);
      }
    }
    expect(lz4FrameCompress(rep).length).toBeLessThan(rep.length / 50);
  });
});

describe('line splitting', () => {
  it('lf mode: \\n and \\r\\n end lines, lone \\r does not; last line may lack a terminator', async () => {
    const p = join(dir, 'split.jsonl');
    await writeFile(p, Buffer.from('a\r\nb\rc\n\nd'));
    const got = await collect(p);
    expect(got.map((l) => [l.text, l.terminator, l.offset, l.byteLength])).toEqual([
      ['a', '\r\n', 0, 3],
      ['b\rc', '\n', 3, 4],
      ['', '\n', 7, 1],
      ['d', '', 8, 1],
    ]);
  });

  it('universal mode: \\r, \\r\\n and \\n all end lines (Python text mode)', async () => {
    const p = join(dir, 'split-u.jsonl');
    await writeFile(p, Buffer.from('a\r\nb\rc\n\r\rd\r'));
    const got = await collect(p, { newlines: 'universal' });
    expect(got.map((l) => [l.text, l.terminator])).toEqual([
      ['a', '\r\n'], ['b', '\r'], ['c', '\n'], ['', '\r'], ['', '\r'], ['d', '\r'],
    ]);
  });

  it('gives the same lines whatever the chunk boundaries (\\r\\n split across chunks)', async () => {
    const p = join(dir, 'chunks.jsonl');
    const content = 'ab\r\ncd\r\re\nf\r\n\r\nghij\rk';
    await writeFile(p, content);
    for (const newlines of ['lf', 'universal'] as const) {
      const ref = (await collect(p, { newlines })).map((l) => [l.text, l.terminator, l.offset, l.byteLength]);
      for (const chunkSize of [1, 2, 3, 5, 7]) {
        const got = (await collect(p, { newlines, chunkSize })).map((l) => [l.text, l.terminator, l.offset, l.byteLength]);
        expect(got).toEqual(ref);
      }
    }
  });

  it('decodes UTF-8 (valid and invalid) identically whatever the chunk boundaries', async () => {
    const p = join(dir, 'utf-chunks.jsonl');
    const pieces = ['a', 'é', '✓', '🎉', '\n', '\r\n', 'xyz'].map((t) => Buffer.from(t));
    const bad = [Buffer.from([0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc3]), Buffer.from([0x80, 0x80]), Buffer.from([0xf0, 0x9f, 0x8e])];
    let seed = 99;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const parts: Buffer[] = [];
    for (let i = 0; i < 400; i++) parts.push(rnd(10) === 0 ? bad[rnd(bad.length)]! : pieces[rnd(pieces.length)]!);
    const data = Buffer.concat(parts);
    await writeFile(p, data);
    // expected: split the whole buffer on \n, strip a trailing \r, decode each line on its own
    const want: [string, boolean][] = [];
    let start = 0;
    for (let i = 0; i <= data.length; i++) {
      if (i === data.length ? start < data.length : data[i] === 0x0a) {
        let body = data.subarray(start, i);
        if (i < data.length && body.length && body[body.length - 1] === 0x0d) body = body.subarray(0, body.length - 1);
        const { isUtf8 } = await import('node:buffer');
        want.push([body.toString('utf8'), !isUtf8(body)]);
        start = i + 1;
      }
    }
    for (const chunkSize of [1, 2, 3, 4, 5, 64, 1 << 20]) {
      const got = (await collect(p, { chunkSize })).map((l) => [l.text, !!l.invalidUtf8]);
      expect(got, `chunkSize ${chunkSize}`).toEqual(want);
    }
  });

  it('flags invalid UTF-8, strips a leading BOM (or keeps it on request)', async () => {
    const p = join(dir, 'utf.jsonl');
    await writeFile(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n'), Buffer.from([0x22, 0xff, 0x22, 0x0a]), Buffer.from('"\uFFFD"\n')]));
    const got = await collect(p);
    expect(got[0]).toMatchObject({ text: '{"a":1}', bom: true, byteLength: 11 });
    expect(got[1]!.invalidUtf8).toBe(true);
    expect(got[2]!.invalidUtf8).toBeUndefined(); // a real U+FFFD is valid
    const kept = await collect(p, { bom: 'keep' });
    expect(kept[0]!.text).toBe('\uFEFF{"a":1}');
  });

  it('handles a 100 MB line with bounded extra memory', async () => {
    const p = join(dir, 'big.jsonl.lz4');
    const big = 'A'.repeat(100 * 1024 * 1024);
    const w = await createLineWriter(p);
    await w.write('{"small":1}');
    await w.write(big);
    await w.write('{"small":2}');
    await w.close();
    const lens: number[] = [];
    for await (const l of readLines(p)) lens.push(l.text.length);
    expect(lens).toEqual([11, big.length, 11]);
  }, 60_000);
});

describe('reference edge inputs (fixtures/jsonl/edge, from the reference runs)', () => {
  const E = join(__dirname, '../fixtures/jsonl/edge');
  it('sizes.jsonl.{gz,lz4}: byte sizes match the reference total_bytes_processed (10032 = sum + 2 separators * 3)', async () => {
    for (const f of ['sizes.jsonl.gz', 'sizes.jsonl.lz4']) {
      const got = await collect(join(E, f));
      expect(got.length).toBe(3);
      expect(got.reduce((s, l) => s + l.byteLength, 0) + 2 * 3).toBe(10032);
    }
  });
  it('sizes.jsonl plain: code point sizes match the reference (10024)', async () => {
    const got = await collect(join(E, 'sizes.jsonl'), { newlines: 'universal' });
    const cps = got.reduce((s, l) => s + [...l.text].length + (l.terminator ? 1 : 0), 0);
    expect(cps + 2 * 3).toBe(10024);
  });
  it('raw_cr: universal newlines split the line in two (plain), gz splits on \\n only', async () => {
    const plain = await collect(join(E, 'raw_cr.jsonl'), { newlines: 'universal' });
    const gz = await collect(join(E, 'raw_cr.jsonl.gz'));
    expect(plain.length).toBe(gz.length + 1);
    // gz: 3 lines, all valid JSON (reference: n_total_doc 3)
    expect(gz.map((l) => { JSON.parse(l.text); return 1; }).length).toBe(3);
  });
  it('no_trailing_nl: last line has no terminator, sizes sum to the reference (6264 + 3)', async () => {
    const got = await collect(join(E, 'no_trailing_nl.jsonl'), { newlines: 'universal' });
    expect(got.at(-1)!.terminator).toBe('');
    expect(got.reduce((s, l) => s + [...l.text].length + (l.terminator ? 1 : 0), 0) + 3).toBe(6264);
  });
  it('data.gz.notreally.jsonl is gzip under the reference substring rule', async () => {
    const got = await collect(join(E, 'data.gz.notreally.jsonl'), { detect: 'reference' });
    expect(got.length).toBe(3);
    for (const l of got) JSON.parse(l.text);
  });
  it('invalid_utf8.jsonl.gz: exactly one line is flagged', async () => {
    const got = await collect(join(E, 'invalid_utf8.jsonl.gz'));
    expect(got.filter((l) => l.invalidUtf8).length).toBe(1);
  });
});

describe('damaged compressed files', () => {
  const lines = sampleLines(4000);
  async function writeCompressed(ext: string): Promise<Buffer> {
    const p = join(dir, `dmg-src.${ext}`);
    const w = await createLineWriter(p);
    for (const l of lines) await w.write(l);
    await w.close();
    return readFile(p);
  }

  for (const ext of ['jsonl.gz', 'jsonl.lz4', 'jsonl.zst']) {
    it(`truncated .${ext}: yields complete lines, then InputError(truncated) with file and offset`, async () => {
      const full = await writeCompressed(ext);
      const p = join(dir, `trunc.${ext}`);
      await writeFile(p, full.subarray(0, Math.floor(full.length * 0.6)));
      const { lines: got, error } = await collectUntilError(p);
      expect(error).toBeInstanceOf(InputError);
      const e = error as InputError;
      expect(e.reason).toBe('truncated');
      expect(e.location?.file).toBe(p);
      expect(e.message).toContain(p);
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThan(lines.length);
      expect(got.map((l) => l.text)).toEqual(lines.slice(0, got.length));
      expect(e.location?.line).toBe(got.length + 1);
      expect(e.location?.offset).toBe(got.at(-1)!.offset + got.at(-1)!.byteLength);
    });
  }

  for (const blockChecksum of [true, false]) {
    it(`corrupt .lz4 (flipped bytes in a block, block checksums ${blockChecksum}): good lines, then corrupt-compressed`, async () => {
      // 64 KiB blocks so the damage is in the middle of the stream
      const { Lz4FrameEncoder } = await import('../../src/formats/jsonl/index.js');
      const enc = new Lz4FrameEncoder({ blockSize: 65536, contentChecksum: true, blockChecksum });
      const raw = Buffer.from(lines.join('\n') + '\n');
      const c = Buffer.concat([...enc.push(raw), ...enc.end()]);
      const bad = Buffer.from(c);
      const at = Math.floor(c.length / 2);
      bad[at] = bad[at]! ^ 0xff;
      bad[at + 1] = bad[at + 1]! ^ 0x55;
      const p = join(dir, `corrupt-${blockChecksum}.jsonl.lz4`);
      await writeFile(p, bad);
      const { lines: got, error } = await collectUntilError(p);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).reason).toBe('corrupt-compressed');
      if (blockChecksum) {
        // the damaged block is rejected before any of its bytes are handed out
        expect(got.map((l) => l.text)).toEqual(lines.slice(0, got.length));
        expect(got.length).toBeGreaterThan(lines.length * 0.4);
      } else {
        // without block checksums a damaged block may decode to garbage; the content checksum
        // (or a bad match offset) still stops the stream with an error
        let same = 0;
        while (same < got.length && got[same]!.text === lines[same]) same++;
        expect(same).toBeGreaterThan(lines.length * 0.4);
      }
    });
  }

  it('corrupt .gz: corrupt-compressed error after the good lines', async () => {
    const raw = Buffer.from(lines.join('\n') + '\n');
    const c = gzipSync(raw, { level: 1 });
    const bad = Buffer.from(c);
    for (let i = Math.floor(c.length / 2); i < Math.floor(c.length / 2) + 64; i++) bad[i] = 0xff;
    const p = join(dir, 'corrupt.jsonl.gz');
    await writeFile(p, bad);
    const { lines: got, error } = await collectUntilError(p);
    expect(error).toBeInstanceOf(InputError);
    expect(['corrupt-compressed', 'truncated']).toContain((error as InputError).reason);
    // deflate has no per-block checksum: inflate may emit some garbage just before it detects the
    // damage, so only the lines well before the damaged region are guaranteed.
    let same = 0;
    while (same < got.length && got[same]!.text === lines[same]) same++;
    expect(same).toBeGreaterThan(lines.length * 0.4);
  });

  it('a zero-byte compressed file is empty, not an error', async () => {
    for (const ext of ['gz', 'lz4', 'zst']) {
      const p = join(dir, `empty.jsonl.${ext}`);
      await writeFile(p, '');
      expect(await collect(p)).toEqual([]);
    }
  });
});
