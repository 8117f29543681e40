/**
 * safetensors reader: parses and bounds-checks the header, then reads tensors by pread (never the
 * whole file). Checks: header length within the file, JSON object, known dtypes, integer shapes,
 * numel × itemsize = byte length, offsets in range and contiguous (no gaps, no overlap), data
 * section size = end of last tensor.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { SoloError } from '../../errors.js';
import { SAFETENSORS_ITEMSIZE, isSafetensorsDType, type SafetensorsDType } from './dtypes.js';

export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Byte offsets relative to the data section. */
  begin: number;
  end: number;
  /** Which file holds it (for sharded models). */
  file: string;
}

export interface SafetensorsFile {
  readonly path: string;
  /** Header length N (JSON + padding). */
  readonly headerLength: number;
  /** Raw header text (including trailing space padding). */
  readonly headerText: string;
  readonly metadata: Record<string, string> | undefined;
  /** Tensors in header order. */
  readonly tensors: SafetensorsTensorInfo[];
  get(name: string): SafetensorsTensorInfo | undefined;
  /** Reads a whole tensor (row-major LE bytes). */
  read(name: string): Promise<Buffer>;
  /** Reads `count` bytes from byte `offset` inside a tensor (e.g. a row range). */
  readBytes(name: string, offset: number, count: number): Promise<Buffer>;
  close(): Promise<void>;
}

const MAX_HEADER = 100 * 1024 * 1024;

export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new SoloError(`cannot open safetensors file ${path}: ${(e as Error).message}`);
  }
  try {
    const size = (await fh.stat()).size;
    const bad = (msg: string): never => {
      throw new SoloError(`${path}: invalid safetensors file: ${msg}`);
    };
    if (size < 8) bad(`file is ${size} bytes, shorter than the 8-byte header length`);
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const n64 = lenBuf.readBigUInt64LE(0);
    if (n64 > BigInt(MAX_HEADER)) bad(`header length ${n64} is too large`);
    const n = Number(n64);
    if (8 + n > size) bad(`header length ${n} runs past the end of the file (${size} bytes): truncated?`);
    const hb = Buffer.alloc(n);
    await fh.read(hb, 0, n, 8);
    const headerText = hb.toString('utf8');
    let header: unknown;
    try {
      header = JSON.parse(headerText);
    } catch (e) {
      bad(`header is not valid JSON (${(e as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('header is not a JSON object');
    const dataStart = 8 + n;
    const dataSize = size - dataStart;
    let metadata: Record<string, string> | undefined;
    const tensors: SafetensorsTensorInfo[] = [];
    for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('__metadata__ is not an object');
        for (const x of Object.values(v as object)) if (typeof x !== 'string') bad('__metadata__ values must be strings');
        metadata = v as Record<string, string>;
        continue;
      }
      const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (typeof e !== 'object' || e === null) bad(`entry ${name} is not an object`);
      if (!isSafetensorsDType(e.dtype)) bad(`tensor ${name}: unknown dtype ${JSON.stringify(e.dtype)}`);
      const dtype = e.dtype as SafetensorsDType;
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`tensor ${name}: bad shape ${JSON.stringify(e.shape)}`);
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`tensor ${name}: bad data_offsets ${JSON.stringify(off)}`);
      const [begin, end] = off as [number, number];
      const shape = e.shape as number[];
      const nbytes = shape.reduce((a, b) => a * b, 1) * SAFETENSORS_ITEMSIZE[dtype];
      if (end < begin) bad(`tensor ${name}: data_offsets [${begin}, ${end}] are reversed`);
      if (end - begin !== nbytes) bad(`tensor ${name}: ${dtype}${JSON.stringify(shape)} needs ${nbytes} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
      if (end > dataSize) bad(`tensor ${name}: data_offsets [${begin}, ${end}] run past the data section (${dataSize} bytes): truncated or header lies`);
      tensors.push({ name, dtype, shape, begin, end, file: path });
    }
    // Offsets must tile the data section exactly (what safetensors itself validates).
    const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
    let pos = 0;
    for (const t of sorted) {
      if (t.begin !== pos) bad(`tensor ${t.name} starts at ${t.begin}, expected ${pos} (offsets must be contiguous, without gaps or overlaps)`);
      pos = t.end;
    }
    if (pos !== dataSize) bad(`data section is ${dataSize} bytes but the tensors cover ${pos}`);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const readAt = async (offset: number, count: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(count);
      let done = 0;
      while (done < count) {
        const { bytesRead } = await fh.read(buf, done, count - done, dataStart + offset + done);
        if (bytesRead === 0) throw new SoloError(`${path}: unexpected end of file at byte ${dataStart + offset + done}`);
        done += bytesRead;
      }
      return buf;
    };
    const info = (name: string): SafetensorsTensorInfo => {
      const t = byName.get(name);
      if (!t) throw new SoloError(`${path}: no tensor named ${name}`);
      return t;
    };
    return {
      path,
      headerLength: n,
      headerText,
      metadata,
      tensors,
      get: (name) => byName.get(name),
      read: async (name) => {
        const t = info(name);
        return readAt(t.begin, t.end - t.begin);
      },
      readBytes: async (name, offset, count) => {
        const t = info(name);
        if (offset < 0 || count < 0 || offset + count > t.end - t.begin) throw new SoloError(`${path}: byte range [${offset}, ${offset + count}) outside tensor ${name}`);
        return readAt(t.begin + offset, count);
      },
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}
