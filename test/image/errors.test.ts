/**
 * Bad inputs give a specific ImageDecodeError (never a crash or a hang): empty, non-image,
 * formats Pillow would not open (AVIF, SVG, …), truncated and corrupt data of every format,
 * oversized images (decompression-bomb guard, checked from the header before decoding) and
 * zero-size targets.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, imageToPatches, type ImageErrorReason } from '../../src/image/index.js';

async function reason(p: Promise<unknown>): Promise<ImageErrorReason | string> {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    if (e instanceof ImageDecodeError) return e.reason;
    return `non-ImageDecodeError: ${String(e)}`;
  }
}

const crcTable = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
function crc32(b: Uint8Array): number {
  let c = -1;
  for (const x of b) c = crcTable[(c ^ x) & 255]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const t = Buffer.from(type, 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([t, data])));
  return Buffer.concat([len, t, data, crc]);
}
/** A PNG header claiming w×h with a tiny (wrong) IDAT: enough to test header-based limits. */
function pngHeaderOnly(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(10))), chunk('IEND', new Uint8Array(0))]);
}

let jpeg: Buffer;
let png: Buffer;
let webp: Buffer;
beforeAll(async () => {
  const raw = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) & 255;
  const s = () => sharp(raw, { raw: { width: 64, height: 48, channels: 3 } });
  jpeg = await s().jpeg({ quality: 90 }).toBuffer();
  png = await s().png().toBuffer();
  webp = await s().webp().toBuffer();
});

