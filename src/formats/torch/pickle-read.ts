/**
 * Restricted unpickler for torch.save `data.pkl` streams (spec §7.3–7.5).
 *
 * Hand-written on purpose: Python's pickle executes arbitrary callables; this VM only builds
 * values. GLOBAL/STACK_GLOBAL names are checked against an allow-list and become inert markers;
 * REDUCE/NEWOBJ/BUILD on a marker construct the matching JS value (tensor, OrderedDict, Namespace,
 * enum, numpy array…). Any other global is an error that names it. Protocols 0–5 opcodes are
 * decoded (no EXT/INST/OBJ/out-of-band buffers).
 */
import { SoloError } from '../../errors.js';
import {
  KNOWN_ENUMS,
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
  TORCH_DTYPE_ALIASES,
  isTensorRef,
  type PyKey,
  type PyValue,
  type TorchDType,
} from './types.js';

/** Role of an allow-listed global. */
type GlobalRole =
  | 'OrderedDict'
  | 'rebuild_tensor_v2'
  | 'rebuild_tensor_v3'
  | 'rebuild_parameter'
  | 'rebuild_parameter_with_state'
  | 'storage'
  | 'Namespace'
  | 'getattr'
  | 'enum'
  | 'np_reconstruct'
  | 'np_ndarray'
  | 'np_dtype'
  | 'np_scalar'
  | 'codecs_encode'
  | 'bytes'
  | 'bytearray'
  | 'set'
  | 'frozenset'
  | 'torch_size'
  | 'dict'
  | 'list'
  | 'tuple';

/** An allow-listed global as pushed by GLOBAL (inert: never called, only interpreted). */
export class GlobalMarker {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly role: GlobalRole,
    /** For storage classes: their dtype (undefined for UntypedStorage). */
    readonly dtype?: TorchDType,
  ) {}
  get path(): string {
    return `${this.module}.${this.name}`;
  }
}

const STORAGE_DTYPES: Record<string, TorchDType> = Object.fromEntries(
  (Object.entries(TORCH_DTYPES) as Array<[TorchDType, { storage: string }]>).map(([dt, info]) => [info.storage, dt]),
);

/** Python-2 module names mapped to Python 3 (protocol < 3 writes these). */
const MODULE_ALIASES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

function resolveGlobal(moduleIn: string, name: string): GlobalMarker | PyTorchDType {
  const module = MODULE_ALIASES[moduleIn] ?? moduleIn;
  const m = (role: GlobalRole, dtype?: TorchDType) => new GlobalMarker(module, name, role, dtype);
  switch (`${module}.${name}`) {
    case 'collections.OrderedDict':
      return m('OrderedDict');
    case 'torch._utils._rebuild_tensor_v2':
      return m('rebuild_tensor_v2');
    case 'torch._utils._rebuild_tensor_v3':
      return m('rebuild_tensor_v3');
    case 'torch._utils._rebuild_parameter':
      return m('rebuild_parameter');
    case 'torch._utils._rebuild_parameter_with_state':
      return m('rebuild_parameter_with_state');
    case 'torch.UntypedStorage':
    case 'torch.storage.UntypedStorage':
      return m('storage');
    case 'argparse.Namespace':
      return m('Namespace');
    case 'builtins.getattr':
      return m('getattr');
    case 'numpy.core.multiarray._reconstruct':
    case 'numpy._core.multiarray._reconstruct':
      return m('np_reconstruct');
    case 'numpy.ndarray':
      return m('np_ndarray');
    case 'numpy.dtype':
      return m('np_dtype');
    case 'numpy.core.multiarray.scalar':
    case 'numpy._core.multiarray.scalar':
      return m('np_scalar');
    case '_codecs.encode':
      return m('codecs_encode');
    case 'builtins.bytes':
      return m('bytes');
    case 'builtins.bytearray':
      return m('bytearray');
    case 'builtins.set':
      return m('set');
    case 'builtins.frozenset':
      return m('frozenset');
    case 'builtins.dict':
      return m('dict');
    case 'builtins.list':
      return m('list');
    case 'builtins.tuple':
      return m('tuple');
    case 'torch.Size':
      return m('torch_size');
  }
  if (module === 'torch' && name in STORAGE_DTYPES) return m('storage', STORAGE_DTYPES[name]);
  if (module === 'torch' && (name in TORCH_DTYPES || name in TORCH_DTYPE_ALIASES)) {
    return new PyTorchDType((TORCH_DTYPE_ALIASES[name] ?? name) as TorchDType);
  }
  // Enums: the known Megatron ones and any class of a `megatron.….enums` module.
  if (`${module}.${name}` in KNOWN_ENUMS || (module.startsWith('megatron.') && module.endsWith('.enums') && /^[A-Z]\w*$/.test(name))) {
    return m('enum');
  }
  throw new SoloError(`refusing to unpickle global ${module}.${name}: not on the allow-list of torch checkpoint types (nothing was executed)`);
}

