/**
 * Streaming safetensors writer, byte-identical to Python safetensors' `serialize` (0.4.x):
 * header `{"__metadata__":{…},"name":{"dtype","shape","data_offsets"},…}` compact JSON, tensors
 * ordered by dtype descending (safetensors' enum order) then name ascending, header padded with
 * spaces to a multiple of 8. The header is sized up front from the tensor list; tensor bytes are
 * then fetched and appended one at a time (the next one is fetched while the current one is written,
 * so at most two are in memory); the file is written under a temp name and renamed.
 *
 * Sharded writing (`writeSafetensorsShards`) follows transformers' `save_pretrained`: walk the
 * tensors in model order, start a new shard when the current one is non-empty and would exceed
 * `maxShardSize`; files `model-0000k-of-0000n.safetensors` + `model.safetensors.index.json`
 * (`json.dumps(indent=2, sort_keys=True)`), or a single `model.safetensors` when one shard suffices.
 */
import { open, rename, rm } from 'node:fs/promises';
import { join, dirname, basename } from 'node:path';
import { SoloError } from '../../errors.js';
import type { ProgressFn } from '../../progress.js';
import { SAFETENSORS_DTYPE_ORDER, SAFETENSORS_ITEMSIZE, type SafetensorsDType } from './dtypes.js';

export interface SafetensorsTensorSource {
  name: string;
  dtype: SafetensorsDType;
  shape: readonly number[];
  /** Produces the row-major LE bytes; called once, when the tensor is written. */
  data: () => Uint8Array | Promise<Uint8Array>;
}

export interface WriteSafetensorsOptions {
  /** `__metadata__` (default `{format: 'pt'}` as transformers writes; `null` for none). */
  metadata?: Record<string, string> | null;
  onProgress?: ProgressFn;
  /** Progress offset: bytes/tensors written before this file (for multi-file totals). */
  progressBase?: { done: number; bytes: number; total: number; totalBytes: number };
}

function nbytesOf(t: { dtype: SafetensorsDType; shape: readonly number[] }): number {
  return t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_ITEMSIZE[t.dtype];
}

/** The serializer's order: dtype descending (enum order), then name ascending (bytewise). */
export function safetensorsOrder<T extends { name: string; dtype: SafetensorsDType }>(tensors: readonly T[]): T[] {
  const rank = (d: SafetensorsDType) => SAFETENSORS_DTYPE_ORDER.indexOf(d);
  return [...tensors].sort((a, b) => rank(b.dtype) - rank(a.dtype) || (Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))));
}

/** Builds the padded header bytes for tensors already in file order. */
export function safetensorsHeader(ordered: readonly { name: string; dtype: SafetensorsDType; shape: readonly number[] }[], metadata: Record<string, string> | null): Buffer {
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let off = 0;
  for (const t of ordered) {
    const n = nbytesOf(t);
    parts.push(`${JSON.stringify(t.name)}:{"dtype":${JSON.stringify(t.dtype)},"shape":[${t.shape.join(',')}],"data_offsets":[${off},${off + n}]}`);
    off += n;
  }
  let json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json]);
}

export interface WriteSafetensorsResult {
  path: string;
  bytes: number;
  tensors: number;
}

