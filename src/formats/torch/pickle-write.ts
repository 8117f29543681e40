/**
 * Protocol-2 pickler that emits what CPython's pickler + torch.save produce for the same object
 * graph (spec §7.3): memo (BINPUT/LONG_BINPUT, BINGET), batched SETITEMS/APPENDS, tuples,
 * OrderedDict via REDUCE (+ `_metadata` BUILD state), argparse.Namespace via NEWOBJ/BUILD, enums,
 * bytes via `_codecs.encode`, and tensors as `_rebuild_tensor_v2` over BINPERSID storages.
 * Strings are memoised by value (CPython memoises by identity; torch.load gives equal objects).
 * Tensors are not read here: each distinct storage is registered with a key ("0", "1", … in
 * first-encounter order) and a producer that save.ts calls later, one record at a time.
 */
import { SoloError } from '../../errors.js';
import {
  NumpyArray,
  NumpyDType,
  NumpyScalar,
  PyDict,
  PyEnum,
  PyFloat,
  PyNamespace,
  PySet,
  PyTorchDType,
  PyTuple,
  TORCH_DTYPES,
  TensorSource,
  isTensorRef,
  type PyKey,
  type PyValue,
  type StorageRef,
  type TensorRef,
  type TorchDType,
} from './types.js';

/** One storage record to write: key, byte size and how to get its bytes. */
export interface PendingStorage {
  key: string;
  nbytes: number;
  dtype: TorchDType;
  /** Pushes the record's bytes (possibly in chunks) through `sink`. */
  produce(sink: (chunk: Uint8Array) => Promise<void>): Promise<void>;
  /** A label for progress and errors. */
  label: string;
}

const BATCH = 1000;
const STREAM_CHUNK = 64 << 20;

