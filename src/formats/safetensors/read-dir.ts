/**
 * Opens the weights of a Hugging Face directory stored as safetensors: a single
 * `model.safetensors`, or shards listed by `model.safetensors.index.json` (every shard opened
 * lazily, by pread; the index's weight_map must agree with the shards' headers).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { SoloError } from '../../errors.js';
import { openSafetensors, type SafetensorsFile, type SafetensorsTensorInfo } from './read.js';

export interface SafetensorsModel {
  readonly dir: string;
  /** Shard file names (relative to dir), in index order. */
  readonly files: string[];
  /** Tensors in shard order, then header order. */
  readonly tensors: SafetensorsTensorInfo[];
  readonly metadata: Record<string, string> | undefined;
  get(name: string): SafetensorsTensorInfo | undefined;
  read(name: string): Promise<Buffer>;
  readBytes(name: string, offset: number, count: number): Promise<Buffer>;
  close(): Promise<void>;
}

export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

/** True when `dir` holds safetensors weights (single file or index). */
export function hasSafetensors(dir: string): boolean {
  return existsSync(join(dir, 'model.safetensors')) || existsSync(join(dir, SAFETENSORS_INDEX));
}

export async function openSafetensorsModel(dir: string): Promise<SafetensorsModel> {
  const indexPath = join(dir, SAFETENSORS_INDEX);
  let files: string[];
  let weightMap: Record<string, string> | undefined;
  if (existsSync(indexPath)) {
    let idx: { weight_map?: Record<string, string> };
    try {
      idx = JSON.parse(readFileSync(indexPath, 'utf8')) as typeof idx;
    } catch (e) {
      throw new SoloError(`${indexPath}: not valid JSON (${(e as Error).message})`);
    }
    if (!idx.weight_map || typeof idx.weight_map !== 'object') throw new SoloError(`${indexPath}: no weight_map`);
    weightMap = idx.weight_map;
    files = [...new Set(Object.values(weightMap))];
    for (const f of files) {
      if (basename(f) !== f) throw new SoloError(`${indexPath}: shard name ${f} is not a plain file name`);
    }
    files.sort();
  } else if (existsSync(join(dir, 'model.safetensors'))) {
    files = ['model.safetensors'];
  } else {
    throw new SoloError(`${dir}: no model.safetensors or ${SAFETENSORS_INDEX}`);
  }
  const opened: SafetensorsFile[] = [];
  try {
    for (const f of files) opened.push(await openSafetensors(join(dir, f)));
  } catch (e) {
    await Promise.all(opened.map((o) => o.close()));
    throw e;
  }
  const owner = new Map<string, SafetensorsFile>();
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [i, sf] of opened.entries()) {
    for (const t of sf.tensors) {
      if (owner.has(t.name)) throw new SoloError(`${dir}: tensor ${t.name} is in two shards`);
      if (weightMap && weightMap[t.name] !== files[i]) throw new SoloError(`${indexPath}: weight_map puts ${t.name} in ${weightMap[t.name] ?? 'no file'} but it is in ${files[i]}`);
      owner.set(t.name, sf);
      tensors.push(t);
    }
  }
  if (weightMap) {
    for (const name of Object.keys(weightMap)) if (!owner.has(name)) throw new SoloError(`${indexPath}: ${name} is listed but missing from ${weightMap[name]}`);
  }
  const get = (name: string): SafetensorsFile => {
    const sf = owner.get(name);
    if (!sf) throw new SoloError(`${dir}: no tensor named ${name}`);
    return sf;
  };
  return {
    dir,
    files,
    tensors,
    metadata: opened[0]?.metadata,
    get: (name) => owner.get(name)?.get(name),
    read: (name) => get(name).read(name),
    readBytes: (name, o, c) => get(name).readBytes(name, o, c),
    close: async () => {
      await Promise.all(opened.map((o) => o.close()));
    },
  };
}