class Mark {}
const MARK = new Mark();

/** What the loader supplies for BINPERSID: the storage for a pid tuple. */
export type PersistentLoad = (pid: PyValue[]) => unknown;
/** Builds a tensor for `_rebuild_tensor_v2/v3`. */
export type RebuildTensor = (storage: unknown, offset: number, shape: number[], stride: number[], requiresGrad: boolean, dtype?: TorchDType) => PyValue;

export interface UnpickleHooks {
  persistentLoad: PersistentLoad;
  rebuildTensor: RebuildTensor;
  /** `torch.nn.Parameter(data, requires_grad)`. */
  rebuildParameter: (data: PyValue, requiresGrad: boolean) => PyValue;
}

type Item = PyValue | GlobalMarker | Mark | unknown;

function enumFromName(cls: GlobalMarker, name: string): PyEnum {
  const value = KNOWN_ENUMS[cls.path]?.[name];
  return new PyEnum(cls.path, name, value, 'name');
}

function enumFromValue(cls: GlobalMarker, value: PyValue): PyEnum {
  const table = KNOWN_ENUMS[cls.path];
  const name = table ? Object.keys(table).find((k) => table[k] === value) : undefined;
  return new PyEnum(cls.path, name, value, 'value');
}

function asInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new SoloError(`pickle: ${what} must be an int, got ${describeItem(v)}`);
}

function intTuple(v: unknown, what: string): number[] {
  if (v instanceof PyTuple) return v.items.map((x) => asInt(x, what));
  if (Array.isArray(v)) return v.map((x) => asInt(x, what));
  throw new SoloError(`pickle: ${what} must be a tuple of ints, got ${describeItem(v)}`);
}

