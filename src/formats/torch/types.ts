/**
 * The JS object model for values found in `torch.save` files (spec model-conversion §7.4).
 *
 * Hand-written because Python's value model has distinctions JS lacks and that a checkpoint must
 * keep to load back into the same object graph: int vs float (`1` vs `1.0`), tuple vs list,
 * dict vs OrderedDict, argparse.Namespace, enums, torch dtypes, bytes.
 *
 * Mapping (reader output; the writer accepts the same shapes):
 *
 * | Python                         | JS                                                            |
 * |--------------------------------|---------------------------------------------------------------|
 * | None / bool / str              | `null` / `boolean` / `string`                                 |
 * | int                            | `number` when |v| ≤ 2^53−1, else `bigint`                     |
 * | float                          | `PyFloat` (always, when read). On WRITE a plain JS `number`   |
 * |                                | that is not an integer is also written as a float; an integer |
 * |                                | JS number is written as an int. Use `pyFloat(1)` for `1.0`.   |
 * | bytes / bytearray              | `Uint8Array` (a Buffer is fine)                               |
 * | list                           | `PyValue[]`                                                   |
 * | tuple                          | `PyTuple`                                                     |
 * | dict / collections.OrderedDict | `PyDict` (`kind` says which; `metadata` = OrderedDict `_metadata`) |
 * | argparse.Namespace             | `PyNamespace` (fields in insertion order)                     |
 * | enum.Enum member               | `PyEnum` (class path, member name, value)                     |
 * | torch.float32, torch.bfloat16… | `PyTorchDType`                                                |
 * | set / frozenset                | `PySet`                                                       |
 * | numpy ndarray / dtype / scalar | `NumpyArray` / `NumpyDType` / `NumpyScalar`                   |
 * | torch.Tensor (and Parameter)   | `TensorRef` when read (lazy); `TensorRef` or `TensorSource` when written |
 *
 * Dict keys (`PyKey`) are str, int (number/bigint), bool or None: what checkpoints use.
 */
import { SoloError } from '../../errors.js';

/** Tensor element types supported by the reader/writer (names as in `torch.<name>`). */
export type TorchDType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool'
  | 'complex64'
  | 'complex128';

export interface TorchDTypeInfo {
  /** Legacy storage class name under `torch.` (what `torch.save` pickles), e.g. `BFloat16Storage`. */
  storage: string;
  /** Bytes per element. */
  itemsize: number;
}

export const TORCH_DTYPES: Readonly<Record<TorchDType, TorchDTypeInfo>> = {
  float32: { storage: 'FloatStorage', itemsize: 4 },
  float64: { storage: 'DoubleStorage', itemsize: 8 },
  float16: { storage: 'HalfStorage', itemsize: 2 },
  bfloat16: { storage: 'BFloat16Storage', itemsize: 2 },
  int64: { storage: 'LongStorage', itemsize: 8 },
  int32: { storage: 'IntStorage', itemsize: 4 },
  int16: { storage: 'ShortStorage', itemsize: 2 },
  int8: { storage: 'CharStorage', itemsize: 1 },
  uint8: { storage: 'ByteStorage', itemsize: 1 },
  bool: { storage: 'BoolStorage', itemsize: 1 },
  complex64: { storage: 'ComplexFloatStorage', itemsize: 8 },
  complex128: { storage: 'ComplexDoubleStorage', itemsize: 16 },
};

/** Aliases torch accepts as attribute names of dtypes (`torch.float` is `torch.float32`…). */
export const TORCH_DTYPE_ALIASES: Readonly<Record<string, TorchDType>> = {
  float: 'float32',
  double: 'float64',
  half: 'float16',
  long: 'int64',
  int: 'int32',
  short: 'int16',
  cfloat: 'complex64',
  cdouble: 'complex128',
};

export type PyKey = string | number | bigint | boolean | null;

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PyNamespace
  | PyEnum
  | PyTorchDType
  | PySet
  | NumpyArray
  | NumpyDType
  | NumpyScalar
  | TensorRef
  | TensorSource;

