/**
 * One input line → one encoded document (spec §4.3–§6), or an error marker when the reference
 * would skip the line. Pretrain mode concatenates content items; chat mode wraps every turn in
 * `<|im_start|>` + tokenize(role + "\n") … `<|im_end|>` + tokenize("\n"). Images become
 * `<vision>`, rows of `<vpatch>` separated by `<vrow_sep>`, `</vision>`.
 *
 * Python semantics that decide which lines are skipped are mirrored on purpose: iteration over
 * a dict yields its keys and over a string its characters (then indexing them fails), a role must
 * be exactly a Role member name, non-string text is an error (reference crash Q17, fixed).
 */
import { InputError, SoloError } from '../errors.js';
import { codePointLength, hasUnpairedSurrogate, parsePythonJson, pythonBase64Decode } from './pyjson.js';
import { PATCH_ELEMENTS, PREPARE_ROLES, ROLE_IMAGE, type DocResult, type EncodedDoc } from './types.js';

/** What the encoder needs from a tokenizer (the Megatron SentencePiece wrapper, `--no_new_tokens`). */
export interface PrepareTokenizer {
  /** Megatron `tokenize(text)`: special-token splitting, no BOS/EOS. */
  tokenize(text: string): ArrayLike<number>;
  /** Id of a vocabulary piece, or undefined. */
  pieceToId(piece: string): number | undefined;
  vocabSize: number;
  bosId: number;
  /** The bos piece string (its length is a separator's size contribution). */
  bosPiece: string;
}

/** Image bytes → patch grid (float16 bits, rows×cols×3072). Throws for undecodable images. */
export type PatchDecoder = (bytes: Uint8Array) => Promise<{ patches: Uint16Array; rows: number; cols: number }>;

export interface EncoderOptions {
  /** `--do_pretrain`: no chat wrapper tokens. */
  pretrain: boolean;
  chatStartToken?: string;
  chatEndToken?: string;
  visionStartToken?: string;
  visionPatchToken?: string;
  visionRowSepToken?: string;
  visionFrameSepToken?: string;
  visionEndToken?: string;
  /**
   * Reject `{"messages": [...]}` lines like the reference (compat `reject-messages`). By default
   * such a line is read as `{"conversations": [...]}` (the shape PRETRAIN_GUIDE.md documents).
   */
  rejectMessages?: boolean;
}

interface TokenIds {
  chatStart: number;
  chatEnd: number;
  visionStart: number;
  visionPatch: number;
  visionRowSep: number;
  visionEnd: number;
}

/** Resolve the special piece ids; missing pieces are fatal at startup, as in the reference. */
export function resolvePrepareTokenIds(tok: PrepareTokenizer, o: EncoderOptions): TokenIds {
  const need = (piece: string): number => {
    const id = tok.pieceToId(piece);
    if (id === undefined) throw new SoloError(`token ${JSON.stringify(piece)} is not in the tokenizer vocabulary`);
    return id;
  };
  const visionStart = need(o.visionStartToken ?? '<vision>');
  const visionPatch = need(o.visionPatchToken ?? '<vpatch>');
  const visionRowSep = need(o.visionRowSepToken ?? '<vrow_sep>');
  need(o.visionFrameSepToken ?? '<vframe_sep>');
  const visionEnd = need(o.visionEndToken ?? '</vision>');
  const chatStart = o.pretrain ? -1 : need(o.chatStartToken ?? '<|im_start|>');
  const chatEnd = o.pretrain ? -1 : need(o.chatEndToken ?? '<|im_end|>');
  return { chatStart, chatEnd, visionStart, visionPatch, visionRowSep, visionEnd };
}

