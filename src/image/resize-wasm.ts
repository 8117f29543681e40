/**
 * WebAssembly SIMD128 kernels for the two passes of the Pillow BILINEAR resize (resize.ts has the
 * reference JS port and the coefficient tables). The module is assembled here from its opcodes at
 * load time — no compiler, no binary in the repo, nothing to build — and is exact because i32x4
 * multiply/add are plain integer operations and the saturating narrows reproduce Pillow's clip8
 * (sums never exceed int32 for this filter). When WebAssembly SIMD is unavailable, resize.ts uses
 * the JS kernels.
 *
 * Horizontal pass: per output pixel, each tap loads 4 bytes (R,G,B,next) into one i32x4 lane set,
 * multiplies by the splatted coefficient and accumulates; the result is narrowed and 4 bytes are
 * stored (the 4th is overwritten by the next pixel). Vertical pass: 16 bytes at a time into four
 * i32x4 accumulators. Both may touch up to 16 bytes past a buffer's end: buffers are padded.
 */

// ---- a tiny assembler ------------------------------------------------------------------------
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const add = [0x6a];
const mul = [0x6c];
const sub = [0x6b];
const ltS = [0x48];
const load = (offset = 0) => [0x28, 0x02, ...uleb(offset)];
const loop = (...body: number[][]) => [0x03, 0x40, ...body.flat(), 0x0b];
const brIf = (d: number) => [0x0d, ...uleb(d)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const v128Load = simd(0x00, 0x00, 0x00);
const v128Store = simd(0x0b, 0x00, 0x00);
const load32Zero = simd(0x5c, 0x00, 0x00);
const store32Lane0 = simd(0x5a, 0x00, 0x00, 0x00);
const i32x4Splat = simd(0x11);
const i32x4Add = simd(0xae);
const i32x4Mul = simd(0xb5);
const i32x4ShrS = simd(0xac);
const i16x8ExtLowU8 = simd(0x89);
const i16x8ExtHighU8 = simd(0x8a);
const i32x4ExtLowU16 = simd(0xa9);
const i32x4ExtHighU16 = simd(0xaa);
const i16x8NarrowS32 = simd(0x85);
const i8x16NarrowU16 = simd(0x66);

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const inc = (local: number, by: number[]) => [...get(local), ...by, ...add, ...set(local)];

/** hpass(src, dst, h, srcStride, nw, coef, recBytes); coef records: [xmin*3, n, k0..k(ksize-1)]. */
function hpassBody(): number[] {
  const [src, dst, h, srcStride, nw, coef, recBytes] = [0, 1, 2, 3, 4, 5, 6];
  const [y, xx, rec, p, i, kp, rowIn, o, acc] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const locals = vec([[...uleb(8), I32], [...uleb(1), V128]]);
  const code = [
    ...get(dst), ...set(o),
    ...i32c(0), ...set(y),
    ...loop(
      [...get(src), ...get(y), ...get(srcStride), ...mul, ...add, ...set(rowIn)],
      [...get(coef), ...set(rec)],
      [...i32c(0), ...set(xx)],
      loop(
        [...get(rowIn), ...get(rec), ...load(0), ...add, ...set(p)],
        [...get(rec), ...load(4), ...set(i)],
        [...get(rec), ...i32c(8), ...add, ...set(kp)],
        [...i32c(HALF), ...i32x4Splat, ...set(acc)],
        loop(
          [...get(acc), ...get(p), ...load32Zero, ...i16x8ExtLowU8, ...i32x4ExtLowU16, ...get(kp), ...load(0), ...i32x4Splat, ...i32x4Mul, ...i32x4Add, ...set(acc)],
          inc(p, i32c(3)),
          inc(kp, i32c(4)),
          [...get(i), ...i32c(1), ...sub, ...tee(i), ...brIf(0)],
        ),
        [...get(acc), ...i32c(PRECISION_BITS), ...i32x4ShrS, ...tee(acc), ...get(acc), ...i16x8NarrowS32, ...tee(acc), ...get(acc), ...i8x16NarrowU16, ...set(acc)],
        [...get(o), ...get(acc), ...store32Lane0],
        inc(o, i32c(3)),
        inc(rec, get(recBytes)),
        [...get(xx), ...i32c(1), ...add, ...tee(xx), ...get(nw), ...ltS, ...brIf(0)],
      ),
      [...get(y), ...i32c(1), ...add, ...tee(y), ...get(h), ...ltS, ...brIf(0)],
    ),
    0x0b,
  ];
  return [...locals, ...code];
}

/** vpass(src, dst, rowLen, nh, coef, recBytes); coef records: [ymin*rowLen, n, k0..k(ksize-1)]. */
function vpassBody(): number[] {
  const [src, dst, rowLen, nh, coef, recBytes] = [0, 1, 2, 3, 4, 5];
  const [yy, base, taps, j, p, kp, i, o, rec] = [6, 7, 8, 9, 10, 11, 12, 13, 14];
  const [a0, a1, a2, a3, v, k, lo, hi] = [15, 16, 17, 18, 19, 20, 21, 22];
  const locals = vec([[...uleb(9), I32], [...uleb(8), V128]]);
  const acc = (a: number, half: number, ext: number[]) => [...get(a), ...get(half), ...ext, ...get(k), ...i32x4Mul, ...i32x4Add, ...set(a)];
  const shr = (a: number) => [...get(a), ...i32c(PRECISION_BITS), ...i32x4ShrS];
  const code = [
    ...get(coef), ...set(rec),
    ...get(dst), ...set(o),
    ...i32c(0), ...set(yy),
    ...loop(
      [...get(src), ...get(rec), ...load(0), ...add, ...set(base)],
      [...get(rec), ...load(4), ...set(taps)],
      [...i32c(0), ...set(j)],
      loop(
        [...i32c(HALF), ...i32x4Splat, ...tee(a0), ...tee(a1), ...tee(a2), ...set(a3)],
        [...get(base), ...get(j), ...add, ...set(p)],
        [...get(rec), ...i32c(8), ...add, ...set(kp)],
        [...get(taps), ...set(i)],
        loop(
          [...get(p), ...v128Load, ...tee(v), ...i16x8ExtLowU8, ...set(lo)],
          [...get(v), ...i16x8ExtHighU8, ...set(hi)],
          [...get(kp), ...load(0), ...i32x4Splat, ...set(k)],
          acc(a0, lo, i32x4ExtLowU16),
          acc(a1, lo, i32x4ExtHighU16),
          acc(a2, hi, i32x4ExtLowU16),
          acc(a3, hi, i32x4ExtHighU16),
          inc(p, get(rowLen)),
          inc(kp, i32c(4)),
          [...get(i), ...i32c(1), ...sub, ...tee(i), ...brIf(0)],
        ),
        [...get(o), ...get(j), ...add],
        [...shr(a0), ...shr(a1), ...i16x8NarrowS32, ...shr(a2), ...shr(a3), ...i16x8NarrowS32, ...i8x16NarrowU16],
        v128Store,
        [...get(j), ...i32c(16), ...add, ...tee(j), ...get(rowLen), ...ltS, ...brIf(0)],
      ),
      inc(o, get(rowLen)),
      inc(rec, get(recBytes)),
      [...get(yy), ...i32c(1), ...add, ...tee(yy), ...get(nh), ...ltS, ...brIf(0)],
    ),
    0x0b,
  ];
  return [...locals, ...code];
}

/**
 * patch(rgb, out, w, h, lut): SOLO patchify in scalar WASM (no bounds checks, byte loads): for
 * each pixel, three table lookups (lut = 3×256 uint16) stored into the R/G/B planes of its patch.
 */
function patchBody(): number[] {
  const [rgb, out, w, h, lut] = [0, 1, 2, 3, 4];
  const [Y, px, x, s, o, cols, rowPatchBase] = [5, 6, 7, 8, 9, 10, 11];
  const locals = vec([[...uleb(7), I32]]);
  const load8u = (off: number) => [0x2d, 0x00, ...uleb(off)];
  const load16u = (off: number) => [0x2f, 0x01, ...uleb(off)];
  const store16 = (off: number) => [0x3b, 0x01, ...uleb(off)];
  const shl = [0x74];
  const shrU = [0x76];
  const and = [0x71];
  // out[o + off] = lut[(chan*256 + rgb[s + chan]) ] (byte addressing: *2)
  const put = (chan: number) => [...get(o), ...get(lut), ...get(s), ...load8u(chan), ...i32c(1), ...shl, ...add, ...load16u(chan * 512), ...store16(chan * 2048)];
  const code = [
    ...get(w), ...i32c(5), ...shrU, ...set(cols),
    ...i32c(0), ...set(Y),
    ...loop(
      [...get(rgb), ...get(Y), ...get(w), ...mul, ...i32c(3), ...mul, ...add, ...set(s)],
      // byte offset of this row inside patch (py*cols)*6144 + (Y&31)*64
      [...get(out), ...get(Y), ...i32c(5), ...shrU, ...get(cols), ...mul, ...i32c(6144), ...mul, ...add, ...get(Y), ...i32c(31), ...and, ...i32c(64), ...mul, ...add, ...set(rowPatchBase)],
      [...i32c(0), ...set(px)],
      loop(
        [...get(rowPatchBase), ...get(px), ...i32c(6144), ...mul, ...add, ...set(o)],
        [...i32c(0), ...set(x)],
        loop(
          put(0),
          put(1),
          put(2),
          inc(o, i32c(2)),
          inc(s, i32c(3)),
          [...get(x), ...i32c(1), ...add, ...tee(x), ...i32c(32), ...ltS, ...brIf(0)],
        ),
        [...get(px), ...i32c(1), ...add, ...tee(px), ...get(cols), ...ltS, ...brIf(0)],
      ),
      [...get(Y), ...i32c(1), ...add, ...tee(Y), ...get(h), ...ltS, ...brIf(0)],
    ),
    0x0b,
  ];
  return [...locals, ...code];
}

function buildModule(): Uint8Array {
  const fn = (body: number[]) => [...uleb(body.length), ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(Array(7).fill([I32])), 0x00], [0x60, ...vec(Array(6).fill([I32])), 0x00], [0x60, ...vec(Array(5).fill([I32])), 0x00]])),
    ...section(3, vec([[0x00], [0x01], [0x02]])),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec([[...str('hpass'), 0x00, 0x00], [...str('vpass'), 0x00, 0x01], [...str('patch'), 0x00, 0x02], [...str('mem'), 0x02, 0x00]])),
    ...section(10, vec([fn(hpassBody()), fn(vpassBody()), fn(patchBody())])),
  ];
  return new Uint8Array(bytes);
}

