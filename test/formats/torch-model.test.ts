/**
 * Value model and writer/reader mechanics without Python: float repr, strided views over shared
 * storages (written from TensorRefs and gathered on read), lazy tensor data order, pickle opcodes.
 */
import { mkdtempSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PyDict,
  PyEnum,
  PyFloat,
  PyNamespace,
  PyTuple,
  TORCH_DTYPES,
  TensorSource,
  TorchPickler,
  TorchZipWriter,
  describeTorchValue,
  loadTorchFile,
  orderedDict,
  pyDict,
  pyEnum,
  pyFloat,
  pyFloatRepr,
  pyTuple,
  saveTorchFile,
  torchArchivePrefix,
  type StorageRef,
  type TensorRef,
} from '../../src/formats/torch/index.js';

describe('pyFloatRepr', () => {
  it('matches Python repr()', () => {
    // expected strings from CPython 3.11 repr()
    const cases: Array<[number, string]> = [
      [1e-5, '1e-05'], [1, '1.0'], [10000, '10000.0'], [0.1, '0.1'], [1e-8, '1e-08'], [1e16, '1e+16'],
      [1e15, '1000000000000000.0'], [0.0001, '0.0001'], [123.456, '123.456'], [1.5e300, '1.5e+300'],
      [5e-324, '5e-324'], [-2.5, '-2.5'], [2 ** 53, '9007199254740992.0'], [1.2345678901234567e-7, '1.2345678901234566e-07'],
      [1 / 3, '0.3333333333333333'], [-0, '-0.0'], [0, '0.0'], [12345678.9, '12345678.9'], [1e22, '1e+22'],
      [2.5e-5, '2.5e-05'], [0.02, '0.02'], [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'],
    ];
    for (const [v, s] of cases) expect(pyFloatRepr(v), String(v)).toBe(s);
  });
});

/** An in-memory StorageRef, standing for a storage of a file being read. */
function memStorage(key: string, data: Buffer): StorageRef {
  return {
    key,
    dtype: 'float32',
    storageClass: 'FloatStorage',
    location: 'cpu',
    numel: data.length / 4,
    nbytes: data.length,
    readElements: async (o, n) => Buffer.from(data.subarray(o * 4, (o + n) * 4)),
  };
}
function view(storage: StorageRef, offset: number, shape: number[], stride: number[]): TensorRef {
  return {
    kind: 'tensor-ref',
    dtype: 'float32',
    shape,
    stride,
    storageOffset: offset,
    storage,
    requiresGrad: false,
    parameter: false,
    numel: shape.reduce((a, b) => a * b, 1),
    nbytes: shape.reduce((a, b) => a * b, 1) * 4,
    isContiguous: () => false,
    read: async () => Buffer.alloc(0),
  };
}
const floats = (b: Buffer) => Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(i * 4));

describe('tensor views and storages', () => {
  it('writes views of one storage once, keeps their geometry, and gathers strided reads', async () => {
    const base = Buffer.alloc(6 * 5 * 4);
    for (let i = 0; i < 30; i++) base.writeFloatLE(i, i * 4);
    const st = memStorage('whatever', base);
    const root = pyDict({
      base: view(st, 0, [6, 5], [5, 1]),
      t: view(st, 0, [5, 6], [1, 5]),
      slice: view(st, 7, [3, 3], [5, 1]),
      col: view(st, 1, [6], [5]),
      expanded: view(st, 3, [2, 3], [0, 1]),
      scalar: view(st, 29, [], []),
      empty: view(st, 0, [0, 4], [4, 1]),
    });
    const f = join(mkdtempSync(join(tmpdir(), 'solo-torch-view-')), 'views.pt');
    await saveTorchFile(f, root);
    const tf = await loadTorchFile(f);
    expect(tf.entries.map((e) => e.name)).toEqual(['views/data.pkl', 'views/data/0', 'views/version']);
    const t = Object.fromEntries(tf.tensors());
    expect(new Set(Object.values(t).map((x) => x.storage)).size).toBe(1);
    expect(floats(await t.t.read()).slice(0, 7)).toEqual([0, 5, 10, 15, 20, 25, 1]);
    expect(floats(await t.slice.read())).toEqual([7, 8, 9, 12, 13, 14, 17, 18, 19]);
    expect(floats(await t.col.read())).toEqual([1, 6, 11, 16, 21, 26]);
    expect(floats(await t.expanded.read())).toEqual([3, 4, 5, 3, 4, 5]);
    expect(floats(await t.scalar.read())).toEqual([29]);
    expect((await t.empty.read()).length).toBe(0);
    expect(t.base.isContiguous()).toBe(true);
    expect(t.t.isContiguous()).toBe(false);
    expect([t.slice.storageOffset, [...t.slice.stride]]).toEqual([7, [5, 1]]);
    await tf.close();
  });

  it('fetches lazy tensor data once each, in record (sorted key) order, and names dtypes as torch', async () => {
    const order: number[] = [];
    const entries: Array<[string, TensorSource]> = [];
    for (let i = 0; i < 12; i++) {
      entries.push([`w${i}`, new TensorSource({ dtype: 'int32', shape: [2], data: () => (order.push(i), Buffer.from(new Int32Array([i, -i || 0]).buffer)) })]);
    }
    const f = join(mkdtempSync(join(tmpdir(), 'solo-torch-lazy-')), 'lazy.bin');
    await saveTorchFile(f, orderedDict(entries));
    expect(order).toEqual([0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9]);
    const tf = await loadTorchFile(f);
    expect(tf.prefix).toBe('lazy');
    for (const [k, t] of tf.tensors()) {
      const i = Number(k.slice(1));
      expect([t.storage.key, t.storage.storageClass, t.dtype]).toEqual([String(i), 'IntStorage', 'int32']);
      expect(Array.from(new Int32Array(new Uint8Array(await t.read()).buffer))).toEqual([i, -i || 0]);
    }
    await tf.close();
    expect(torchArchivePrefix('/a/b/pytorch_model-3-of-33.bin')).toBe('pytorch_model-3-of-33');
    expect(Object.values(TORCH_DTYPES).map((d) => d.storage)).toContain('BFloat16Storage');
  });
});