/** Growable int32 array. */
class IntBuilder {
  a = new Int32Array(256);
  n = 0;
  private grow(min: number): void {
    let cap = this.a.length * 2;
    while (cap < min) cap *= 2;
    const b = new Int32Array(cap);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
  push(v: number): void {
    if (this.n === this.a.length) this.grow(this.n + 1);
    this.a[this.n++] = v;
  }
  pushAll(vs: ArrayLike<number>): void {
    if (this.n + vs.length > this.a.length) this.grow(this.n + vs.length);
    this.a.set(vs, this.n);
    this.n += vs.length;
  }
  fill(v: number, count: number): void {
    if (this.n + count > this.a.length) this.grow(this.n + count);
    this.a.fill(v, this.n, this.n + count);
    this.n += count;
  }
  done(): Int32Array {
    return this.a.slice(0, this.n);
  }
}

/** A skip of the whole line. */
class LineError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Python `for x in v` over a JSON value (dict → keys, str → chars); non-iterables fail. */
function pyIter(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isObj(v)) return Object.keys(v);
  throw new LineError('bad-shape', `${what} is not iterable (${v === null ? 'null' : typeof v})`);
}

/** Python `v[key]` on a JSON value that must be a dict with that key. */
function pyGet(v: unknown, key: string, what: string): unknown {
  if (!isObj(v)) throw new LineError('bad-shape', `${what} must be an object with key '${key}'`);
  if (!Object.prototype.hasOwnProperty.call(v, key)) throw new LineError('missing-key', `${what} has no key '${key}'`);
  return v[key];
}

function roleValue(role: unknown): number {
  if (typeof role === 'string' && Object.prototype.hasOwnProperty.call(PREPARE_ROLES, role)) return PREPARE_ROLES[role as keyof typeof PREPARE_ROLES];
  throw new LineError('bad-role', `unknown role ${JSON.stringify(role)} (expected system, user, assistant, image or PACK_SEP)`);
}

