/**
 * Decode one packed item of a SOLO dataset into documents, role spans and images, and check the
 * vision layout: `<vision>` (row `<vpatch>`… with `<vrow_sep>` between rows) `</vision>`, patch
 * indices consecutive and inside the item's patches, documents separated by role-1000 `<s>`.
 */
import { SoloError } from '../errors.js';

/** What decoding needs from a tokenizer (the SentencePiece processor provides it). */
export interface InspectTokenizer {
  idToPiece(id: number): string;
  pieceToId(piece: string): number;
  decode(ids: number[]): string;
}

export const ROLE_NAMES: Record<number, string> = { 0: 'system', 1: 'user', 2: 'assistant', 3: 'image', 1000: 'separator' };

export interface PackImage {
  /** Position of `<vision>` in the item. */
  start: number;
  rows: number;
  cols: number;
  /** First patch index (into the item's patches); indices run firstPatch…firstPatch+rows·cols-1. */
  firstPatch: number;
  /** Layout problems found (empty when the layout is consistent). */
  problems: string[];
}

export interface PackSpan {
  role: number;
  roleName: string;
  /** Token range [start, end). */
  start: number;
  end: number;
  /** Decoded text with special tokens shown; images appear as `[image RxC]`. */
  text: string;
}

export interface PackDocument {
  spans: PackSpan[];
  images: PackImage[];
  tokens: number;
}

export interface DecodedPack {
  tokens: number;
  documents: PackDocument[];
  images: PackImage[];
  problems: string[];
}

export function decodePack(
  tokens: ArrayLike<number>,
  roles: ArrayLike<number>,
  patchIndices: ArrayLike<number>,
  nPatches: number,
  tok: InspectTokenizer,
): DecodedPack {
  if (tokens.length !== roles.length || tokens.length !== patchIndices.length)
    throw new SoloError(`item lengths disagree: text ${tokens.length}, role ${roles.length}, vision_patch_indices ${patchIndices.length}`);
  const id = (p: string) => tok.pieceToId(p);
  const V = { open: id('<vision>'), patch: id('<vpatch>'), rowSep: id('<vrow_sep>'), close: id('</vision>') };
  if ([V.open, V.patch, V.rowSep, V.close].some((x) => x < 0 || tok.idToPiece(x) === '<unk>'))
    throw new SoloError('tokenizer has no SOLO vision tokens (<vision>, <vpatch>, <vrow_sep>, </vision>)');
  const problems: string[] = [];
  const documents: PackDocument[] = [];
  const allImages: PackImage[] = [];
  let doc: PackDocument = { spans: [], images: [], tokens: 0 };
  let pending: number[] = [];
  let pendingRole = -1;
  let spanStart = 0;
  let textParts: string[] = [];
  const flushText = () => {
    if (pending.length) textParts.push(tok.decode(pending));
    pending = [];
  };
  const closeSpan = (end: number) => {
    flushText();
    if (end > spanStart && pendingRole >= 0) doc.spans.push({ role: pendingRole, roleName: ROLE_NAMES[pendingRole] ?? String(pendingRole), start: spanStart, end, text: textParts.join('') });
    textParts = [];
    spanStart = end;
  };
  const n = tokens.length;
  let i = 0;
  while (i < n) {
    const t = tokens[i]!;
    const r = roles[i]!;
    if (r === 1000) {
      closeSpan(i);
      if (doc.tokens > 0 || doc.spans.length) documents.push(doc);
      doc = { spans: [], images: [], tokens: 0 };
      pendingRole = -1;
      i++;
      spanStart = i;
      continue;
    }
    if (r !== pendingRole && t !== V.patch) {
      closeSpan(i);
      pendingRole = r;
    }
    doc.tokens++;
    if (t === V.open) {
      // Parse the image block.
      const img: PackImage = { start: i, rows: 0, cols: 0, firstPatch: -1, problems: [] };
      let j = i + 1;
      let rowLen = 0;
      let expect = -1;
      const rowLens: number[] = [];
      while (j < n && tokens[j] !== V.close) {
        const tj = tokens[j]!;
        if (tj === V.patch) {
          const pi = patchIndices[j]!;
          if (roles[j] !== 3) img.problems.push(`token ${j}: <vpatch> with role ${roles[j]} (expected 3)`);
          if (img.firstPatch < 0) {
            img.firstPatch = pi;
            expect = pi;
          }
          if (pi !== expect) img.problems.push(`token ${j}: patch index ${pi}, expected ${expect}`);
          if (pi < 0 || pi >= nPatches) img.problems.push(`token ${j}: patch index ${pi} outside the item's ${nPatches} patches`);
          expect = pi + 1;
          rowLen++;
        } else if (tj === V.rowSep) {
          rowLens.push(rowLen);
          rowLen = 0;
        } else {
          img.problems.push(`token ${j}: unexpected token ${tok.idToPiece(tj)} inside <vision>`);
        }
        j++;
      }
      if (j >= n) img.problems.push('unterminated <vision> block');
      rowLens.push(rowLen);
      img.rows = rowLens.length;
      img.cols = rowLens[0] ?? 0;
      if (rowLens.some((l) => l !== img.cols)) img.problems.push(`ragged rows: ${rowLens.join(',')}`);
      flushText();
      textParts.push(`[image ${img.rows}x${img.cols}]`);
      doc.tokens += j - i;
      doc.images.push(img);
      allImages.push(img);
      problems.push(...img.problems);
      i = Math.min(j + 1, n);
      continue;
    }
    const piece = tok.idToPiece(t);
    if (/^<.*>$/.test(piece) && !/^<0x[0-9A-F]{2}>$/.test(piece)) {
      flushText();
      textParts.push(piece);
    } else pending.push(t);
    i++;
  }
  closeSpan(n);
  if (doc.tokens > 0 || doc.spans.length) documents.push(doc);
  return { tokens: n, documents, images: allImages, problems };
}