/** A Python float. Keeps `1.0` distinct from the int `1`. */
export class PyFloat {
  constructor(readonly value: number) {}
  toString(): string {
    return pyFloatRepr(this.value);
  }
}

/** Shorthand for `new PyFloat(v)`. */
export function pyFloat(v: number): PyFloat {
  return new PyFloat(v);
}

/** A Python tuple (a JS array is a list). */
export class PyTuple {
  readonly items: PyValue[];
  constructor(items: Iterable<PyValue> = []) {
    this.items = [...items];
  }
  get length(): number {
    return this.items.length;
  }
}

export function pyTuple(...items: PyValue[]): PyTuple {
  return new PyTuple(items);
}

/**
 * A Python `dict` or `collections.OrderedDict`; both keep insertion order.
 * `metadata`: for an OrderedDict written by `state_dict()`, the `_metadata` attribute
 * (an OrderedDict prefix → `{'version': 1}`), read from / written as the BUILD state. Optional.
 */
export class PyDict {
  readonly map: Map<PyKey, PyValue>;
  kind: 'dict' | 'OrderedDict';
  metadata?: PyValue;
  constructor(entries: Iterable<readonly [PyKey, PyValue]> = [], kind: 'dict' | 'OrderedDict' = 'dict') {
    this.map = new Map(entries as Iterable<[PyKey, PyValue]>);
    this.kind = kind;
  }
  get size(): number {
    return this.map.size;
  }
  get(key: PyKey): PyValue | undefined {
    return this.map.get(key);
  }
  has(key: PyKey): boolean {
    return this.map.has(key);
  }
  set(key: PyKey, value: PyValue): this {
    this.map.set(key, value);
    return this;
  }
  keys(): IterableIterator<PyKey> {
    return this.map.keys();
  }
  entries(): IterableIterator<[PyKey, PyValue]> {
    return this.map.entries();
  }
}

/** A plain `dict` from a JS object or entries (insertion order kept). */
export function pyDict(init: Record<string, PyValue> | Iterable<readonly [PyKey, PyValue]> = []): PyDict {
  return new PyDict(isIterable(init) ? init : Object.entries(init), 'dict');
}

/** A `collections.OrderedDict` (what `state_dict()` returns). */
export function orderedDict(init: Record<string, PyValue> | Iterable<readonly [PyKey, PyValue]> = [], metadata?: PyValue): PyDict {
  const d = new PyDict(isIterable(init) ? init : Object.entries(init), 'OrderedDict');
  if (metadata !== undefined) d.metadata = metadata;
  return d;
}

/** `argparse.Namespace`: attributes in insertion order. */
export class PyNamespace {
  readonly fields: Map<string, PyValue>;
  constructor(fields: Iterable<readonly [string, PyValue]> | Record<string, PyValue> = []) {
    this.fields = new Map(isIterable(fields) ? (fields as Iterable<[string, PyValue]>) : Object.entries(fields));
  }
  get(name: string): PyValue | undefined {
    return this.fields.get(name);
  }
  has(name: string): boolean {
    return this.fields.has(name);
  }
  set(name: string, value: PyValue): this {
    this.fields.set(name, value);
    return this;
  }
}

/**
 * An `enum.Enum` member, e.g. `megatron.model.enums.PositionEmbeddingType.rotary` (value 1).
 * `cls` is `module.QualName`. Python ≤ 3.10 pickles members by value (`Cls(1)`), 3.11+ by name
 * (`getattr(Cls, 'rotary')`); the reader fills the missing half from a table of known Megatron
 * enums (`KNOWN_ENUMS`), else leaves it `undefined`.
 * `pickleBy` chooses the writer's form; default: 'value' when the value is known (the reference
 * image's Python 3.10, spec §7.6), else 'name'.
 */
