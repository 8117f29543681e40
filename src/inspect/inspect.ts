/**
 * `solo inspect <path>`: a dataset prefix (decode items, rebuild images, optional HTML report) or a
 * checkpoint / HF directory / .pt / .safetensors (delegates to the model toolkit's `modelInfo`).
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { ProgressFn } from '../progress.js';
import { modelInfo, formatModelInfo } from '../model/index.js';
import type { ModelInfo } from '../model/index.js';
import type { InspectedItem } from './dataset.js';
import { inspectItem, isDatasetPrefix, openSoloDataset, readDatasetStats } from './dataset.js';
import type { DatasetReportSummary } from './report.js';
import { writeDatasetReport } from './report.js';
import { loadInspectTokenizer } from './tokenizer.js';

export interface InspectOptions {
  path: string;
  /** Items to decode (default: [0]). */
  items?: number[];
  /** Write rebuilt images as PNG here. */
  outDir?: string;
  /** Write a self-contained HTML report here (datasets). */
  html?: string;
  tokenizer?: string;
  /** Gallery size of the HTML report. */
  samples?: number;
  iteration?: number | 'release';
  onProgress?: ProgressFn;
}

export type InspectResult =
  | { kind: 'dataset'; prefix: string; packs: number; stats?: Record<string, unknown>; items: InspectedItem[]; report?: DatasetReportSummary; text: string }
  | { kind: 'model'; info: ModelInfo; text: string };

function describeItem(it: InspectedItem): string {
  const lines = [`item ${it.index}: ${it.tokens} tokens, ${it.documents.length} document(s), ${it.images.length} image(s), ${it.nPatches} patch(es)${it.dummyPatch ? ' (dummy zero patch: text-only pack)' : ''}`];
  for (const [k, d] of it.documents.entries()) {
    lines.push(`  document ${k + 1} (${d.tokens} tokens)`);
    for (const s of d.spans) {
      const text = s.text.length > 400 ? `${s.text.slice(0, 400)}… (${s.text.length} chars)` : s.text;
      lines.push(`    [${s.roleName} ${s.start}-${s.end}] ${JSON.stringify(text)}`);
    }
  }
  for (const [k, img] of it.images.entries()) {
    const png = it.rebuilt.find((r) => r.rows === img.rows && r.cols === img.cols)?.png;
    lines.push(`  image ${k}: ${img.cols}x${img.rows} patches → ${img.cols * 32}x${img.rows * 32} px, patches ${img.firstPatch}..${img.firstPatch + img.rows * img.cols - 1}${png ? `, ${png}` : ''}${img.problems.length ? `\n    PROBLEMS: ${img.problems.join('; ')}` : ''}`);
  }
  return lines.join('\n');
}

export async function inspectPath(opts: InspectOptions): Promise<InspectResult> {
  const p = opts.path;
  if (isDatasetPrefix(p)) {
    const tok = await loadInspectTokenizer(p, opts.tokenizer);
    const files = openSoloDataset(p);
    const items: InspectedItem[] = [];
    let packs: number;
    try {
      packs = files.text.length;
      for (const i of opts.items ?? [0]) items.push(await inspectItem(files, i, tok, opts.outDir));
    } finally {
      files.close();
    }
    const report = opts.html ? await writeDatasetReport({ prefix: p, tokenizer: tok, out: opts.html, samples: opts.samples, onProgress: opts.onProgress }) : undefined;
    const stats = readDatasetStats(p);
    const text = [`dataset ${p}: ${packs} pack(s)`, ...items.map(describeItem), report ? `report: ${report.out}` : ''].filter(Boolean).join('\n');
    return { kind: 'dataset', prefix: p, packs, stats, items, report, text };
  }
  if (existsSync(p)) {
    const info = await modelInfo(p, { iteration: opts.iteration });
    return { kind: 'model', info, text: formatModelInfo(info) };
  }
  throw new UsageError(`${p}: neither a dataset prefix (no ${p}-text.idx) nor a checkpoint path`);
}