/** Writes one safetensors file atomically; tensors are reordered as the Python serializer does. */
export async function writeSafetensors(path: string, tensors: readonly SafetensorsTensorSource[], opts: WriteSafetensorsOptions = {}): Promise<WriteSafetensorsResult> {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new SoloError(`safetensors: duplicate tensor name ${t.name}`);
    if (t.name === '__metadata__') throw new SoloError('safetensors: a tensor cannot be named __metadata__');
    names.add(t.name);
  }
  const metadata = opts.metadata === undefined ? { format: 'pt' } : opts.metadata;
  const ordered = safetensorsOrder(tensors);
  const header = safetensorsHeader(ordered, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fh = await open(tmp, 'w');
  let pos = 0;
  const base = opts.progressBase ?? { done: 0, bytes: 0, total: ordered.length, totalBytes: ordered.reduce((a, t) => a + nbytesOf(t), 0) };
  try {
    await fh.write(header, 0, header.length, 0);
    pos = header.length;
    let done = 0;
    let bytes = 0;
    // read-ahead of one tensor: the next tensor is produced while this one is written
    let next: Promise<Uint8Array> | undefined = ordered.length ? Promise.resolve().then(() => ordered[0]!.data()) : undefined;
    for (const [i, t] of ordered.entries()) {
      const data = await next!;
      next = i + 1 < ordered.length ? Promise.resolve().then(() => ordered[i + 1]!.data()) : undefined;
      next?.catch(() => {}); // surfaced when awaited
      const want = nbytesOf(t);
      if (data.byteLength !== want) throw new SoloError(`safetensors: tensor ${t.name} produced ${data.byteLength} bytes, expected ${want}`);
      let w = 0;
      while (w < data.byteLength) {
        const { bytesWritten } = await fh.write(data, w, data.byteLength - w, pos + w);
        w += bytesWritten;
      }
      pos += data.byteLength;
      done++;
      bytes += data.byteLength;
      opts.onProgress?.({ stage: 'tensor', done: base.done + done, total: base.total, bytes: base.bytes + bytes, totalBytes: base.totalBytes, unit: 'tensors', detail: t.name });
    }
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  await rename(tmp, path);
  return { path, bytes: pos, tensors: ordered.length };
}

export interface WriteShardsOptions extends WriteSafetensorsOptions {
  /** Bytes per shard (transformers' max_shard_size); default 5e9 ("5GB"). */
  maxShardSize?: number;
}

export interface WriteShardsResult {
  files: string[];
  index?: string;
  bytes: number;
  totalSize: number;
}

/** Python `json.dumps(obj, indent=2, sort_keys=True)` for the index's plain shape. */
function indexJson(totalSize: number, weightMap: Record<string, string>): string {
  const keys = Object.keys(weightMap).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = keys.map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(weightMap[k])}`);
  return `{\n  "metadata": {\n    "total_size": ${totalSize}\n  },\n  "weight_map": {\n${lines.join(',\n')}\n  }\n}\n`;
}

/** Writes `tensors` (in model order) into `dir` as transformers' `save_pretrained` shards them. */
export async function writeSafetensorsShards(dir: string, tensors: readonly SafetensorsTensorSource[], opts: WriteShardsOptions = {}): Promise<WriteShardsResult> {
  const max = opts.maxShardSize ?? 5e9;
  const blocks: SafetensorsTensorSource[][] = [[]];
  let cur = 0;
  for (const t of tensors) {
    const n = nbytesOf(t);
    if (cur + n > max && blocks[blocks.length - 1]!.length > 0) {
      blocks.push([]);
      cur = 0;
    }
    blocks[blocks.length - 1]!.push(t);
    cur += n;
  }
  const totalSize = tensors.reduce((a, t) => a + nbytesOf(t), 0);
  const base = { done: 0, bytes: 0, total: tensors.length, totalBytes: totalSize };
  if (blocks.length === 1) {
    const r = await writeSafetensors(join(dir, 'model.safetensors'), tensors, { ...opts, progressBase: base });
    return { files: ['model.safetensors'], bytes: r.bytes, totalSize };
  }
  const n = blocks.length;
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  let bytes = 0;
  for (const [i, b] of blocks.entries()) {
    const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
    const r = await writeSafetensors(join(dir, name), b, { ...opts, progressBase: { ...base } });
    base.done += b.length;
    base.bytes += b.reduce((a, t) => a + nbytesOf(t), 0);
    files.push(name);
    bytes += r.bytes;
    for (const t of b) weightMap[t.name] = name;
  }
  const idx = join(dir, 'model.safetensors.index.json');
  const fh = await open(idx + '.tmp', 'w');
  await fh.writeFile(indexJson(totalSize, weightMap));
  await fh.close();
  await rename(idx + '.tmp', idx);
  return { files, index: 'model.safetensors.index.json', bytes, totalSize };
}