export class PyEnum {
  constructor(
    readonly cls: string,
    readonly name: string | undefined,
    readonly value: PyValue | undefined,
    public pickleBy?: 'name' | 'value',
  ) {}
  get module(): string {
    return this.cls.slice(0, this.cls.lastIndexOf('.'));
  }
  get className(): string {
    return this.cls.slice(this.cls.lastIndexOf('.') + 1);
  }
}

/** Megatron enums (megatron/model/enums.py of the SOLO fork): class path → member name → value. */
export const KNOWN_ENUMS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'megatron.model.enums.LayerType': { encoder: 1, decoder: 2 },
  'megatron.model.enums.AttnType': { self_attn: 1, cross_attn: 2 },
  'megatron.model.enums.AttnMaskType': { padding: 1, causal: 2 },
  'megatron.model.enums.PositionEmbeddingType': { rotary: 1, absolute: 2 },
  'megatron.model.enums.ModelType': { encoder_or_decoder: 1, encoder_and_decoder: 2 },
};

/** Builds a known enum member by name (value filled from `KNOWN_ENUMS`). */
export function pyEnum(cls: string, name: string, pickleBy?: 'name' | 'value'): PyEnum {
  const value = KNOWN_ENUMS[cls]?.[name];
  return new PyEnum(cls, name, value, pickleBy);
}

/** A torch dtype object used as a value (e.g. `args.params_dtype = torch.bfloat16`). */
export class PyTorchDType {
  constructor(readonly name: TorchDType) {}
}

/** `set` / `frozenset`. */
export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen = false,
  ) {}
}

/** `numpy.dtype`, e.g. `str` = 'u4', `byteorder` = '<' (from the BUILD state; '|' for 1-byte types). */
export class NumpyDType {
  constructor(
    readonly str: string,
    public byteorder: string = '<',
  ) {}
  /** Bytes per element, from the type string ('u4' → 4, 'f8' → 8, 'b1'/'?' → 1). */
  get itemsize(): number {
    const m = /(\d+)$/.exec(this.str);
    return m ? Number(m[1]) : 1;
  }
}

/** A numpy ndarray (e.g. the MT19937 key in `np_rng_state`): raw bytes in `dtype.byteorder`. */
export class NumpyArray {
  constructor(
    public dtype: NumpyDType,
    public shape: number[],
    public fortranOrder: boolean,
    public data: Uint8Array,
  ) {}
}

/** A numpy scalar (`numpy.core.multiarray.scalar(dtype, bytes)`). */
export class NumpyScalar {
  constructor(
    readonly dtype: NumpyDType,
    readonly data: Uint8Array,
  ) {}
}

/** A storage record (`<prefix>/data/<key>`) of a file being read. */
export interface StorageRef {
  /** Record key: the decimal name under `data/`. Tensors sharing a key share storage. */
  readonly key: string;
  readonly dtype: TorchDType;
  /** `torch.<storage>` class name as pickled, e.g. `BFloat16Storage` (`UntypedStorage` for v3 tensors). */
  readonly storageClass: string;
  /** `cpu`, `cuda:0`… (informational; data is always read to host memory). */
  readonly location: string;
  /** Number of elements in the whole storage. */
  readonly numel: number;
  /** Byte length of the record (numel × itemsize). */
  readonly nbytes: number;
  /** Reads `count` elements from element `elemOffset` (little-endian bytes). */
  readElements(elemOffset: number, count: number): Promise<Buffer>;
  /**
   * Optional: pushes the whole record through `sink` in chunks of about `chunkBytes`, checking its
   * CRC-32 at the end (used by the writer to copy storages without holding them in memory).
   */
  stream?(sink: (chunk: Buffer) => Promise<void>, chunkBytes?: number): Promise<void>;
}

/**
 * A tensor in a file being read. Nothing is loaded until `read()`.
 * View semantics as torch: element (i0, i1, …) is storage element `storageOffset + Σ ik·stride[k]`.
 */