/** The few WebAssembly globals used (the project's TS lib has no WebAssembly typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

export interface WasmResizer {
  mem: WasmMemory;
  hpass(src: number, dst: number, h: number, srcStride: number, nw: number, coef: number, recBytes: number): void;
  vpass(src: number, dst: number, rowLen: number, nh: number, coef: number, recBytes: number): void;
  patch(rgb: number, out: number, w: number, h: number, lut: number): void;
}

let cached: WasmResizer | null | undefined;

/**
 * Drop the instance if its memory has grown large (WASM memory never shrinks): the next call
 * builds a fresh one, so one huge image does not pin hundreds of MB in every worker.
 */
export function trimWasmResizer(maxBytes = 128 << 20): void {
  if (cached && cached.mem.buffer.byteLength > maxBytes) cached = undefined;
}

/** The SIMD kernels, or null where WebAssembly SIMD is unavailable (or SOLO_IMAGE_NO_WASM=1). */
export function wasmResizer(): WasmResizer | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    if (process.env.SOLO_IMAGE_NO_WASM === '1') return cached;
    const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!WA) return cached;
    const bytes = buildModule();
    if (!WA.validate(bytes)) return cached;
    const inst = new WA.Instance(new WA.Module(bytes));
    cached = inst.exports as unknown as WasmResizer;
  } catch {
    cached = null;
  }
  return cached;
}
