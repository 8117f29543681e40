// The HTML dataset report in a real browser (Debian chromium, headless, via playwright-core):
// every gallery image decodes (naturalWidth > 0, at the size the patch grid implies), every
// chart renders with bars of non-zero size, nothing is fetched from outside the file, and a
// screenshot is taken. With SOLO_WRITE_SCREENSHOT=1 it also rewrites docs/report-screenshot.png
// (the README picture) from the full demo's report.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDemo, type DemoResult } from '../../src/demo/index.js';
import { describeBrowser, launchBrowser } from '../helpers/browser.js';

const ROOT = join(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'solo-report-browser-'));

// The few DOM types the page functions use (the project compiles without lib.dom; these
// functions are serialised and run in the browser).
interface MiniRect { width: number; height: number }
interface MiniElement { getBoundingClientRect(): MiniRect; querySelectorAll(sel: string): Iterable<MiniElement> }
interface MiniImage extends MiniElement { naturalWidth: number; naturalHeight: number; complete: boolean; decode(): Promise<void> }
interface MiniDocument { images: Iterable<MiniImage>; querySelectorAll(sel: string): Iterable<MiniElement> }

interface PageFacts {
  images: { naturalWidth: number; naturalHeight: number; complete: boolean; width: number }[];
  charts: { width: number; height: number; bars: { width: number; height: number }[] }[];
  external: string[];
}

async function examine(reportPath: string, screenshot: string, clip?: { width: number; height: number }): Promise<PageFacts> {
  const { context, profile } = await launchBrowser();
  try {
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.setViewportSize({ width: clip?.width ?? 1280, height: clip?.height ?? 900 });
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });
    // decode() settles once every image is decoded (rejects on a broken one)
    await page.evaluate(() => Promise.all([...(globalThis as unknown as { document: MiniDocument }).document.images].map((im) => im.decode())));
    const facts = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: MiniDocument }).document;
      return {
        images: [...doc.images].map((im) => ({ naturalWidth: im.naturalWidth, naturalHeight: im.naturalHeight, complete: im.complete, width: im.getBoundingClientRect().width })),
        charts: [...doc.querySelectorAll('svg.chart')].map((svg) => {
          const b = svg.getBoundingClientRect();
          return { width: b.width, height: b.height, bars: [...svg.querySelectorAll('rect.bar')].map((r) => ({ width: r.getBoundingClientRect().width, height: r.getBoundingClientRect().height })) };
        }),
      };
    });
    if (clip) {
      // the README picture: from the charts down into the first gallery pack
      const top = (await page.locator('h2', { hasText: 'Distributions' }).boundingBox())!.y - 8;
      await page.screenshot({ path: screenshot, fullPage: true, clip: { x: 0, y: top, width: clip.width, height: clip.height } });
    } else await page.screenshot({ path: screenshot, fullPage: true });
    return { ...facts, external: requests };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describeBrowser('HTML report in chromium', () => {
  let demo: DemoResult;
  beforeAll(async () => {
    demo = await runDemo({ dir: join(root, 'demo'), small: true, workers: 1 });
    expect(demo.failed).toEqual([]);
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('loads every gallery image and renders every chart with bars', async () => {
    const shot = join(root, 'report.png');
    const f = await examine(demo.paths.report, shot);
    const html = readFileSync(demo.paths.report, 'utf8');
    const declared = [...html.matchAll(/<img src="data:image\/png;base64,[^"]+" width="(\d+)" height="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(declared.length).toBeGreaterThan(0);
    expect(f.images.length).toBe(declared.length);
    f.images.forEach((im, i) => {
      expect(im.complete).toBe(true);
      expect(im.naturalWidth).toBeGreaterThan(0);
      // the rebuilt picture is exactly the patch grid's size (32 px per patch)
      expect([im.naturalWidth, im.naturalHeight]).toEqual(declared[i]);
      expect(im.naturalWidth % 32).toBe(0);
      expect(im.naturalHeight % 32).toBe(0);
    });
    expect(f.charts.length).toBe(5);
    for (const c of f.charts) {
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(50);
      expect(c.bars.length).toBeGreaterThan(0);
      expect(c.bars.some((b) => b.width > 0 && b.height > 0)).toBe(true);
    }
    expect(f.external).toEqual([]);
    const meta = await sharp(shot).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(1280);
    expect(meta.height).toBeGreaterThan(900);
    const stats = await sharp(shot).stats();
    expect(stats.channels.some((ch) => ch.stdev > 10)).toBe(true); // not a blank page
  }, 60_000);

  it.runIf(process.env.SOLO_WRITE_SCREENSHOT === '1')('rewrites docs/report-screenshot.png from the full demo', async () => {
    const full = await runDemo({ dir: join(root, 'full'), workers: 2 });
    expect(full.failed).toEqual([]);
    const raw = join(root, 'full-shot.png');
    await examine(full.paths.report, raw, { width: 1100, height: 1400 });
    const out = join(ROOT, 'docs', 'report-screenshot.png');
    const png = await sharp(raw).resize({ width: 880 }).png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 }).toBuffer();
    writeFileSync(out, png);
    expect(statSync(out).size).toBeLessThan(300_000);
  }, 120_000);

  it('the committed README screenshot is a small PNG', async () => {
    const p = join(ROOT, 'docs', 'report-screenshot.png');
    expect(existsSync(p)).toBe(true);
    expect(statSync(p).size).toBeLessThan(300_000);
    expect((await sharp(p).metadata()).format).toBe('png');
  });
});
