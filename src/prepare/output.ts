/**
 * The output set of one prefix P (spec §8.4): `P-text`, `P-role`, `P-vision_patch`,
 * `P-vision_patch_indices` (.bin/.idx), `P.jsonl`, `P_stats.json`, `P_DONE`. Everything is
 * written under `<name>.partial` and renamed on commit; `P_DONE` is created last.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { MmidWriter, MMID_FLOAT16, MMID_INT32, bestFittingDtype } from '../formats/indexed-dataset/index.js';
import { formatPyNum, pyAdd, pyInt, pyJsonObject, type PyNum } from './pynum.js';
import { PATCH_ELEMENTS, ROLE_IMAGE, type PackItem } from './types.js';

const TEMP = '.partial';
const DUMMY_PATCH = new Uint16Array(PATCH_ELEMENTS);

/** Final paths of every output of prefix P. */
export function prepareOutputPaths(prefix: string) {
  const ds = (name: string) => ({ bin: `${prefix}-${name}.bin`, idx: `${prefix}-${name}.idx` });
  return {
    text: ds('text'),
    role: ds('role'),
    visionPatch: ds('vision_patch'),
    visionPatchIndices: ds('vision_patch_indices'),
    jsonl: `${prefix}.jsonl`,
    stats: `${prefix}_stats.json`,
    done: `${prefix}_DONE`,
    errors: `${prefix}_errors.jsonl`,
  };
}

/** `P.jsonl` line for one item (spec §8.2). */
export function itemStatsLine(nTokens: number, nImageTokens: number, nImages: PyNum): string {
  return `{"n_tokens": ${nTokens}, "n_image_tokens": ${nImageTokens}, "n_images": ${formatPyNum(nImages)}}\n`;
}

/** Buffered line file under a temporary name. */
class TempTextFile {
  private fd: number;
  private chunks: string[] = [];
  private pending = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path + TEMP, 'w');
  }
  write(s: string): void {
    this.chunks.push(s);
    this.pending += s.length;
    if (this.pending > 1 << 16) this.flush();
  }
  flush(): void {
    if (!this.chunks.length) return;
    const b = Buffer.from(this.chunks.join(''), 'utf8');
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.chunks = [];
    this.pending = 0;
  }
  private open = true;
  close(): void {
    if (!this.open) return;
    this.flush();
    closeSync(this.fd);
    this.open = false;
  }
  commit(): void {
    renameSync(this.path + TEMP, this.path);
  }
  abort(): void {
    // Never close twice: the descriptor number may already belong to another file.
    if (this.open) closeSync(this.fd);
    this.open = false;
    rmSync(this.path + TEMP, { force: true });
  }
}

/** Writes items to the four datasets and `P.jsonl`; tracks `total_bytes_processed`. */
export class PrepareOutput {
  readonly paths: ReturnType<typeof prepareOutputPaths>;
  private readonly text: MmidWriter;
  private readonly role: MmidWriter;
  private readonly patch: MmidWriter;
  private readonly indices: MmidWriter;
  private readonly jsonl: TempTextFile;
  private closed = false;
  /** Items written. */
  items = 0;
  /** Σ item sizes with Python typing. */
  totalBytes: PyNum = pyInt(0);
  /** Tokens and image tokens written (for the summary). */
  tokens = 0;
  imageTokens = 0;
  patches = 0;

  constructor(readonly prefix: string, vocabSize: number) {
    this.paths = prepareOutputPaths(prefix);
    // A new run invalidates any earlier completion marker first.
    rmSync(this.paths.done, { force: true });
    rmSync(this.paths.stats, { force: true });
    this.text = new MmidWriter(`${prefix}-text`, bestFittingDtype(vocabSize), { tempSuffix: TEMP });
    this.role = new MmidWriter(`${prefix}-role`, bestFittingDtype(16), { tempSuffix: TEMP, bufferBytes: 1 << 20 });
    this.patch = new MmidWriter(`${prefix}-vision_patch`, MMID_FLOAT16, { tempSuffix: TEMP, bufferBytes: 16 << 20 });
    this.indices = new MmidWriter(`${prefix}-vision_patch_indices`, MMID_INT32, { tempSuffix: TEMP, bufferBytes: 2 << 20 });
    this.jsonl = new TempTextFile(this.paths.jsonl);
  }

  /** Bytes written so far to the four `.bin` files. */
  get binBytes(): number {
    return this.text.binBytes + this.role.binBytes + this.patch.binBytes + this.indices.binBytes;
  }

  /** Append one item (spec §8.1 steps 3, 5–7). */
  write(item: PackItem): void {
    this.totalBytes = pyAdd(this.totalBytes, item.size);
    this.text.addItemParts(item.tokens);
    this.role.addItemParts(item.roles);
    if (item.nPatches > 0) this.patch.addItemParts(item.patches);
    else this.patch.addItem(DUMMY_PATCH);
    this.indices.addItemParts(item.vpi);
    let nImg = 0;
    for (const r of item.roles) for (let i = 0; i < r.length; i++) if (r[i] === ROLE_IMAGE) nImg++;
    this.jsonl.write(itemStatsLine(item.length, nImg, item.nImages));
    this.items++;
    this.tokens += item.length;
    this.imageTokens += nImg;
    this.patches += item.nPatches || 1;
  }

  private closeAll(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of [this.text, this.role, this.patch, this.indices]) w.finalize();
    this.jsonl.close();
  }

  /** Finalize and rename the datasets and `P.jsonl` (no stats, no DONE): what a failed reference run leaves. */
  commitPartial(): void {
    this.closeAll();
    for (const w of [this.text, this.role, this.patch, this.indices]) w.commit();
    this.jsonl.commit();
  }

  /** Finalize everything, rename, write `P_stats.json` (no trailing newline), then `P_DONE`. */
  commit(stats: Iterable<readonly [string, PyNum]>): void {
    this.commitPartial();
    writeFileSync(this.paths.stats + TEMP, pyJsonObject(stats));
    renameSync(this.paths.stats + TEMP, this.paths.stats);
    writeFileSync(this.paths.done + TEMP, '');
    renameSync(this.paths.done + TEMP, this.paths.done);
  }

  /** Drop every temporary file (clean abort). */
  abort(): void {
    this.closed = true;
    for (const w of [this.text, this.role, this.patch, this.indices]) w.abort();
    this.jsonl.abort();
  }
}

/** True when prefix P is complete (its `_DONE` exists). */
export function isPrefixDone(prefix: string): boolean {
  return existsSync(prepareOutputPaths(prefix).done);
}
