/** Small self-contained SVG charts (histograms, line series) for reports: no charting dependency needed. */

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export { esc as escapeHtml };

function niceNumber(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (Number.isInteger(v)) return String(v);
  return v.toPrecision(3);
}

/** Histogram of values into `bins` equal-width bins. */
export function histogramSvg(title: string, values: number[], opts: { bins?: number; width?: number; height?: number; xLabel?: string } = {}): string {
  const W = opts.width ?? 420;
  const H = opts.height ?? 220;
  const pad = { l: 44, r: 10, t: 26, b: 36 };
  const body = [`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`];
  if (values.length === 0) {
    body.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="12">no data</text>`);
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const bins = Math.max(1, Math.min(opts.bins ?? 20, hi - lo + 1 > 0 && Number.isInteger(lo) && Number.isInteger(hi) ? hi - lo + 1 : (opts.bins ?? 20)));
    const width = hi > lo ? (hi - lo) / bins : 1;
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
    const maxC = Math.max(...counts);
    const pw = W - pad.l - pad.r;
    const ph = H - pad.t - pad.b;
    const bw = pw / bins;
    counts.forEach((c, i) => {
      const h = maxC ? (c / maxC) * ph : 0;
      body.push(`<rect class="bar" x="${(pad.l + i * bw + 0.5).toFixed(1)}" y="${(pad.t + ph - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a78b5"><title>${niceNumber(lo + i * width)}–${niceNumber(lo + (i + 1) * width)}: ${c}</title></rect>`);
    });
    body.push(`<line x1="${pad.l}" y1="${pad.t + ph}" x2="${W - pad.r}" y2="${pad.t + ph}" stroke="#333"/>`);
    body.push(`<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${pad.t + ph}" stroke="#333"/>`);
    body.push(`<text x="${pad.l}" y="${H - 20}" font-size="10" text-anchor="start">${niceNumber(lo)}</text>`);
    body.push(`<text x="${W - pad.r}" y="${H - 20}" font-size="10" text-anchor="end">${niceNumber(hi)}</text>`);
    body.push(`<text x="${pad.l - 4}" y="${pad.t + 8}" font-size="10" text-anchor="end">${maxC}</text>`);
    body.push(`<text x="${pad.l - 4}" y="${pad.t + ph}" font-size="10" text-anchor="end">0</text>`);
    if (opts.xLabel) body.push(`<text x="${pad.l + pw / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  }
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${body.join('')}</svg>`;
}

/** Line chart of one or more series sharing the x axis. */
export function lineChartSvg(title: string, xs: number[], series: { name: string; ys: number[]; colour?: string }[], opts: { width?: number; height?: number; xLabel?: string; logY?: boolean } = {}): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 300;
  const pad = { l: 60, r: 16, t: 28, b: 40 };
  const pw = W - pad.l - pad.r;
  const ph = H - pad.t - pad.b;
  const body = [`<rect width="100%" height="100%" fill="#ffffff"/>`, `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`];
  const tf = (v: number) => (opts.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const all = series.flatMap((s) => s.ys.filter((v) => Number.isFinite(v)).map(tf));
  if (xs.length === 0 || all.length === 0) {
    body.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="12">no data</text>`);
  } else {
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    const y0 = Math.min(...all);
    const y1 = Math.max(...all);
    const sx = (x: number) => pad.l + (x1 > x0 ? ((x - x0) / (x1 - x0)) * pw : pw / 2);
    const sy = (y: number) => pad.t + ph - (y1 > y0 ? ((tf(y) - y0) / (y1 - y0)) * ph : ph / 2);
    body.push(`<line x1="${pad.l}" y1="${pad.t + ph}" x2="${W - pad.r}" y2="${pad.t + ph}" stroke="#333"/>`);
    body.push(`<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${pad.t + ph}" stroke="#333"/>`);
    const fmtY = (v: number) => niceNumber(opts.logY ? 10 ** v : v);
    body.push(`<text x="${pad.l - 4}" y="${pad.t + 8}" font-size="10" text-anchor="end">${fmtY(y1)}</text>`);
    body.push(`<text x="${pad.l - 4}" y="${pad.t + ph}" font-size="10" text-anchor="end">${fmtY(y0)}</text>`);
    body.push(`<text x="${pad.l}" y="${H - 24}" font-size="10">${niceNumber(x0)}</text>`);
    body.push(`<text x="${W - pad.r}" y="${H - 24}" font-size="10" text-anchor="end">${niceNumber(x1)}</text>`);
    if (opts.xLabel) body.push(`<text x="${pad.l + pw / 2}" y="${H - 8}" font-size="11" text-anchor="middle">${esc(opts.xLabel)}</text>`);
    const palette = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e'];
    series.forEach((s, k) => {
      const pts: string[] = [];
      s.ys.forEach((y, i) => {
        if (Number.isFinite(y) && i < xs.length) pts.push(`${sx(xs[i]!).toFixed(1)},${sy(y).toFixed(1)}`);
      });
      const colour = s.colour ?? palette[k % palette.length]!;
      body.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
      body.push(`<text x="${W - pad.r - 4}" y="${pad.t + 14 + 14 * k}" font-size="11" text-anchor="end" fill="${colour}">${esc(s.name)}</text>`);
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${body.join('')}</svg>`;
}
