/**
 * Self-contained HTML report of a SOLO dataset prefix: stats, histograms (tokens per pack, images
 * per pack, patches per image, image sizes) and a gallery of sample packs with their rebuilt images
 * (inline PNG data URLs) and decoded text. One file, no external assets.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { ProgressFn } from '../progress.js';
import { escapeHtml as esc, histogramSvg } from './charts.js';
import type { InspectTokenizer } from './decode-pack.js';
import { decodePack } from './decode-pack.js';
import { inspectItem, openSoloDataset, readDatasetStats, readPackStatsLines } from './dataset.js';

export interface DatasetReportOptions {
  prefix: string;
  tokenizer: InspectTokenizer;
  out: string;
  /** Packs shown in the gallery (default 6). */
  samples?: number;
  /** Packs scanned for the histograms (default: all, up to 20,000). */
  scan?: number;
  onProgress?: ProgressFn;
}

export interface DatasetReportSummary {
  out: string;
  packs: number;
  tokens: number;
  visionTokens: number;
  textTokens: number;
  images: number;
  galleryImages: number;
  problems: number;
}

async function pngDataUrl(rgb: Uint8Array, width: number, height: number): Promise<string> {
  const png = await sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

export async function writeDatasetReport(opts: DatasetReportOptions): Promise<DatasetReportSummary> {
  const files = openSoloDataset(opts.prefix);
  try {
    const n = files.text.length;
    const scan = Math.min(n, opts.scan ?? 20_000);
    const tokensPerPack: number[] = [];
    const imagesPerPack: number[] = [];
    const patchesPerImage: number[] = [];
    const imageWidths: number[] = [];
    const imageHeights: number[] = [];
    let tokens = 0;
    let visionTokens = 0;
    let images = 0;
    let problems = 0;
    for (let i = 0; i < scan; i++) {
      const t = files.text.item(i) as ArrayLike<number>;
      const r = files.role.item(i) as ArrayLike<number>;
      const x = files.indices.item(i) as ArrayLike<number>;
      const nPatches = files.patches.sizes[i]! / 3072;
      const d = decodePack(t, r, x, nPatches, opts.tokenizer);
      tokensPerPack.push(t.length);
      imagesPerPack.push(d.images.length);
      tokens += t.length;
      for (let k = 0; k < r.length; k++) if (r[k] === 3) visionTokens++;
      for (const img of d.images) {
        patchesPerImage.push(img.rows * img.cols);
        imageWidths.push(img.cols * 32);
        imageHeights.push(img.rows * 32);
      }
      images += d.images.length;
      problems += d.problems.length;
      opts.onProgress?.({ stage: 'scan', done: i + 1, total: scan, unit: 'packs' });
    }
    const stats = readDatasetStats(opts.prefix);
    const packStats = readPackStatsLines(opts.prefix);
    const gallery: string[] = [];
    let galleryImages = 0;
    for (let i = 0; i < Math.min(n, opts.samples ?? 6); i++) {
      const item = await inspectItem(files, i, opts.tokenizer);
      const imgs: string[] = [];
      for (const im of item.rebuilt) {
        imgs.push(`<figure><img src="${await pngDataUrl(im.rgb, im.width, im.height)}" width="${im.width}" height="${im.height}" alt="pack ${i} image"><figcaption>${im.cols}×${im.rows} patches (${im.width}×${im.height} px)</figcaption></figure>`);
        galleryImages++;
      }
      const docs = item.documents
        .map((d, k) => `<div class="doc"><div class="dochead">document ${k + 1}: ${d.tokens} tokens, ${d.images.length} image(s)</div>${d.spans.map((s) => `<span class="role role-${esc(s.roleName)}" title="${esc(s.roleName)} [${s.start}, ${s.end})">${esc(s.text)}</span>`).join('')}</div>`)
        .join('');
      const warn = item.problems.length ? `<div class="problems">${item.problems.map(esc).join('<br>')}</div>` : '';
      gallery.push(`<section class="pack"><h3>pack ${i}: ${item.tokens} tokens, ${item.images.length} image(s), ${item.nPatches} patch(es)${item.dummyPatch ? ' (dummy zero patch)' : ''}</h3>${warn}<div class="images">${imgs.join('')}</div>${docs}</section>`);
    }
    const statRows = stats ? Object.entries(stats).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(JSON.stringify(v))}</td></tr>`).join('') : '<tr><td colspan="2">no _stats.json</td></tr>';
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>solo dataset report: ${esc(opts.prefix)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px} h2{font-size:18px;margin-top:28px} h3{font-size:15px}
table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.pack{border:1px solid #ddd;border-radius:6px;padding:10px;margin:12px 0}
.images{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end}
figure{margin:0} figcaption{font-size:11px;color:#666}
img{image-rendering:pixelated;border:1px solid #999;max-width:512px;height:auto}
.doc{margin-top:8px;font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap;word-break:break-word}
.dochead{font-family:system-ui,sans-serif;color:#666;font-size:12px}
.role{border-radius:3px;padding:0 1px}
.role-assistant{background:#e6f0ff} .role-user{background:#fff2d9} .role-system{background:#eee}
.problems{color:#b00;font-size:12px}
</style></head><body>
<h1>solo dataset report</h1>
<p><code>${esc(opts.prefix)}</code></p>
<h2>Summary</h2>
<table>
<tr><th>packs</th><td>${n}</td></tr>
<tr><th>tokens (scanned ${scan} packs)</th><td>${tokens}</td></tr>
<tr><th>vision tokens (&lt;vpatch&gt;)</th><td>${visionTokens}</td></tr>
<tr><th>text and layout tokens</th><td>${tokens - visionTokens}</td></tr>
<tr><th>images</th><td>${images}</td></tr>
<tr><th>layout problems</th><td>${problems}</td></tr>
<tr><th>per-pack stats lines (.jsonl)</th><td>${packStats.length}</td></tr>
</table>
<h2>_stats.json</h2><table>${statRows}</table>
<h2>Distributions</h2>
<div class="charts">
${histogramSvg('tokens per pack', tokensPerPack, { xLabel: 'tokens' })}
${histogramSvg('images per pack', imagesPerPack, { xLabel: 'images' })}
${histogramSvg('patches per image', patchesPerImage, { xLabel: 'patches' })}
${histogramSvg('image width (px, after resize)', imageWidths, { xLabel: 'width' })}
${histogramSvg('image height (px, after resize)', imageHeights, { xLabel: 'height' })}
</div>
<h2>Sample packs</h2>
${gallery.join('\n')}
</body></html>
`;
    await mkdir(dirname(opts.out), { recursive: true });
    const tmp = `${opts.out}.tmp-${process.pid}`;
    await writeFile(tmp, html);
    await rename(tmp, opts.out);
    return { out: opts.out, packs: n, tokens, visionTokens, textTokens: tokens - visionTokens, images, galleryImages, problems };
  } finally {
    files.close();
  }
}