class Out {
  private buf = Buffer.allocUnsafe(1 << 16);
  len = 0;
  private ensure(n: number) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }
  byte(b: number) {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array) {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u16(v: number) {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  u32(v: number) {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }
  i32(v: number) {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
  }
  f64be(v: number) {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** Minimal little-endian two's complement (CPython encode_long). */
function encodeLong(x: bigint): Buffer {
  if (x === 0n) return Buffer.alloc(0);
  const bits = (x < 0n ? -x - 1n : x).toString(2).length;
  let n = (bits >> 3) + 1;
  const bytes: number[] = [];
  let v = x < 0n ? (1n << BigInt(8 * n)) + x : x;
  for (let i = 0; i < n; i++) {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  }
  if (x < 0n && n > 1 && bytes[n - 1] === 0xff && (bytes[n - 2] & 0x80) !== 0) {
    bytes.pop();
    n--;
  }
  return Buffer.from(bytes);
}

export interface PickleOptions {
  /** Overrides the location tag of every storage (default: 'cpu' for TensorSource, the original for TensorRef). */
  location?: string;
}

export class TorchPickler {
  private readonly out = new Out();
  private readonly memoObj = new Map<object, number>();
  private readonly memoStr = new Map<string, number>();
  private readonly memoGlobal = new Map<string, number>();
  private memoNext = 0;
  private readonly storageKeys = new Map<object, string>();
  readonly storages: PendingStorage[] = [];

  constructor(private readonly opts: PickleOptions = {}) {}

  /** Pickles `root` and returns the data.pkl bytes. */
  dump(root: PyValue): Buffer {
    this.out.byte(0x80);
    this.out.byte(2);
    this.save(root as unknown, '');
    this.out.byte(0x2e);
    return Buffer.from(this.out.result());
  }

  private put(): number {
    const i = this.memoNext++;
    if (i < 256) {
      this.out.byte(0x71);
      this.out.byte(i);
    } else {
      this.out.byte(0x72);
      this.out.u32(i);
    }
    return i;
  }

  private get(i: number) {
    if (i < 256) {
      this.out.byte(0x68);
      this.out.byte(i);
    } else {
      this.out.byte(0x6a);
      this.out.u32(i);
    }
  }

  /** Emits a memoised object reference if `obj` was already pickled. */
  private fromMemo(obj: object): boolean {
    const i = this.memoObj.get(obj);
    if (i === undefined) return false;
    this.get(i);
    return true;
  }

  private memoize(obj: object) {
    this.memoObj.set(obj, this.put());
  }

  private global(module: string, name: string) {
    const k = `${module}\n${name}\n`;
    const i = this.memoGlobal.get(k);
    if (i !== undefined) return this.get(i);
    this.out.byte(0x63);
    this.out.bytes(Buffer.from(k, 'utf8'));
    this.memoGlobal.set(k, this.put());
  }

  private int(v: number | bigint): void {
    if (typeof v === 'number') {
      if (v >= 0 && v <= 0xff) {
        this.out.byte(0x4b);
        this.out.byte(v);
        return;
      }
      if (v >= 0 && v <= 0xffff) {
        this.out.byte(0x4d);
        this.out.u16(v);
        return;
      }
      if (v >= -0x80000000 && v <= 0x7fffffff) {
        this.out.byte(0x4a);
        this.out.i32(v);
        return;
      }
      v = BigInt(v);
    }
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.int(Number(v));
    const b = encodeLong(v);
    if (b.length < 256) {
      this.out.byte(0x8a);
      this.out.byte(b.length);
    } else {
      this.out.byte(0x8b);
      this.out.i32(b.length);
    }
    this.out.bytes(b);
  }

  private str(s: string) {
    const i = this.memoStr.get(s);
    if (i !== undefined) return this.get(i);
    const b = Buffer.from(s, 'utf8');
    this.out.byte(0x58);
    this.out.u32(b.length);
    this.out.bytes(b);
    this.memoStr.set(s, this.put());
  }

  /** A tuple of already-JS values, as CPython's save_tuple. `key` memoises it by identity. */
  private tuple(items: unknown[], at: string, key?: object) {
    if (key && this.fromMemo(key)) return;
    if (items.length === 0) {
      this.out.byte(0x29);
      return;
    }
    if (items.length <= 3) {
      for (const [i, x] of items.entries()) this.save(x, sub(at, i));
      this.out.byte(0x84 + items.length); // TUPLE1..3 = 0x85..0x87
    } else {
      this.out.byte(0x28);
      for (const [i, x] of items.entries()) this.save(x, sub(at, i));
      this.out.byte(0x74);
    }
    if (key) this.memoize(key);
    else this.put();
  }

  private setItems(entries: Array<[PyKey, PyValue]>, at: string, exact: boolean) {
    if (exact && entries.length === 1) {
      this.save(entries[0][0], at);
      this.save(entries[0][1], sub(at, String(entries[0][0])));
      this.out.byte(0x73);
      return;
    }
    for (let s = 0; s < entries.length; s += BATCH) {
      const batch = entries.slice(s, s + BATCH);
      if (!exact && batch.length === 1) {
        this.save(batch[0][0], at);
        this.save(batch[0][1], sub(at, String(batch[0][0])));
        this.out.byte(0x73);
        continue;
      }
      this.out.byte(0x28);
      for (const [k, v] of batch) {
        this.save(k, at);
        this.save(v, sub(at, String(k)));
      }
      this.out.byte(0x75);
    }
  }

  private appends(items: unknown[], at: string) {
    if (items.length === 1) {
      this.save(items[0], sub(at, 0));
      this.out.byte(0x61);
      return;
    }
    for (let s = 0; s < items.length; s += BATCH) {
      this.out.byte(0x28);
      items.slice(s, s + BATCH).forEach((x, i) => this.save(x, sub(at, s + i)));
      this.out.byte(0x65);
    }
  }

  private bytes(b: Uint8Array, key: object) {
    if (this.fromMemo(key)) return;
    if (b.length === 0) {
      this.global('__builtin__', 'bytes');
      this.out.byte(0x29);
    } else {
      this.global('_codecs', 'encode');
      this.tuple([Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1'), 'latin1'], '');
    }
    this.out.byte(0x52);
    this.memoize(key);
  }

  private save(v: unknown, at: string): void {
    if (v === null) return this.out.byte(0x4e);
    if (v === true) return this.out.byte(0x88);
    if (v === false) return this.out.byte(0x89);
    if (typeof v === 'number') {
      if (Number.isInteger(v)) {
        if (!Number.isSafeInteger(v)) return this.int(BigInt(v));
        return this.int(v);
      }
      this.out.byte(0x47);
      return this.out.f64be(v);
    }
    if (typeof v === 'bigint') return this.int(v);
    if (typeof v === 'string') return this.str(v);
    if (v instanceof PyFloat) {
      this.out.byte(0x47);
      return this.out.f64be(v.value);
    }
    if (typeof v !== 'object') throw new SoloError(`cannot pickle ${typeof v}${at ? ` at ${at}` : ''}`);
    if (v instanceof Uint8Array) return this.bytes(v, v);
    if (Array.isArray(v)) {
      if (this.fromMemo(v)) return;
      this.out.byte(0x5d);
      this.memoize(v);
      if (v.length) this.appends(v, at);
      return;
    }
    if (v instanceof PyTuple) return this.tuple(v.items, at, v);
    if (v instanceof PyDict) {
      if (this.fromMemo(v)) return;
      const entries = [...v.map];
      if (v.kind === 'dict') {
        this.out.byte(0x7d);
        this.memoize(v);
        if (entries.length) this.setItems(entries, at, true);
        return;
      }
      this.global('collections', 'OrderedDict');
      this.out.byte(0x29);
      this.out.byte(0x52);
      this.memoize(v);
      if (entries.length) this.setItems(entries, at, false);
      if (v.metadata !== undefined) {
        this.save(new PyDict([['_metadata', v.metadata]]), sub(at, "_metadata"));
        this.out.byte(0x62);
      }
      return;
    }
    if (v instanceof PyNamespace) {
      if (this.fromMemo(v)) return;
      this.global('argparse', 'Namespace');
      this.out.byte(0x29);
      this.out.byte(0x81);
      this.memoize(v);
      this.save(new PyDict(v.fields), at);
      this.out.byte(0x62);
      return;
    }
    if (v instanceof PyEnum) {
      if (this.fromMemo(v)) return;
      const byValue = v.pickleBy ? v.pickleBy === 'value' : v.value !== undefined;
      if (byValue) {
        if (v.value === undefined) throw new SoloError(`enum ${v.cls} member ${v.name ?? '?'} has no known value to pickle by`);
        this.global(v.module, v.className);
        this.tuple([v.value], at);
      } else {
        if (v.name === undefined) throw new SoloError(`enum ${v.cls} value ${String(v.value)} has no known member name to pickle by`);
        this.global('__builtin__', 'getattr');
        this.global(v.module, v.className);
        this.str(v.name);
        this.out.byte(0x86);
        this.put();
      }
      this.out.byte(0x52);
      this.memoize(v);
      return;
    }
    if (v instanceof PyTorchDType) return this.global('torch', v.name);
    if (v instanceof PySet) {
      if (this.fromMemo(v)) return;
      this.global('__builtin__', v.frozen ? 'frozenset' : 'set');
      this.tuple([[...v.items]], at);
      this.out.byte(0x52);
      this.memoize(v);
      return;
    }
    if (v instanceof NumpyDType) {
      if (this.fromMemo(v)) return;
      this.global('numpy', 'dtype');
      this.tuple([v.str, false, true], at);
      this.out.byte(0x52);
      this.memoize(v);
      this.tuple([3, v.byteorder, null, null, null, -1, -1, 0], at);
      this.out.byte(0x62);
      return;
    }
    if (v instanceof NumpyArray) {
      if (this.fromMemo(v)) return;
      this.global('numpy.core.multiarray', '_reconstruct');
      this.out.byte(0x28);
      this.global('numpy', 'ndarray');
      this.tuple([0], at);
      this.bytes(Buffer.from('b'), {});
      this.out.byte(0x74);
      this.put();
      this.out.byte(0x52);
      this.memoize(v);
      this.tuple([1, new PyTuple(v.shape), v.dtype, v.fortranOrder, v.data], at);
      this.out.byte(0x62);
      return;
    }
    if (v instanceof NumpyScalar) {
      if (this.fromMemo(v)) return;
      this.global('numpy.core.multiarray', 'scalar');
      this.tuple([v.dtype, v.data], at);
      this.out.byte(0x52);
      this.memoize(v);
      return;
    }
    if (v instanceof TensorSource || isTensorRef(v)) return this.tensor(v, at);
    throw new SoloError(`cannot pickle ${(v as object).constructor?.name ?? 'object'}${at ? ` at ${at}` : ''}`);
  }

  private tensor(t: TensorSource | TensorRef, at: string) {
    if (this.fromMemo(t)) return;
    if (t.parameter) {
      // torch.nn.Parameter.__reduce_ex__: (_rebuild_parameter, (self.data, requires_grad, OrderedDict()))
      this.global('torch._utils', '_rebuild_parameter');
      this.plainTensor(t, at, false);
      this.put();
      this.save(t.requiresGrad, at);
      this.global('collections', 'OrderedDict');
      this.out.byte(0x29);
      this.out.byte(0x52);
      this.put();
      this.out.byte(0x87);
      this.put();
      this.out.byte(0x52);
    } else {
      this.plainTensor(t, at, t.requiresGrad);
    }
    this.memoize(t);
  }

  /** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())` REDUCE (the caller memoises). */
  private plainTensor(t: TensorSource | TensorRef, at: string, requiresGrad: boolean) {
    let storageId: object;
    let dtype: TorchDType;
    let numel: number;
    let location: string;
    let offset: number;
    let stride: number[];
    let produce: PendingStorage['produce'];
    if (t instanceof TensorSource) {
      storageId = t;
      dtype = t.dtype;
      numel = t.numel;
      location = t.location;
      offset = 0;
      stride = contiguousStride(t.shape);
      const nbytes = t.nbytes;
      produce = async (sink) => {
        const data = typeof t.data === 'function' ? await t.data() : t.data;
        if (data.length !== nbytes) {
          throw new SoloError(`tensor ${at}: data has ${data.length} bytes, expected ${nbytes} (${t.dtype} [${t.shape.join(', ')}])`);
        }
        await sink(data);
      };
    } else {
      const s: StorageRef = t.storage;
      storageId = s;
      dtype = s.dtype;
      numel = s.numel;
      location = s.location;
      offset = t.storageOffset;
      stride = [...t.stride];
      produce = async (sink) => {
        if (s.stream) return s.stream(sink, STREAM_CHUNK);
        const per = Math.max(1, Math.floor(STREAM_CHUNK / TORCH_DTYPES[s.dtype].itemsize));
        for (let e = 0; e < s.numel; e += per) await sink(await s.readElements(e, Math.min(per, s.numel - e)));
      };
    }
    if (this.opts.location) location = this.opts.location;
    let key = this.storageKeys.get(storageId);
    if (key === undefined) {
      key = String(this.storageKeys.size);
      this.storageKeys.set(storageId, key);
      this.storages.push({ key, nbytes: numel * TORCH_DTYPES[dtype].itemsize, dtype, produce, label: at });
    }
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.out.byte(0x28);
    // persistent id ('storage', StorageClass, key, location, numel)
    this.out.byte(0x28);
    this.str('storage');
    this.global('torch', TORCH_DTYPES[dtype].storage);
    this.str(key);
    this.str(location);
    this.int(numel);
    this.out.byte(0x74);
    this.put();
    this.out.byte(0x51);
    this.int(offset);
    this.tuple([...t.shape], at);
    this.tuple(stride, at);
    this.save(requiresGrad, at);
    this.global('collections', 'OrderedDict');
    this.out.byte(0x29);
    this.out.byte(0x52);
    this.put();
    this.out.byte(0x74);
    this.put();
    this.out.byte(0x52);
  }
}

/** Key path of a child, as `TorchFile.tensors()` writes it. */
function sub(at: string, k: unknown): string {
  return at ? `${at}/${String(k)}` : String(k);
}

export function contiguousStride(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = s;
    s *= shape[i];
  }
  return stride;
}