function describeItem(v: unknown): string {
  if (v instanceof GlobalMarker) return `global ${v.path}`;
  if (v === null) return 'None';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function toKey(k: unknown): PyKey {
  if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return k;
  if (k instanceof PyFloat && Number.isInteger(k.value)) return k.value;
  throw new SoloError(`pickle: unsupported dict key type ${describeItem(k)}`);
}

function latin1Bytes(s: string, what: string): Uint8Array {
  const out = Buffer.allocUnsafe(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new SoloError(`pickle: ${what}: code point ${c} is not latin-1`);
    out[i] = c;
  }
  return out;
}

function normInt(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function decodeLong(b: Buffer): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return normInt(v);
}

/** Unpickles `data`; the result may still contain GlobalMarkers (the caller rejects them). */
export function unpickle(data: Buffer, hooks: UnpickleHooks, file = 'data.pkl'): unknown {
  let pos = 0;
  const stack: Item[] = [];
  const memo = new Map<number, Item>();
  const fail = (msg: string): never => {
    throw new SoloError(`${file}: ${msg} (pickle offset ${pos})`);
  };
  const need = (n: number) => {
    if (pos + n > data.length) fail('truncated pickle');
  };
  const u8 = () => (need(1), data[pos++]);
  const take = (n: number) => {
    need(n);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle (no newline)');
    const s = data.toString('latin1', pos, end);
    pos = end + 1;
    return s;
  };
  const pop = (): Item => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): Item => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): Item[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) fail('MARK not found');
    const items = stack.slice(i + 1);
    stack.length = i;
    return items;
  };
  const value = (v: Item): PyValue => v as PyValue;
  const setItems = (target: Item, kv: Item[]) => {
    if (!(target instanceof PyDict)) fail(`SETITEM(S) on ${describeItem(target)}`);
    const d = target as PyDict;
    for (let i = 0; i + 1 < kv.length; i += 2) d.map.set(toKey(kv[i]), value(kv[i + 1]));
  };
  const appendItems = (target: Item, items: Item[]) => {
    if (Array.isArray(target)) target.push(...(items as PyValue[]));
    else if (target instanceof PySet && !target.frozen) target.items.push(...(items as PyValue[]));
    else fail(`APPEND(S) on ${describeItem(target)}`);
  };
  const getMemo = (i: number): Item => {
    if (!memo.has(i)) fail(`memo key ${i} missing`);
    return memo.get(i);
  };

  const reduce = (fn: Item, args: Item): Item => {
    if (!(args instanceof PyTuple)) return fail(`REDUCE arguments must be a tuple, got ${describeItem(args)}`);
    const a = args.items as Item[];
    if (!(fn instanceof GlobalMarker)) return fail(`REDUCE on ${describeItem(fn)} (not an allow-listed callable)`);
    switch (fn.role) {
      case 'OrderedDict': {
        const d = new PyDict([], 'OrderedDict');
        if (a.length > 0) {
          const src = a[0];
          const pairs = Array.isArray(src) ? src : src instanceof PyTuple ? src.items : src instanceof PyDict ? [...src.map].map(([k, v]) => new PyTuple([k, v])) : fail('OrderedDict() argument');
          for (const p of pairs as Item[]) {
            if (!(p instanceof PyTuple) || p.items.length !== 2) fail('OrderedDict() item is not a pair');
            d.map.set(toKey((p as PyTuple).items[0]), (p as PyTuple).items[1]);
          }
        }
        return d;
      }
      case 'rebuild_tensor_v2':
      case 'rebuild_tensor_v3': {
        if (a.length < 6) fail(`${fn.name} needs 6 arguments, got ${a.length}`);
        let dtype: TorchDType | undefined;
        if (fn.role === 'rebuild_tensor_v3') {
          if (!(a[6] instanceof PyTorchDType)) fail('_rebuild_tensor_v3: argument 7 is not a torch dtype');
          dtype = (a[6] as PyTorchDType).name;
        }
        if (typeof a[4] !== 'boolean') fail('_rebuild_tensor: requires_grad is not a bool');
        return hooks.rebuildTensor(a[0], asInt(a[1], 'storage_offset'), intTuple(a[2], 'size'), intTuple(a[3], 'stride'), a[4] as boolean, dtype);
      }
      case 'rebuild_parameter':
      case 'rebuild_parameter_with_state': {
        if (!isTensorRef(a[0])) fail(`${fn.name}: data is not a tensor`);
        if (typeof a[1] !== 'boolean') fail(`${fn.name}: requires_grad is not a bool`);
        return hooks.rebuildParameter(a[0] as PyValue, a[1] as boolean);
      }
      case 'getattr': {
        const [cls, name] = a;
        if (cls instanceof GlobalMarker && cls.role === 'enum' && typeof name === 'string' && a.length === 2) return enumFromName(cls, name);
        return fail(`getattr(${describeItem(cls)}, …) is only allowed on enum classes`);
      }
      case 'enum':
        if (a.length !== 1) fail(`enum ${fn.path} called with ${a.length} arguments`);
        return enumFromValue(fn, value(a[0]));
      case 'codecs_encode': {
        if (typeof a[0] !== 'string' || (a.length > 1 && a[1] !== 'latin1' && a[1] !== 'latin-1')) fail('_codecs.encode: only (str, "latin1") is allowed');
        return latin1Bytes(a[0] as string, '_codecs.encode');
      }
      case 'bytes':
      case 'bytearray': {
        if (a.length === 0) return new Uint8Array(0);
        const src = a[0];
        if (Array.isArray(src)) return Uint8Array.from(src.map((x) => asInt(x, 'byte')));
        if (src instanceof Uint8Array) return Uint8Array.from(src);
        if (typeof src === 'string' && (a[1] === 'latin1' || a[1] === 'latin-1')) return latin1Bytes(src, 'bytes()');
        return fail(`${fn.name}() with unsupported arguments`);
      }
      case 'set':
      case 'frozenset': {
        const src = a[0];
        const items = a.length === 0 ? [] : Array.isArray(src) ? src : src instanceof PyTuple ? src.items : fail(`${fn.name}() argument`);
        return new PySet([...(items as PyValue[])], fn.role === 'frozenset');
      }
      case 'torch_size':
      case 'tuple': {
        const src = a[0];
        if (a.length === 0) return new PyTuple([]);
        if (src instanceof PyTuple) return new PyTuple(src.items);
        if (Array.isArray(src)) return new PyTuple(src);
        return fail(`${fn.path}() argument`);
      }
      case 'list':
        return a.length === 0 ? [] : a[0] instanceof PyTuple ? [...(a[0] as PyTuple).items] : Array.isArray(a[0]) ? [...a[0]] : fail('list() argument');
      case 'dict':
        if (a.length === 0) return new PyDict();
        return fail('dict() with arguments');
      case 'np_reconstruct': {
        if (!(a[0] instanceof GlobalMarker) || a[0].role !== 'np_ndarray') fail('_reconstruct of something other than numpy.ndarray');
        return new NumpyArray(new NumpyDType('b', '|'), [0], false, new Uint8Array(0));
      }
      case 'np_dtype': {
        if (typeof a[0] !== 'string') fail('numpy.dtype() needs a type string');
        const s = a[0] as string;
        return new NumpyDType(s, /^[bBu?]1$|^[bB?]$|^[iu]1$/.test(s) ? '|' : '<');
      }
      case 'np_scalar': {
        if (!(a[0] instanceof NumpyDType)) fail('numpy scalar without a dtype');
        const raw = a[1] instanceof Uint8Array ? a[1] : typeof a[1] === 'string' ? latin1Bytes(a[1], 'numpy scalar') : fail('numpy scalar data is not bytes');
        return new NumpyScalar(a[0] as NumpyDType, raw as Uint8Array);
      }
      default:
        return fail(`${fn.path} cannot be called`);
    }
  };

  const newobj = (cls: Item, args: Item): Item => {
    if (!(cls instanceof GlobalMarker)) return fail(`NEWOBJ on ${describeItem(cls)}`);
    const a = args instanceof PyTuple ? args.items : [];
    if (cls.role === 'Namespace' && a.length === 0) return new PyNamespace();
    if (cls.role === 'OrderedDict' && a.length === 0) return new PyDict([], 'OrderedDict');
    if (cls.role === 'dict' && a.length === 0) return new PyDict();
    if (cls.role === 'set' || cls.role === 'frozenset') return new PySet([], cls.role === 'frozenset');
    return fail(`cannot instantiate ${cls.path}`);
  };

  const build = (obj: Item, state: Item) => {
    if (obj instanceof PyNamespace) {
      let st = state;
      if (st instanceof PyTuple && st.items.length === 2) st = st.items[0];
      if (!(st instanceof PyDict)) fail('Namespace state is not a dict');
      for (const [k, v] of (st as PyDict).map) {
        if (typeof k !== 'string') fail('Namespace attribute name is not a str');
        obj.fields.set(k as string, v);
      }
      return;
    }
    if (obj instanceof PyDict) {
      if (state instanceof PyDict && state.map.has('_metadata')) obj.metadata = state.map.get('_metadata');
      return;
    }
    if (obj instanceof NumpyDType) {
      if (state instanceof PyTuple && typeof state.items[1] === 'string') obj.byteorder = state.items[1];
      return;
    }
    if (obj instanceof NumpyArray) {
      if (!(state instanceof PyTuple) || state.items.length !== 5) fail('numpy array state is not a 5-tuple');
      const [, shape, dtype, fortran, raw] = (state as PyTuple).items;
      if (!(dtype instanceof NumpyDType)) fail('numpy array state has no dtype');
      if (dtype instanceof NumpyDType && dtype.str.startsWith('O')) fail('numpy object arrays are not allowed');
      obj.shape = intTuple(shape, 'numpy shape');
      obj.dtype = dtype as NumpyDType;
      obj.fortranOrder = fortran === true;
      obj.data = raw instanceof Uint8Array ? raw : typeof raw === 'string' ? latin1Bytes(raw, 'numpy data') : fail('numpy array data is not bytes');
      const n = obj.shape.reduce((x, y) => x * y, 1);
      if (obj.data.length !== n * obj.dtype.itemsize) fail(`numpy array data has ${obj.data.length} bytes, expected ${n * obj.dtype.itemsize}`);
      return;
    }
    if (isTensorRef(obj)) return; // parameter state (hooks, attributes): ignored
    fail(`BUILD on ${describeItem(obj)}`);
  };

  for (;;) {
    if (pos >= data.length) fail('truncated pickle (no STOP)');
    const op = data[pos++];
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} items on the stack`);
        return stack[0];
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x49: {
        // INT (text); protocol 0 encodes bools as I00/I01
        const s = line();
        if (s === '00') stack.push(false);
        else if (s === '01') stack.push(true);
        else stack.push(normInt(BigInt(s)));
        break;
      }
      case 0x4a: // BININT
        stack.push(take(4).readInt32LE(0));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(take(2).readUInt16LE(0));
        break;
      case 0x4c: // LONG (text)
        stack.push(normInt(BigInt(line().replace(/L$/, ''))));
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: {
        const n = take(4).readInt32LE(0);
        if (n < 0) fail('negative LONG4 length');
        stack.push(decodeLong(take(n)));
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(new PyFloat(take(8).readDoubleBE(0)));
        break;
      case 0x46: // FLOAT (text)
        stack.push(new PyFloat(Number(line())));
        break;
      case 0x58: {
        // BINUNICODE
        const n = take(4).readUInt32LE(0);
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        stack.push(take(u8()).toString('utf8'));
        break;
      case 0x8d: {
        const n = Number(take(8).readBigUInt64LE(0));
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x56: // UNICODE (raw-unicode-escape, text)
        stack.push(line().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string, b: string) => String.fromCodePoint(parseInt(a ?? b, 16))));
        break;
      case 0x54: {
        // BINSTRING (py2 str): decoded as latin-1
        const n = take(4).readInt32LE(0);
        stack.push(take(n).toString('latin1'));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(take(u8()).toString('latin1'));
        break;
      case 0x53: {
        // STRING (text, quoted)
        const s = line();
        stack.push(s.slice(1, -1));
        break;
      }
      case 0x42: {
        // BINBYTES
        const n = take(4).readUInt32LE(0);
        stack.push(Uint8Array.from(take(n)));
        break;
      }
      case 0x43: // SHORT_BINBYTES
        stack.push(Uint8Array.from(take(u8())));
        break;
      case 0x8e:
      case 0x96: {
        // BINBYTES8 / BYTEARRAY8
        const n = Number(take(8).readBigUInt64LE(0));
        stack.push(Uint8Array.from(take(n)));
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark() as PyValue[]));
        break;
      case 0x85: {
        const a = pop();
        stack.push(new PyTuple([a as PyValue]));
        break;
      }
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b] as PyValue[]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c] as PyValue[]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const kv = popMark();
        const d = new PyDict();
        setItems(d, kv);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PySet([]));
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new PySet(popMark() as PyValue[], true));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(reduce(fn, args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(newobj(cls, args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop(); // kwargs
        const args = pop();
        const cls = pop();
        stack.push(newobj(cls, args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!(pid instanceof PyTuple)) fail('persistent id is not a tuple');
        stack.push(hooks.persistentLoad((pid as PyTuple).items));
        break;
      }
      case 0x50: // PERSID (text ids are not used by torch)
        fail('text persistent ids (PERSID) are not supported');
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(take(4).readUInt32LE(0), top());
        break;
      case 0x70: // PUT
        memo.set(Number(line()), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(getMemo(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(getMemo(take(4).readUInt32LE(0)));
        break;
      case 0x67: // GET
        stack.push(getMemo(Number(line())));
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

export { STORAGE_DTYPES };