export interface TensorRef {
  readonly kind: 'tensor-ref';
  readonly dtype: TorchDType;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  /** In elements. */
  readonly storageOffset: number;
  readonly storage: StorageRef;
  readonly requiresGrad: boolean;
  /** A `torch.nn.Parameter` (pickled through `_rebuild_parameter`) rather than a plain tensor. */
  readonly parameter: boolean;
  /** Product of `shape` (1 for a 0-d tensor). */
  readonly numel: number;
  /** numel × itemsize. */
  readonly nbytes: number;
  /** Row-major strides and a view that covers its elements without gaps. */
  isContiguous(): boolean;
  /** The tensor's elements, row-major, little-endian (handles strides, offsets and shared storages). */
  read(): Promise<Buffer>;
}

/** Data for a `TensorSource`: the bytes, or a function called once, when the record is written. */
export type TensorData = Uint8Array | (() => Uint8Array | Promise<Uint8Array>);

/**
 * A tensor to write. `data` must be row-major little-endian, exactly numel × itemsize bytes.
 * Pass a function to produce it lazily: the writer calls it when it writes this tensor's record
 * and drops the bytes right after, so a checkpoint never sits in memory as a whole.
 */
export class TensorSource {
  readonly kind = 'tensor-source' as const;
  readonly dtype: TorchDType;
  readonly shape: readonly number[];
  readonly data: TensorData;
  /** Storage location tag (default 'cpu'). */
  readonly location: string;
  readonly requiresGrad: boolean;
  /** Write as a `torch.nn.Parameter` (default false: a plain tensor, as in state dicts). */
  readonly parameter: boolean;
  constructor(init: { dtype: TorchDType; shape: readonly number[]; data: TensorData; location?: string; requiresGrad?: boolean; parameter?: boolean }) {
    if (!(init.dtype in TORCH_DTYPES)) throw new SoloError(`unsupported tensor dtype ${String(init.dtype)}`);
    for (const d of init.shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new SoloError(`bad tensor shape [${init.shape.join(', ')}]`);
    }
    this.dtype = init.dtype;
    this.shape = [...init.shape];
    this.data = init.data;
    this.location = init.location ?? 'cpu';
    this.requiresGrad = init.requiresGrad ?? false;
    this.parameter = init.parameter ?? false;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get nbytes(): number {
    return this.numel * TORCH_DTYPES[this.dtype].itemsize;
  }
}

export function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'tensor-ref';
}

export function isTensor(v: unknown): v is TensorRef | TensorSource {
  return isTensorRef(v) || v instanceof TensorSource;
}

/** A record of the zip container. */
export interface TorchZipEntry {
  /** Full name, e.g. `model_optim_rng/data/0`. */
  name: string;
  /** Offset of the local header. */
  headerOffset: number;
  /** Offset of the stored bytes. */
  dataOffset: number;
  size: number;
  crc32: number;
}

/** An open `torch.save` file (see `loadTorchFile`). Close it when done with its tensors. */
export interface TorchFile {
  readonly path: string;
  /** Archive name prefix (first entry name up to `/`). */
  readonly prefix: string;
  /** Zip records in archive order. */
  readonly entries: readonly TorchZipEntry[];
  /** Content of the `version` record, trimmed (e.g. '3'). */
  readonly version: string;
  /** From the `byteorder` record; 'little' if absent (torch < 2.1). Big-endian data is byte-swapped on read. */
  readonly byteorder: 'little' | 'big';
  /** The unpickled object. */
  readonly root: PyValue;
  /** Every tensor with its key path ('/'-joined dict keys, attribute names, list indices), in pickle order. */
  tensors(): Array<[string, TensorRef]>;
  close(): Promise<void>;
}

/** Python `repr(float)`: shortest round-trip digits, '1.0', '1e-05', '1e+16', 'inf', 'nan'. */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  // Shortest digits and decimal exponent from JS's own shortest round-trip formatting.
  const [mant, expStr] = v.toExponential().split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

function isIterable(x: unknown): x is Iterable<readonly [PyKey, PyValue]> {
  return typeof x === 'object' && x !== null && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