describe('byteorder record', () => {
  it('byte-swaps storages of files marked big-endian (torch ≥ 2.1 writes the record)', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'solo-torch-be-')), 'be.pt');
    const pkl = Buffer.from(
      '\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x02tQK\x00K\x02\x85K\x01\x85\x89}tR.',
      'latin1',
    );
    const be = Buffer.alloc(8);
    be.writeFloatBE(1.5, 0);
    be.writeFloatBE(-3, 4);
    const fh = await open(f, 'w');
    const z = new TorchZipWriter(fh);
    await z.addBuffer('be/data.pkl', pkl);
    await z.addBuffer('be/byteorder', Buffer.from('big'));
    await z.addBuffer('be/data/0', be);
    await z.addBuffer('be/version', Buffer.from('3\n'));
    await z.finish();
    await fh.close();
    const tf = await loadTorchFile(f);
    expect(tf.byteorder).toBe('big');
    expect(floats(await (tf.root as TensorRef).read())).toEqual([1.5, -3]);
    // copying it writes little-endian bytes (the writer's files carry no byteorder record)
    const out = f.replace('be.pt', 'le.pt');
    await saveTorchFile(out, tf.root);
    await tf.close();
    const le = await loadTorchFile(out);
    expect(le.entries.map((e) => e.name)).toEqual(['le/data.pkl', 'le/data/0', 'le/version']);
    expect(floats(await (le.root as TensorRef).read())).toEqual([1.5, -3]);
    await le.close();
  });
});

describe('pickle encoding', () => {
  it('emits CPython protocol-2 opcodes for ints, floats, strings, tuples, containers, enums, Namespace', () => {
    const p = new TorchPickler();
    const pkl = p.dump(
      pyDict({
        a: [1, 300, 70000, -1, 2 ** 31, -(2 ** 31) - 1, 2n ** 64n, 1.5, pyFloat(2)],
        t: pyTuple(pyTuple(), pyTuple(1), pyTuple(1, 2, 3, 4)),
        e: pyEnum('megatron.model.enums.PositionEmbeddingType', 'rotary'),
        n: new PyNamespace([['x', 'x']]),
      }),
    );
    const hex = pkl.toString('hex');
    expect(hex.startsWith('8002')).toBe(true);
    expect(hex.endsWith('2e')).toBe(true);
    expect(hex).toContain('4b01' + '4d2c01' + '4a70110100' + '4affffffff' + '8a050000008000' + '8a05fffffff7ff'.replace('f7', '7f'));
    expect(hex).toContain('8a09' + '000000000000000001');
    expect(hex).toContain('473ff8000000000000' + '474000000000000000');
    expect(pkl.includes(Buffer.from('cmegatron.model.enums\nPositionEmbeddingType\n'))).toBe(true);
    expect(pkl.includes(Buffer.from('cargparse\nNamespace\n'))).toBe(true);
    // round trip of the value model through describe
    const again = new TorchPickler().dump(pyDict({ z: pyTuple(1) }));
    expect(again.toString('hex')).toBe('80027d71005801000000' + '7a' + '71014b0185710273' + '2e');
  });

  it('describes values as the fixtures do', () => {
    expect(describeTorchValue(pyFloat(3))).toEqual({ t: 'float', v: '3.0' });
    expect(describeTorchValue(new PyEnum('m.E', 'a', 1))).toEqual({ t: 'enum', class: 'm.E', name: 'a', value: 1 });
    expect(describeTorchValue(new PyTuple([1, 'x']))).toEqual({ t: 'tuple', items: [{ t: 'int', v: 1 }, { t: 'str', v: 'x' }] });
    expect(describeTorchValue(new PyDict([[1, null]], 'OrderedDict'))).toEqual({ t: 'OrderedDict', items: [[1, { t: 'none' }]] });
    expect(new PyFloat(1e-5).toString()).toBe('1e-05');
  });
});
