/**
 * Interop: random images generated and processed by the Python reference (PIL 9.4 + torchvision)
 * in the same run, compared bit for bit with imageToPatches. The seed is printed; set
 * SOLO_TEST_SEED to replay a run, SOLO_IMAGE_INTEROP_COUNT to change the number of images (≥ 300).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, imageToPatches, resizeBilinear, soloTargetSize } from '../../src/image/index.js';
import { describeInterop, runPython } from '../helpers/oracle.js';

/** A Python oracle script, run after the shared reference branch (reference_transform.py). */
const pyScript = (name: string) => ['reference_transform.py', name].map((f) => readFileSync(fileURLToPath(new URL(f, import.meta.url)), 'utf8')).join('\n');

const sha = (b: Uint8Array | Uint16Array): string => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');

interface Ref {
  i: number;
  file: string;
  kind: string;
  w: number;
  h: number;
  format?: string;
  mode?: string;
  sha_dec?: string;
  sha_res?: string;
  sha_f16?: string;
  nw?: number;
  nh?: number;
  error?: string;
}

describeInterop(['PIL', 'numpy', 'torch', 'torchvision'], 'image interop with PIL + torchvision', () => {
  it('random images give bit-identical patches', async () => {
    const seed = process.env.SOLO_TEST_SEED ? Number(process.env.SOLO_TEST_SEED) : Math.floor(Math.random() * 2 ** 31);
    const count = Number(process.env.SOLO_IMAGE_INTEROP_COUNT ?? 320);
    console.log(`[image interop] seed=${seed} count=${count} (replay with SOLO_TEST_SEED=${seed})`);
    const dir = mkdtempSync(join(tmpdir(), 'solo-image-interop-'));
    try {
      const script = pyScript('interop_gen.py');
      const out = runPython(script, { args: [String(seed), String(count), dir] });
      const refs = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ref);
      expect(refs.length).toBe(count);
      const problems: string[] = [];
      const kinds = new Map<string, number>();
      let okCount = 0;
      for (const r of refs) {
        kinds.set(r.kind.replace(/-q\d+$/, ''), (kinds.get(r.kind.replace(/-q\d+$/, '')) ?? 0) + 1);
        const bytes = readFileSync(r.file);
        const tag = `#${r.i} ${r.kind} ${r.w}x${r.h}`;
        let got;
        try {
          got = await imageToPatches(bytes);
        } catch (e) {
          if (r.error) {
            if (!(e instanceof ImageDecodeError)) problems.push(`${tag}: reference ${r.error}, ours threw a non-ImageDecodeError ${String(e)}`);
            continue;
          }
          problems.push(`${tag}: reference ok, ours threw ${String(e)}`);
          continue;
        }
        if (r.error) {
          problems.push(`${tag}: reference raised ${r.error}, ours accepted it`);
          continue;
        }
        if (got.format !== r.format || (got.mode !== r.mode && !(r.format === 'TIFF' && r.mode === 'P' && got.mode === 'RGB'))) problems.push(`${tag}: format/mode ${got.format}/${got.mode} vs ${r.format}/${r.mode}`);
        if (got.newWidth !== r.nw || got.newHeight !== r.nh) problems.push(`${tag}: target ${got.newWidth}x${got.newHeight} vs ${r.nw}x${r.nh}`);
        if (sha(got.patches) === r.sha_f16) {
          okCount++;
          continue;
        }
        // Locate the first stage that differs.
        const img = await decodeImage(bytes);
        if (sha(img.data) !== r.sha_dec) {
          problems.push(`${tag}: decoded RGB differs`);
          continue;
        }
        const t = soloTargetSize(img.width, img.height);
        const res = resizeBilinear(img.data, img.width, img.height, t.width, t.height);
        problems.push(`${tag}: ${sha(res) !== r.sha_res ? 'resized RGB' : 'patches'} differ`);
      }
      console.log(`[image interop] ${okCount} bit-identical, ${refs.filter((r) => r.error).length} rejected by both; kinds: ${[...kinds].map(([k, n]) => `${k}:${n}`).join(' ')}`);
      expect(problems.slice(0, 30)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  it('mozjpeg-encoded JPEGs (sharp: progressive scans, trellis, 4:4:4, custom tables) decode like Pillow', async () => {
    const seed = process.env.SOLO_TEST_SEED ? Number(process.env.SOLO_TEST_SEED) : 4242;
    let s = seed >>> 0;
    const rnd = (n: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
    const dir = mkdtempSync(join(tmpdir(), 'solo-image-mozjpeg-'));
    try {
      const files: string[] = [];
      for (let i = 0; i < 40; i++) {
        const w = 1 + rnd(i % 8 === 0 ? 900 : 180);
        const h = 1 + rnd(i % 8 === 1 ? 900 : 180);
        const raw = Buffer.alloc(w * h * 3);
        const fx = 0.01 + rnd(100) / 500;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) raw[(y * w + x) * 3 + c] = 128 + 100 * Math.sin(x * fx + y * fx * (c + 1)) + rnd(40) - 20;
        let img = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
        if (i % 5 === 4) img = img.greyscale();
        const jpg = await img
          .jpeg({
            quality: 20 + rnd(80),
            mozjpeg: i % 2 === 0,
            progressive: i % 3 !== 0,
            optimiseScans: i % 4 === 0,
            trellisQuantisation: i % 3 === 1,
            overshootDeringing: i % 5 === 0,
            quantisationTable: rnd(9),
            chromaSubsampling: i % 2 ? '4:4:4' : '4:2:0',
          })
          .toBuffer();
        const f = join(dir, `${i}.jpg`);
        writeFileSync(f, jpg);
        files.push(f);
      }
      const script = pyScript('interop_ref.py');
      const refs = runPython(script, { args: files }).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ref);
      expect(refs.length).toBe(files.length);
      const problems: string[] = [];
      for (const r of refs) {
        if (r.error) {
          problems.push(`${r.file}: reference error ${r.error}`);
          continue;
        }
        const p = await imageToPatches(readFileSync(r.file));
        if (sha(p.patches) !== r.sha_f16 || p.mode !== r.mode) problems.push(`${r.file} (${r.mode} ${r.w}x${r.h}): differs`);
      }
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
