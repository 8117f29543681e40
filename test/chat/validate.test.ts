// solo chat validate / stats on the reference dev corpus (fixtures/chat/dev.jsonl.gz, a gzip copy of
// reference dev/input/dev.jsonl): exactly the structurally bad lines of its CASES.md are reported.
import { describe, expect, it, beforeAll, afterAll, vi } from 'vitest';
import { mkdtemp, rm, readFile, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Command } from 'commander';
import { validateChatFiles, chatStats } from '../../src/chat/index.js';
import { createLineWriter } from '../../src/formats/jsonl/index.js';
import { register } from '../../src/cli/chat.js';

const DEV_GZ = join(__dirname, '../fixtures/chat/dev.jsonl.gz');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'solo-chat-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validateChatFiles on the reference dev corpus', () => {
  it('reports exactly lines 45, 46, 47, 49, 50 with their reasons (line 48, a truncated JPEG, is not flagged)', async () => {
    const errors = join(dir, 'errors.jsonl');
    const events: number[] = [];
    const r = await validateChatFiles({ inputs: [DEV_GZ], errorsPath: errors, onProgress: (e) => events.push(e.done) });
    expect(r.ok).toBe(false);
    expect(r.lines).toBe(62);
    expect(r.errors.map((e) => [e.line, e.reason])).toEqual([
      [45, 'invalid-json'],
      [46, 'unknown-content-type'],
      [47, 'bad-base64'],
      [49, 'unknown-role'],
      [50, 'lone-surrogate'],
    ]);
    expect(r.errors[1]!.path).toBe('[0].content[1].type');
    expect(r.errors[2]!.message).toBe('Incorrect padding');
    expect(r.documents).toBe(57);
    expect(r.badLines).toBe(5);
    expect(r.errorsByReason).toEqual({ 'invalid-json': 1, 'unknown-content-type': 1, 'bad-base64': 1, 'unknown-role': 1, 'lone-surrogate': 1 });
    // 60 images in the 56 good documents (MANIFEST) + 1 in the truncated-JPEG line 48
    expect(r.images).toBe(61);
    expect(r.imagesByType).toEqual({ jpeg: 38, png: 23 });
    // line 29 declares image/jpeg but holds a PNG
    expect(r.imagesByClaimedMime).toEqual({ 'image/jpeg': 39, 'image/png': 22 });
    expect(r.imageMimeMismatches).toBe(1);
    expect(r.shapes).toEqual({ list: 23, conversations: 20, single: 14 });
    expect(r.bytes).toBe(gunzipSync(await readFile(DEV_GZ)).length);
    expect(events.at(-1)).toBe(62);
    const lines = (await readFile(errors, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.line)).toEqual([45, 46, 47, 49, 50]);
    for (const e of lines) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['file', 'line', 'offset', 'reason', 'message']));
      expect(e.file).toBe(DEV_GZ);
    }
    // offsets point at the line starts in the decompressed stream
    const raw = gunzipSync(await readFile(DEV_GZ));
    for (const e of lines) {
      expect(e.offset === 0 || raw[e.offset - 1] === 0x0a).toBe(true);
      expect(raw.subarray(0, e.offset).toString().split('\n').length).toBe(e.line);
    }
  });

  it('chatStats counts the same corpus read from plain and lz4 copies', async () => {
    const plain = join(dir, 'dev.jsonl');
    await writeFile(plain, gunzipSync(await readFile(DEV_GZ)));
    const lz4 = join(dir, 'dev.jsonl.lz4');
    const w = await createLineWriter(lz4);
    for (const l of (await readFile(plain, 'utf8')).split('\n').slice(0, -1)) await w.write(l);
    await w.close();
    const a = await chatStats({ inputs: [plain] });
    const b = await chatStats({ inputs: [join(dir, 'dev.jsonl.l?4')] });
    expect(b.files).toEqual([lz4]);
    const strip = (x: typeof a) => ({ ...x, files: [], errors: x.errors.map((e) => ({ ...e, file: '' })), compressedBytes: 0 });
    expect(strip(b)).toEqual(strip(a));
    expect(a.textChars).toBeGreaterThan(10000);
    expect(a.turnsByRole.user).toBeGreaterThan(0);
  });

  it('keeps scanning after a truncated file and records it', async () => {
    const plain = join(dir, 'dev.jsonl');
    const lz4 = join(dir, 'trunc.jsonl.lz4');
    const w = await createLineWriter(lz4);
    for (const l of (await readFile(plain, 'utf8')).split('\n').slice(0, 40)) await w.write(l);
    await w.close();
    const full = await readFile(lz4);
    await writeFile(lz4, full.subarray(0, Math.floor(full.length / 2)));
    const good = join(dir, 'good.jsonl');
    await writeFile(good, '{"role":"user","content":"hello"}\n');
    const r = await validateChatFiles({ inputs: [lz4, good] });
    const trunc = r.errors.find((e) => e.reason === 'truncated');
    expect(trunc?.file).toBe(lz4);
    expect(r.lines).toBeGreaterThan(1);
    expect(r.lines).toBeLessThan(41);
    expect(r.badLines).toBe(1);
    expect(r.documents).toBe(r.lines); // good lines before the damage + the second file
  });

  it('flags payloads that are not images, and invalid UTF-8', async () => {
    const p = join(dir, 'misc.jsonl');
    const notImg = Buffer.from('just text').toString('base64');
    await writeFile(
      p,
      Buffer.concat([
        Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${notImg}` } }] }] }) + '\n'),
        Buffer.from('{"role":"user","content":"\xff"}\n', 'latin1'),
        Buffer.from(JSON.stringify({ messages: [{ role: 'system', content: 'ok' }] }) + '\n'),
      ]),
    );
    const r = await validateChatFiles({ inputs: [p] });
    expect(r.errors.map((e) => [e.line, e.reason, e.path])).toEqual([
      [1, 'not-an-image', 'messages[0].content[0].image_url.url'],
      [2, 'invalid-utf8', undefined],
    ]);
    expect(r.documents).toBe(1);
  });
});

describe('solo chat CLI', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const program = new Command('solo').option('--json').option('-q, --quiet').exitOverride();
    register(program);
    let out = '';
    let err = '';
    const so = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const se = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    const before = process.exitCode;
    process.exitCode = 0;
    try {
      await program.parseAsync(['node', 'solo', ...args]);
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = before;
    return { code, out, err };
  }

  it('validate exits 1 and lists the bad lines; --errors writes them', async () => {
    const errs = join(dir, 'cli-errors.jsonl');
    const r = await run(['chat', 'validate', DEV_GZ, '--errors', errs]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${DEV_GZ}:46 `);
    expect(r.out).toContain('bad lines:        5');
    expect((await readFile(errs, 'utf8')).trim().split('\n').length).toBe(5);
  });

  it('validate exits 0 on a clean file; --json prints a summary object', async () => {
    const good = join(dir, 'clean.jsonl');
    await copyFile(join(__dirname, '../fixtures/jsonl/edge/sizes.jsonl'), good);
    const r = await run(['--json', 'chat', 'validate', good]);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.out.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'summary', ok: true, lines: 3, documents: 3, badLines: 0 });
  });

  it('stats prints counts and exits 0 even with bad lines', async () => {
    const r = await run(['chat', 'stats', DEV_GZ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('by real type:   jpeg 38, png 23');
  });

  it('a missing input is a usage error (exit 2)', async () => {
    const r = await run(['chat', 'validate', join(dir, 'nope_{1..2}.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not found');
  });
});
