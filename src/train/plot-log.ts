/**
 * Loss and learning-rate curves of a training log as SVG (hand-rendered: two stacked panels,
 * axes with ticks, one polyline per loss series, red marks at skipped iterations and crashes),
 * and as PNG through sharp, which rasterises SVG.
 */
import sharp from 'sharp';
import type { TrainLog } from './parse-log.js';

export interface PlotOptions {
  width?: number;
  height?: number;
  title?: string;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

interface Series { name: string; xs: number[]; ys: number[]; color: string }

function panel(x0: number, y0: number, w: number, h: number, title: string, series: Series[], marks: { x: number; color: string }[], xRange: [number, number]): string {
  const all = series.flatMap((s) => s.ys).filter(Number.isFinite);
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi === lo) (hi += Math.abs(hi) * 0.05 || 1), (lo -= Math.abs(lo) * 0.05 || 0);
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const [xl, xh] = xRange;
  const px = (x: number) => x0 + ((x - xl) / (xh - xl || 1)) * w;
  const py = (y: number) => y0 + h - ((y - lo) / (hi - lo)) * h;
  const o: string[] = [];
  o.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="#ffffff" stroke="#333333"/>`);
  o.push(`<text x="${x0 + w / 2}" y="${y0 - 8}" text-anchor="middle" font-family="sans-serif" font-size="14">${esc(title)}</text>`);
  for (const t of ticks(lo, hi)) {
    const y = py(t).toFixed(1);
    o.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    o.push(`<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-family="sans-serif" font-size="11">${fmtTick(t)}</text>`);
  }
  for (const t of ticks(xl, xh)) {
    const x = px(t).toFixed(1);
    o.push(`<line x1="${x}" x2="${x}" y1="${y0 + h}" y2="${y0 + h + 4}" stroke="#333333"/>`);
    o.push(`<text x="${x}" y="${y0 + h + 16}" text-anchor="middle" font-family="sans-serif" font-size="11">${fmtTick(t)}</text>`);
  }
  for (const m of marks) {
    const x = px(m.x).toFixed(1);
    o.push(`<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + h}" stroke="${m.color}" stroke-dasharray="3,3"/>`);
  }
  series.forEach((s, i) => {
    const pts = s.xs.map((x, j) => [x, s.ys[j]!] as const).filter(([, y]) => Number.isFinite(y));
    if (pts.length) o.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    o.push(`<text x="${x0 + w - 8}" y="${y0 + 16 + i * 14}" text-anchor="end" font-family="sans-serif" font-size="11" fill="${s.color}">${esc(s.name)}</text>`);
  });
  return o.join('\n');
}

export function renderTrainLogSvg(log: TrainLog, opts: PlotOptions = {}): string {
  const W = opts.width ?? 900;
  const H = opts.height ?? 640;
  const xs = log.points.map((p) => p.iteration);
  const xRange: [number, number] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const marks = [
    ...log.skippedIterations.map((x) => ({ x, color: '#d62728' })),
    ...log.crashes.filter((c) => c.afterIteration !== undefined).map((c) => ({ x: c.afterIteration!, color: '#000000' })),
  ];
  const lossSeries: Series[] = log.lossKeys.map((k, i) => ({ name: k, xs, ys: log.points.map((p) => p.losses[k] ?? NaN), color: COLORS[i % COLORS.length]! }));
  const lrSeries: Series[] = [{ name: 'learning rate', xs, ys: log.points.map((p) => p.lr ?? NaN), color: COLORS[0]! }];
  const left = 80, right = 20, top = 50, gap = 70, bottom = 40;
  const ph = (H - top - gap - bottom) / 2;
  const pw = W - left - right;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="#fafafa"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold">${esc(opts.title ?? 'training log')}</text>`,
    panel(left, top, pw, ph, 'loss', lossSeries, marks, xRange),
    panel(left, top + ph + gap, pw, ph, 'learning rate', lrSeries, marks, xRange),
    `<text x="${left + pw / 2}" y="${H - 6}" text-anchor="middle" font-family="sans-serif" font-size="12">iteration</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** Rasterise the SVG to PNG at its own size. */
export async function svgToPng(svg: string, outPath: string): Promise<{ width: number; height: number }> {
  const info = await sharp(Buffer.from(svg)).png().toFile(outPath);
  return { width: info.width, height: info.height };
}