describe('bad inputs give specific errors', () => {
  it('empty', async () => {
    expect(await reason(decodeImage(new Uint8Array(0)))).toBe('empty');
  });
  it('non-image and unsupported formats', async () => {
    const cases: [string, Uint8Array][] = [
      ['text', Buffer.from('hello world, not an image')],
      ['json', Buffer.from('{"a":1}')],
      ['svg', Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
      ['svg2', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')],
      ['avif', Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from('ftypavif'), Buffer.alloc(40)])],
      ['heic', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(40)])],
      ['jxl', Buffer.from([0xff, 0x0a, 1, 2, 3, 4])],
      ['pdf', Buffer.from('%PDF-1.4\n')],
      ['zeros', Buffer.alloc(100)],
      ['one byte', Buffer.from([0xff])],
    ];
    for (const [name, b] of cases) {
      expect([name, await reason(decodeImage(b))]).toEqual([name, 'unsupported-format']);
    }
    const err = await decodeImage(Buffer.from('<svg xmlns="x"/>')).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/SVG/);
  });
  it('truncated JPEG / PNG / WebP at many cut points', async () => {
    for (const [name, b] of [['jpeg', jpeg], ['png', png], ['webp', webp]] as const) {
      for (const frac of [0.1, 0.3, 0.5, 0.7, 0.9, 0.95]) {
        const cut = b.subarray(0, Math.floor(b.length * frac));
        const r = await reason(decodeImage(cut));
        expect(['truncated', 'corrupt'], `${name} cut at ${frac}: ${r}`).toContain(r);
      }
    }
    // JPEG missing only its EOI marker: Pillow calls it truncated.
    expect(await reason(decodeImage(jpeg.subarray(0, jpeg.length - 2)))).toBe('truncated');
    // A PNG cut inside IEND only (all IDAT data present) is accepted by Pillow too.
    expect(await reason(decodeImage(png.subarray(0, png.length - 6)))).toBe('accepted');
    // Cut inside the IDAT CRC (all scanlines present): Pillow accepts it, with the full pixels.
    const idatEnd = png.indexOf(Buffer.from('IEND')) - 4;
    const full = await decodeImage(png);
    const cutCrc = await decodeImage(png.subarray(0, idatEnd - 2));
    expect(Buffer.from(cutCrc.data).equals(Buffer.from(full.data))).toBe(true);
    // Trailing garbage after a complete image is accepted (as by Pillow).
    expect(await reason(decodeImage(Buffer.concat([jpeg, Buffer.from('garbage')])))).toBe('accepted');
    expect(await reason(decodeImage(Buffer.concat([png, Buffer.from('garbage')])))).toBe('accepted');
  });
  it('corrupt data', async () => {
    const bad = Buffer.from(png);
    for (let i = 60; i < bad.length - 20; i += 7) bad[i] ^= 0x5a; // IDAT garbage (CRC mismatch)
    expect(['corrupt', 'truncated']).toContain(await reason(decodeImage(bad)));
    const j = Buffer.from(jpeg);
    for (let i = 0; i < 40; i++) j[j.length - 200 + i] = 0xff; // markers in the scan
    expect(['corrupt', 'truncated', 'accepted']).toContain(await reason(decodeImage(j)));
    // GIF / BMP headers that stop early.
    expect(await reason(decodeImage(Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00', 'latin1')))).toBe('truncated');
    expect(await reason(decodeImage(Buffer.from('BM\x00\x00', 'latin1')))).toBe('truncated');
    const bmp = Buffer.alloc(54);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(56, 14); // header size 56: Pillow rejects it
    expect(await reason(decodeImage(bmp))).toBe('unsupported-format');
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(100, 18);
    bmp.writeInt32LE(100, 22);
    bmp.writeUInt16LE(24, 28);
    expect(await reason(decodeImage(bmp))).toBe('truncated'); // no pixel data
  });
  it('oversized images are refused from the header (decompression-bomb guard), limit configurable', async () => {
    const t0 = Date.now();
    expect(await reason(decodeImage(pngHeaderOnly(20000, 10000)))).toBe('too-large');
    expect(await reason(decodeImage(pngHeaderOnly(1_000_000, 1_000_000)))).toBe('too-large');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await reason(decodeImage(jpeg, { maxPixels: 64 * 48 - 1 }))).toBe('too-large');
    expect(await reason(decodeImage(jpeg, { maxPixels: 64 * 48 }))).toBe('accepted');
    expect(await reason(decodeImage(png, { maxPixels: 100 }))).toBe('too-large');
    expect(await reason(decodeImage(webp, { maxPixels: 100 }))).toBe('too-large');
    const gif = Buffer.from('GIF89a\xff\xff\xff\xff\x00\x00\x00', 'latin1');
    expect(await reason(decodeImage(gif, { maxPixels: 1000 }))).toBe('too-large');
  });
  it('a zero-size target (aspect ratio over 1024:1) is invalid-size', async () => {
    const wide = await sharp(Buffer.alloc(2100 * 3), { raw: { width: 2100, height: 1, channels: 3 } }).png().toBuffer();
    expect(await reason(imageToPatches(wide))).toBe('invalid-size');
  });
});

describe('mutation fuzz: only ImageDecodeError or success, never a crash or hang', () => {
  it('300 mutated JPEG/PNG/WebP/GIF/BMP files', async () => {
    const raw = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 13) & 255;
    const s = () => sharp(raw, { raw: { width: 40, height: 30, channels: 3 } });
    const gif = await s().gif().toBuffer();
    const bases = [await s().jpeg().toBuffer(), await s().png().toBuffer(), await s().webp().toBuffer(), gif];
    // A 24-bit BMP written by hand.
    const stride = 40 * 3;
    const bmp = Buffer.alloc(54 + stride * 30);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(40, 18);
    bmp.writeInt32LE(30, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    raw.copy(bmp, 54);
    bases.push(bmp);
    expect(await reason(decodeImage(bmp))).toBe('accepted');
    expect(await reason(decodeImage(gif))).toBe('accepted');
    let seed = 99;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const t0 = Date.now();
    for (let t = 0; t < 300; t++) {
      const b = Buffer.from(bases[t % bases.length]!);
      const hits = 1 + rnd(6);
      for (let i = 0; i < hits; i++) b[rnd(Math.min(b.length, t % 2 ? 64 : b.length))] = rnd(256);
      const r = await reason(imageToPatches(b.subarray(0, t % 5 === 0 ? rnd(b.length) : b.length)));
      expect(r.startsWith('non-ImageDecodeError'), r).toBe(false);
    }
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});
