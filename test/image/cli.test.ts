/**
 * `solo image patchify|unpatchify`: writes raw LE float16 patches with the reference hash and a
 * summary; unpatchify rebuilds a PNG equal to the resized image (exact inverse normalisation).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Command } from 'commander';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/image.js';
import { decodeImage, resizeBilinear, soloTargetSize } from '../../src/image/index.js';

const dir = mkdtempSync(join(tmpdir(), 'solo-image-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const program = new Command('solo').option('--json').option('-q, --quiet').exitOverride();
  register(program);
  program.commands.forEach((c) => c.exitOverride());
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'solo', ...args]);
  } finally {
    spy.mockRestore();
    spyErr.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { out, code };
}

const rec = gunzipSync(readFileSync(new URL('../fixtures/image/dev-images.jsonl.gz', import.meta.url)))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { case: string; b64: string; sha256_f16?: string; grid_hw?: number[]; resized_wh?: number[] })
  .find((r) => r.case === 'jpeg_baseline_q50_422')!;

describe('solo image CLI', () => {
  it('patchify writes the reference float16 bytes and a summary; unpatchify rebuilds the resized image', async () => {
    const img = join(dir, 'in.jpg');
    writeFileSync(img, Buffer.from(rec.b64, 'base64'));
    const f16 = join(dir, 'p.f16');
    const r = await run(['--json', 'image', 'patchify', img, '--out', f16]);
    expect(r.code).toBeUndefined();
    const summary = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ type: 'summary', format: 'JPEG', mode: 'RGB', width: 173, height: 97, newWidth: 192, newHeight: 128, rows: 4, cols: 6, patches: 24 });
    const bytes = readFileSync(f16);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(rec.sha256_f16);

    const png = join(dir, 'out.png');
    const u = await run(['image', 'unpatchify', f16, '--rows', '4', '--cols', '6', '--out', png]);
    expect(u.code).toBeUndefined();
    const { data, info } = await sharp(readFileSync(png)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([192, 128, 3]);
    const dec = await decodeImage(Buffer.from(rec.b64, 'base64'));
    const t = soloTargetSize(dec.width, dec.height);
    expect(Buffer.from(resizeBilinear(dec.data, dec.width, dec.height, t.width, t.height)).equals(data)).toBe(true);
  });
  it('bad image exits 1, wrong patch count exits 2', async () => {
    const bad = join(dir, 'bad.jpg');
    writeFileSync(bad, Buffer.from(rec.b64, 'base64').subarray(0, 500));
    expect((await run(['image', 'patchify', bad, '--out', join(dir, 'x.f16')])).code).toBe(1);
    const f16 = join(dir, 'small.f16');
    writeFileSync(f16, Buffer.alloc(3072 * 2));
    expect((await run(['image', 'unpatchify', f16, '--rows', '2', '--cols', '1', '--out', join(dir, 'x.png')])).code).toBe(2);
    expect((await run(['image', 'patchify', join(dir, 'missing.jpg'), '--out', join(dir, 'x.f16')])).code).toBe(2);
  });
});
