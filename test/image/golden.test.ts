/**
 * Golden tests: every image of the reference dev set (and the edge set) must give patches whose
 * float16 bytes hash to the reference's sha256, with the reference's PIL format, mode and sizes;
 * the 14 raw_patches cases must match at each stage (decoded, resized, patches).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImage, imageToPatches, ImageDecodeError, resizeBilinear, patchifyInto, soloTargetSize } from '../../src/image/index.js';

const FIX = new URL('../fixtures/image/', import.meta.url);
const sha = (b: Uint8Array | Uint16Array): string => createHash('sha256').update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');

interface DevRec {
  line: number;
  case: string;
  index: number;
  b64: string;
  error?: string;
  orig_wh?: [number, number];
  resized_wh?: [number, number];
  grid_hw?: [number, number];
  pil_format?: string;
  pil_mode?: string;
  n_patches?: number;
  sha256_f16?: string;
  stages?: Record<string, { shape: number[]; sha256: string }>;
}

const dev: DevRec[] = gunzipSync(readFileSync(new URL('dev-images.jsonl.gz', FIX)))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as DevRec);

describe('dev set images (reference sha256 per image)', () => {
  const ok = dev.filter((r) => !r.error);
  it('has the expected fixture count', () => {
    expect(ok.length).toBe(60);
  });
  for (const r of ok) {
    it(`line ${r.line} ${r.case} #${r.index} (${r.pil_format} ${r.pil_mode} ${r.orig_wh!.join('x')})`, async () => {
      const p = await imageToPatches(Buffer.from(r.b64, 'base64'));
      expect([p.format, p.mode]).toEqual([r.pil_format, r.pil_mode]);
      expect([p.width, p.height]).toEqual(r.orig_wh);
      expect([p.newWidth, p.newHeight]).toEqual(r.resized_wh);
      expect([p.rows, p.cols]).toEqual(r.grid_hw);
      expect(p.patches.length).toBe(r.n_patches! * 3072);
      expect(sha(p.patches)).toBe(r.sha256_f16);
    });
  }
  for (const r of dev.filter((x) => x.error)) {
    it(`line ${r.line} ${r.case} is rejected like the reference (${r.error})`, async () => {
      const err = await imageToPatches(Buffer.from(r.b64, 'base64')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect((err as ImageDecodeError).reason).toBe('truncated');
      expect((err as Error).message).toMatch(/image file is truncated/);
    });
  }
});

describe('raw_patches stages (decoded, resized, patches)', () => {
  const staged = dev.filter((r) => r.stages);
  it('covers the 14 raw_patches cases', () => {
    expect(staged.length).toBe(14);
  });
  for (const r of staged) {
    it(r.case, async () => {
      const img = await decodeImage(Buffer.from(r.b64, 'base64'));
      const st = r.stages!;
      expect([img.height, img.width, 3]).toEqual(st['decoded.rgb']!.shape);
      expect(sha(img.data)).toBe(st['decoded.rgb']!.sha256);
      const t = soloTargetSize(img.width, img.height);
      const resized = resizeBilinear(img.data, img.width, img.height, t.width, t.height);
      expect([t.height, t.width, 3]).toEqual(st['resized.rgb']!.shape);
      expect(sha(resized)).toBe(st['resized.rgb']!.sha256);
      const n = (t.width / 32) * (t.height / 32);
      const out = new Uint16Array(n * 3072 + 10);
      expect(patchifyInto(resized, t.width, t.height, out, 5)).toBe(n);
      expect(sha(out.subarray(5, 5 + n * 3072))).toBe(st['patches.f16']!.sha256);
    });
  }
});

describe('edge set images (reference pack hashes)', () => {
  const edge = JSON.parse(readFileSync(new URL('edge-images.json', FIX), 'utf8')) as { images: string[]; packs: { images: number[]; sha256: string }[] };
  for (const pack of edge.packs) {
    it(`images ${pack.images.join('+')}`, async () => {
      const parts = await Promise.all(pack.images.map((i) => imageToPatches(Buffer.from(edge.images[i]!, 'base64'))));
      const h = createHash('sha256');
      for (const p of parts) h.update(new Uint8Array(p.patches.buffer, p.patches.byteOffset, p.patches.byteLength));
      expect(h.digest('hex')).toBe(pack.sha256);
    });
  }
});