/** Creates the per-line encoder for one run. */
export function createDocEncoder(tok: PrepareTokenizer, decode: PatchDecoder, o: EncoderOptions) {
  const ids = resolvePrepareTokenIds(tok, o);

  const tokenize = (text: string): ArrayLike<number> => {
    if (hasUnpairedSurrogate(text)) throw new LineError('lone-surrogate', 'text contains a lone UTF-16 surrogate (not encodable as UTF-8)');
    return tok.tokenize(text);
  };

  /** Encode parsed JSON; `size` is the line's reference size. */
  async function encodeValue(data: unknown, size: number): Promise<EncodedDoc> {
    let conv: unknown;
    if (Array.isArray(data)) conv = data;
    else if (isObj(data) && 'conversations' in data) conv = data.conversations;
    else if (isObj(data) && 'content' in data && 'role' in data) conv = [data];
    else if (isObj(data) && 'messages' in data && !o.rejectMessages) conv = data.messages;
    else throw new LineError('bad-shape', 'line is not a list of turns, {"conversations": [...]} or {"role", "content"}');

    const T = new IntBuilder();
    const R = new IntBuilder();
    const V = new IntBuilder();
    const patchParts: Uint16Array[] = [];
    let nPatches = 0;
    let nImages = 0;

    for (const turn of pyIter(conv, 'conversation')) {
      const role = pyGet(turn, 'role', 'turn');
      let content = pyGet(turn, 'content', 'turn');
      if (typeof content === 'string') content = [{ type: 'text', text: content }];
      const items = pyIter(content, 'content');
      let rv = -1;
      if (!o.pretrain) {
        rv = roleValue(role);
        const head = tokenize(`${role as string}\n`);
        T.push(ids.chatStart);
        T.pushAll(head);
        R.fill(rv, head.length + 1);
        V.fill(-1, head.length + 1);
      }
      for (const item of items) {
        const type = pyGet(item, 'type', 'content item');
        if (type === 'text') {
          const text = pyGet(item, 'text', 'text item');
          if (typeof text !== 'string') throw new LineError('bad-text', `text must be a string, got ${Array.isArray(text) ? 'list' : typeof text}`);
          const t = tokenize(text);
          rv = roleValue(role);
          T.pushAll(t);
          R.fill(rv, t.length);
          V.fill(-1, t.length);
        } else if (type === 'image_url') {
          const url = pyGet(pyGet(item, 'image_url', 'image item'), 'url', 'image_url');
          if (typeof url !== 'string') throw new LineError('bad-image-url', 'image url must be a string');
          if (!url.includes('base64')) throw new LineError('bad-image-url', 'image url is not a base64 data URL');
          const comma = url.indexOf(',');
          if (comma < 0) throw new LineError('bad-image-url', 'image url has no comma');
          const next = url.indexOf(',', comma + 1);
          const payload = url.slice(comma + 1, next < 0 ? undefined : next);
          let bytes: Uint8Array;
          try {
            bytes = pythonBase64Decode(payload);
          } catch (e) {
            throw new LineError('bad-base64', (e as Error).message);
          }
          let img: Awaited<ReturnType<PatchDecoder>>;
          try {
            img = await decode(bytes);
          } catch (e) {
            if (e instanceof InputError || (e as Error).name === 'ImageDecodeError') throw new LineError('image-decode', (e as Error).message);
            throw new LineError('image-decode', (e as Error).message ?? String(e));
          }
          rv = roleValue(role);
          const p0 = nPatches;
          T.push(ids.visionStart);
          R.push(rv);
          V.push(-1);
          for (let i = 0; i < img.rows; i++) {
            if (i > 0) {
              T.push(ids.visionRowSep);
              R.push(rv);
              V.push(-1);
            }
            for (let j = 0; j < img.cols; j++) {
              T.push(ids.visionPatch);
              R.push(ROLE_IMAGE);
              V.push(p0 + i * img.cols + j);
            }
          }
          T.push(ids.visionEnd);
          R.push(rv);
          V.push(-1);
          patchParts.push(img.patches);
          nPatches += img.rows * img.cols;
          nImages += 1;
        } else {
          throw new LineError('unknown-content-type', `Unknown content type (only 'text' and 'image_url' are supported): ${typeof type === 'string' ? type : JSON.stringify(type)}`);
        }
      }
      if (!o.pretrain) {
        const tail = tokenize('\n');
        T.push(ids.chatEnd);
        T.pushAll(tail);
        R.fill(rv, tail.length + 1);
        V.fill(-1, tail.length + 1);
      }
    }
    let patches: Uint16Array;
    if (patchParts.length === 1) patches = patchParts[0]!;
    else {
      patches = new Uint16Array(nPatches * PATCH_ELEMENTS);
      let off = 0;
      for (const p of patchParts) patches.set(p, off), (off += p.length);
    }
    return { kind: 'doc', size, tokens: T.done(), roles: R.done(), vpi: V.done(), patches, nPatches, nImages };
  }

  /**
   * Encode one line. `binary`: the line came from a gz/lz4 file (size = bytes, BOM tolerated,
   * invalid UTF-8 = skip). Plain lines: size = code points + 1 for a terminator.
   */
  async function encodeLine(line: { text: string; byteLength: number; terminator: string; invalidUtf8?: boolean; file?: string; line?: number; offset?: number }, binary: boolean): Promise<DocResult> {
    const loc = { file: line.file, line: line.line, offset: line.offset };
    let text = line.text;
    const size = binary ? line.byteLength : codePointLength(text) + (line.terminator ? 1 : 0);
    try {
      if (binary && line.invalidUtf8) throw new LineError('invalid-utf8', 'line is not valid UTF-8');
      if (binary && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      let data: unknown;
      try {
        data = parsePythonJson(text);
      } catch (e) {
        throw new LineError('invalid-json', (e as Error).message);
      }
      return await encodeValue(data, size);
    } catch (e) {
      if (e instanceof LineError) return { kind: 'error', reason: e.reason, message: e.message, ...loc };
      throw e;
    }
  }

  return { encodeLine, encodeValue, ids };
}

export type DocEncoder = ReturnType<typeof createDocEncoder>;
