/**
 * What the launcher needs to know about a Megatron checkpoint directory without loading it:
 * tracker value, iteration directory, `mp_rank_*` layout, which `.pt` files exist, and a few
 * integer args (max_position_embeddings, TP, PP) read from the pickled `args` in `data.pkl`.
 *
 * Hand-written (no torch reader needed): the zip is scanned for `*​/data.pkl`, and the pickle is
 * searched for the key string followed by an int opcode. Good enough for the checks; anything
 * unreadable is reported as unknown.
 */
import { existsSync, openSync, readSync, closeSync, fstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { MEGATRON_TRACKER_FILE } from './derive.js';

export interface CheckpointFacts {
  dir: string;
  exists: boolean;
  tracker?: string;
  /** 'release' or an integer iteration. */
  release?: boolean;
  iteration?: number;
  iterDir?: string;
  mpRankDirs: string[];
  /** Number of distinct TP ranks / PP ranks seen in `mp_rank_TT[_PPP]` names (optimizer dirs excluded). */
  tpRanks?: number;
  ppRanks?: number;
  hasModelOptimRng: boolean;
  hasDistOptim: boolean;
  args: { maxPositionEmbeddings?: number; tensorModelParallelSize?: number; pipelineModelParallelSize?: number; paddedVocabSize?: number };
}

/** Read one member of a zip archive (stored or deflated). */
export function readZipMember(path: string, match: (name: string) => boolean): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailLen = Math.min(size, 65536 + 22);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) return undefined;
    let cdCount = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOff = tail.readUInt32LE(eocd + 16);
    if (cdOff === 0xffffffff || cdCount === 0xffff) {
      // zip64: locator sits just before the EOCD record
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) return undefined;
      const z64Off = Number(tail.readBigUInt64LE(loc + 8));
      const z = Buffer.alloc(56);
      readSync(fd, z, 0, 56, z64Off);
      cdCount = Number(z.readBigUInt64LE(32));
      cdSize = Number(z.readBigUInt64LE(40));
      cdOff = Number(z.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    readSync(fd, cd, 0, cdSize, cdOff);
    let p = 0;
    for (let i = 0; i < cdCount && p + 46 <= cd.length; i++) {
      const method = cd.readUInt16LE(p + 10);
      let csize = cd.readUInt32LE(p + 20);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localOff = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      if (match(name)) {
        if (csize === 0xffffffff || localOff === 0xffffffff) {
          const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
          let q = 0;
          while (q + 4 <= extra.length) {
            const id = extra.readUInt16LE(q);
            const len = extra.readUInt16LE(q + 2);
            if (id === 1) {
              let r = q + 4;
              if (cd.readUInt32LE(p + 24) === 0xffffffff) r += 8;
              if (csize === 0xffffffff) (csize = Number(extra.readBigUInt64LE(r))), (r += 8);
              if (localOff === 0xffffffff) localOff = Number(extra.readBigUInt64LE(r));
            }
            q += 4 + len;
          }
        }
        const lh = Buffer.alloc(30);
        readSync(fd, lh, 0, 30, localOff);
        const dataOff = localOff + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
        const data = Buffer.alloc(csize);
        readSync(fd, data, 0, csize, dataOff);
        if (method === 0) return data;
        if (method === 8) return inflateRawSync(data);
        return undefined;
      }
      p += 46 + nameLen + extraLen + commentLen;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Find `key` as a pickled string and read the int that follows (skipping memo opcodes). */
export function pickleIntAfterKey(pkl: Buffer, key: string): number | undefined {
  const needle = Buffer.from(key, 'utf8');
  let from = 0;
  for (;;) {
    const at = pkl.indexOf(needle, from);
    if (at < 0) return undefined;
    from = at + 1;
    // must be a complete string: preceded by its length byte(s)
    const before = at >= 1 ? pkl[at - 1] : -1;
    const lenOk = before === needle.length || (at >= 4 && pkl.readUInt32LE(at - 4) === needle.length);
    if (!lenOk) continue;
    let p = at + needle.length;
    while (p < pkl.length) {
      const op = pkl[p]!;
      if (op === 0x71) p += 2; // BINPUT
      else if (op === 0x72) p += 5; // LONG_BINPUT
      else if (op === 0x94) p += 1; // MEMOIZE
      else break;
    }
    const op = pkl[p];
    if (op === 0x4b) return pkl[p + 1]; // BININT1
    if (op === 0x4d) return pkl.readUInt16LE(p + 1); // BININT2
    if (op === 0x4a) return pkl.readInt32LE(p + 1); // BININT
    return undefined;
  }
}

export function readCheckpointArgs(ptFile: string): CheckpointFacts['args'] {
  try {
    const pkl = readZipMember(ptFile, (n) => n.endsWith('/data.pkl') || n === 'data.pkl');
    if (!pkl) return {};
    return {
      maxPositionEmbeddings: pickleIntAfterKey(pkl, 'max_position_embeddings'),
      tensorModelParallelSize: pickleIntAfterKey(pkl, 'tensor_model_parallel_size'),
      pipelineModelParallelSize: pickleIntAfterKey(pkl, 'pipeline_model_parallel_size'),
      paddedVocabSize: pickleIntAfterKey(pkl, 'padded_vocab_size'),
    };
  } catch {
    return {};
  }
}

export function checkpointFacts(dir: string): CheckpointFacts {
  const f: CheckpointFacts = { dir, exists: existsSync(dir), mpRankDirs: [], hasModelOptimRng: false, hasDistOptim: false, args: {} };
  const tracker = join(dir, MEGATRON_TRACKER_FILE);
  if (!existsSync(tracker)) return f;
  f.tracker = readFileSync(tracker, 'utf8').trim();
  f.release = f.tracker === 'release';
  if (!f.release && /^\d+$/.test(f.tracker)) f.iteration = Number(f.tracker);
  const iterName = f.release ? 'release' : f.iteration !== undefined ? `iter_${String(f.iteration).padStart(7, '0')}` : undefined;
  if (!iterName) return f;
  const iterDir = join(dir, iterName);
  if (!existsSync(iterDir) || !statSync(iterDir).isDirectory()) return f;
  f.iterDir = iterDir;
  f.mpRankDirs = readdirSync(iterDir).filter((n) => n.startsWith('mp_rank_')).sort();
  const tps = new Set<string>();
  const pps = new Set<string>();
  let argsFrom: string | undefined;
  for (const d of f.mpRankDirs) {
    const files = readdirSync(join(iterDir, d));
    if (files.includes('model_optim_rng.pt')) (f.hasModelOptimRng = true), (argsFrom ??= join(iterDir, d, 'model_optim_rng.pt'));
    if (files.includes('optim.pt')) f.hasDistOptim = true;
    if (files.includes('model_rng.pt')) argsFrom ??= join(iterDir, d, 'model_rng.pt');
    // model dirs: mp_rank_TT (PP=1) or mp_rank_TT_PPP; optimizer dirs add _DDD
    const m = /^mp_rank_(\d{2})(?:_(\d{3}))?(?:_(\d{3}))?$/.exec(d);
    if (m && (files.includes('model_rng.pt') || files.includes('model_optim_rng.pt') || !files.includes('optim.pt'))) {
      tps.add(m[1]!);
      pps.add(m[2] ?? '000');
    }
  }
  if (tps.size) (f.tpRanks = tps.size), (f.ppRanks = pps.size);
  if (argsFrom) f.args = readCheckpointArgs(argsFrom);
  return f;
}
