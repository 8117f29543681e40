/**
 * The reference's packing algorithm (spec §7), reproduced exactly: `<s>` separators with role
 * PACK_SEP between documents, the +1 fit test, a single cut of over-long documents arriving at an
 * empty pack (fractional image counts, all patches kept in both halves), over-long documents
 * emitted whole otherwise, patch-index re-basing, insertion-ordered counters.
 *
 * Deviation (on by default): reference bug Q1 (§12) — a document of exactly M tokens at an empty
 * pack leaves its patches in the open pack, so the next document's `<vpatch>` indices point at
 * them. Fixed by clearing the pending patches on an empty remainder; `compatExactLength`
 * restores the reference behaviour.
 *
 * Emitted items share arrays with the packer's state (as in the reference); `emit` must consume
 * each item before the next `push`.
 */
import { pyFloat, pyInt, pyAdd, type PyNum } from './pynum.js';
import { ROLE_PACK_SEP, type DocResult, type EncodedDoc, type PackItem } from './types.js';

export interface PackerOptions {
  /** M (`--max_seq_length`). */
  maxSeqLength: number;
  /** Separator token id (the tokenizer's bos). */
  bosId: number;
  /** Byte-size contribution of a separator: `len(bos piece string)` (3 for `<s>`). */
  bosSize: number;
  /** Reproduce reference bug Q1 (exact-length cut keeps stale patches). */
  compatExactLength?: boolean;
}

/** Insertion-ordered counters, like the reference's `defaultdict(int)`. */
export type PackCounters = Map<string, number>;

function bump(c: PackCounters, key: string, by = 1): void {
  c.set(key, (c.get(key) ?? 0) + by);
}

/** Packs encoded documents into items, calling `emit` for each finished item in order. */
export class Packer {
  readonly counters: PackCounters = new Map();
  private readonly o: PackerOptions;
  private readonly sepTok: Int32Array;
  private readonly sepRole = new Int32Array([ROLE_PACK_SEP]);
  private readonly sepVpi = new Int32Array([-1]);
  private tok: Int32Array[] = [];
  private role: Int32Array[] = [];
  private vpi: Int32Array[] = [];
  private patches: Uint16Array[] = [];
  private nPatches = 0;
  private len = 0;
  private nImages: PyNum = pyInt(0);
  private size: PyNum = pyInt(0);

  constructor(opts: PackerOptions, private readonly emit: (item: PackItem) => void) {
    this.o = opts;
    this.sepTok = new Int32Array([opts.bosId]);
  }

  private emitCurrent(): void {
    this.emit({
      size: this.size,
      nImages: this.nImages,
      length: this.len,
      tokens: this.tok,
      roles: this.role,
      vpi: this.vpi,
      patches: this.patches,
      nPatches: this.nPatches,
    });
  }

  /** Feed one stream element (document or error marker). */
  push(d: DocResult): void {
    const c = this.counters;
    if (d.kind === 'error') {
      bump(c, 'error_skipped');
      return;
    }
    const M = this.o.maxSeqLength;
    const n = d.tokens.length;
    bump(c, 'n_images', d.nImages);
    if (this.len + n + 1 <= M) {
      // Case A: fits.
      let vpi = d.vpi;
      if (this.tok.length > 0) {
        this.tok.push(this.sepTok);
        this.role.push(this.sepRole);
        this.vpi.push(this.sepVpi);
        this.len += 1;
        this.size = pyAdd(this.size, pyInt(this.o.bosSize));
        const off = this.nPatches;
        if (off > 0 && d.nPatches > 0) {
          vpi = new Int32Array(d.vpi);
          for (let i = 0; i < vpi.length; i++) if (vpi[i] !== -1) vpi[i] += off;
        }
      }
      if (n > 0) {
        this.tok.push(d.tokens);
        this.role.push(d.roles);
        this.vpi.push(vpi);
      }
      if (d.nPatches > 0) {
        this.patches.push(d.patches);
        this.nPatches += d.nPatches;
      }
      this.nImages = pyAdd(this.nImages, pyInt(d.nImages));
      this.len += n;
      this.size = pyAdd(this.size, pyInt(d.size));
    } else if (this.len === 0) {
      // Case B: empty pack, document too long (n >= M): one cut.
      bump(c, 'n_total_packed_doc');
      bump(c, 'n_total_tokens', this.len);
      const docPatches = d.nPatches > 0 ? [d.patches] : [];
      this.emit({
        size: pyInt(d.size),
        nImages: pyFloat(d.nImages * (M / n)),
        length: M,
        tokens: [d.tokens.subarray(0, M)],
        roles: [d.roles.subarray(0, M)],
        vpi: [d.vpi.subarray(0, M)],
        patches: docPatches,
        nPatches: d.nPatches,
      });
      const rem = n - M;
      this.tok = rem > 0 ? [d.tokens.subarray(M)] : [];
      this.role = rem > 0 ? [d.roles.subarray(M)] : [];
      this.vpi = rem > 0 ? [d.vpi.subarray(M)] : [];
      if (rem === 0 && !this.o.compatExactLength) {
        // Q1 fix: nothing of the document remains, so none of its patches may stay pending.
        this.patches = [];
        this.nPatches = 0;
      } else {
        this.patches = docPatches;
        this.nPatches = d.nPatches;
      }
      this.nImages = pyFloat(d.nImages * (rem / n));
      this.size = pyFloat(d.size * (rem / n));
      this.len = rem;
    } else {
      // Case C: emit the current pack; the document (whole, any length) starts the next one.
      bump(c, 'n_total_packed_doc');
      bump(c, 'n_total_tokens', this.len);
      this.emitCurrent();
      this.tok = n > 0 ? [d.tokens] : [];
      this.role = n > 0 ? [d.roles] : [];
      this.vpi = n > 0 ? [d.vpi] : [];
      this.patches = d.nPatches > 0 ? [d.patches] : [];
      this.nPatches = d.nPatches;
      this.nImages = pyInt(d.nImages);
      this.size = pyInt(d.size);
      this.len = n;
    }
    bump(c, 'n_total_doc');
  }

  /** End of stream: emit the open pack, then create the summary counters the reference reads. */
  finish(): void {
    const c = this.counters;
    if (this.tok.length > 0) {
      bump(c, 'n_total_packed_doc');
      bump(c, 'n_total_tokens', this.len);
      this.emitCurrent();
    }
    for (const k of ['n_total_doc', 'n_total_packed_doc', 'n_total_tokens']) if (!c.has(k)) c.set(k, 0);
  }
}

/** No-pack mode (spec §7.4): each document is one item, unchanged. */
export function docToItem(d: EncodedDoc): PackItem {
  return {
    size: pyInt(d.size),
    nImages: pyInt(d.nImages),
    length: d.tokens.length,
    tokens: [d.tokens],
    roles: [d.roles],
    vpi: [d.vpi],
    patches: d.nPatches > 0 ? [d.patches] : [],
    nPatches: d.nPatches,
  };
}
