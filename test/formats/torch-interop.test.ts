/**
 * Interop with PyTorch (Debian python3-torch 1.13 via test/helpers/oracle.ts): files written by
 * torch.save load here, files written here torch.load into the same object graph (types, values,
 * tensor dtype/shape/stride/offset/bytes, storage sharing), in both directions.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, expect, it } from 'vitest';
import {
  NumpyArray,
  PyDict,
  PyEnum,
  PyFloat,
  PyNamespace,
  PySet,
  PyTorchDType,
  PyTuple,
  TensorSource,
  describeTorchValue,
  loadTorchFile,
  orderedDict,
  pyDict,
  pyEnum,
  pyFloat,
  pyTuple,
  saveTorchFile,
  type PyValue,
  type TensorRef,
} from '../../src/formats/torch/index.js';
import { PYTHON, describeInterop } from '../helpers/oracle.js';

const FIX = join(import.meta.dirname, '../fixtures/torch');
const ORACLE = join(FIX, 'oracle.py');

function py(...args: string[]): string {
  return execFileSync(PYTHON, [ORACLE, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}
function pyDescribe(...files: string[]): unknown[] {
  return py('describe', ...files)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describeInterop(['torch', 'numpy'], 'torch.save interop (python3-torch oracle)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'solo-torch-interop-'));
  });

  it('golden files: load → save gives files torch.load reads as the same graph', async () => {
    const files: string[] = [];
    for (const name of ['tp2-pp2-rank00_001.pt', 'pytorch_model-00001-of-00002.bin']) {
      const src = join(dir, name);
      writeFileSync(src, gunzipSync(readFileSync(join(FIX, `${name}.gz`))));
      const tf = await loadTorchFile(src);
      const out = join(dir, `rt-${name}`);
      await saveTorchFile(out, tf.root);
      await tf.close();
      files.push(src, out);
    }
    const [a, b, c, d] = pyDescribe(...files);
    expect(b).toStrictEqual(a);
    expect(d).toStrictEqual(c);
  });

  it('python torch.save (protocols 2 and 4, every value kind) → load → save → torch.load: same graph', async () => {
    const srcs = ['2', '4'].map((proto) => join(dir, `py-${proto}.pt`));
    py('make', `${srcs[0]}:2`, `${srcs[1]}:4`);
    const files: string[] = [];
    for (const src of srcs) {
      const tf = await loadTorchFile(src);
      const root = tf.root as PyDict;
      // spot checks of the JS value model
      const args = root.get('args') as PyNamespace;
      expect(args).toBeInstanceOf(PyNamespace);
      expect(args.get('num_layers')).toBe(4);
      expect(args.get('one')).toEqual(new PyFloat(1));
      expect(args.get('eps')).toEqual(new PyFloat(1e-5));
      expect(args.get('big')).toBe(2n ** 70n);
      expect(args.get('neg')).toBe(-(2 ** 40));
      expect(args.get('pet')).toMatchObject({ cls: 'megatron.model.enums.PositionEmbeddingType', name: 'rotary', value: 1 });
      expect(args.get('dt')).toEqual(new PyTorchDType('bfloat16'));
      const model = root.get('model') as PyDict;
      expect(model.kind).toBe('OrderedDict');
      expect(model.metadata).toBeInstanceOf(PyDict);
      const rng = ((root.get('rng_state') as PyValue[])[0] as PyDict).get('np_rng_state') as PyTuple;
      expect(rng.items[0]).toBe('MT19937');
      expect(rng.items[1]).toBeInstanceOf(NumpyArray);
      expect((rng.items[1] as NumpyArray).data.length).toBe(624 * 4);
      const misc = root.get('misc') as PyDict;
      expect(Buffer.from(misc.get('bytes') as Uint8Array).toString('hex')).toBe('00ff6162');
      expect(misc.get('set')).toBeInstanceOf(PySet);
      expect(misc.get('tuple4')).toBeInstanceOf(PyTuple);
      const param = root.get('param') as TensorRef;
      expect([param.parameter, param.requiresGrad]).toEqual([true, true]);
      // views share one storage and read back as torch would
      const views = root.get('views') as PyDict;
      const base = views.get('base') as TensorRef;
      const tr = views.get('transposed') as TensorRef;
      expect(tr.storage).toBe(base.storage);
      expect(tr.stride).toEqual([1, 5]);
      const b = await base.read();
      const t = await tr.read();
      expect(t.readFloatLE(4)).toBe(b.readFloatLE(5 * 4)); // transposed[0][1] = base[1][0]
      const out = src.replace(/py-/, 'rt-py-');
      await saveTorchFile(out, tf.root);
      await tf.close();
      files.push(src, out);
    }
    const [a, b, c, d] = pyDescribe(...files);
    expect(b).toStrictEqual(a);
    expect(d).toStrictEqual(c);
  });

  it('a graph built in JS (TensorSource, lazy data) loads in torch as the intended Python objects, and back', async () => {
    const f32 = Buffer.alloc(6 * 4);
    for (let i = 0; i < 6; i++) f32.writeFloatLE(i * 0.5 - 1, i * 4);
    let calls = 0;
    const root = pyDict({
      iteration: 'release',
      model: pyDict({
        language_model: pyDict({
          encoder: orderedDict(
            [['layers.0.w', new TensorSource({ dtype: 'float32', shape: [2, 3], data: () => (calls++, f32) })]],
            orderedDict([['', pyDict({ version: 1 })]]),
          ),
          lm_head: new TensorSource({ dtype: 'bfloat16', shape: [3], data: Buffer.from([0x80, 0x3f, 0x00, 0x40, 0x40, 0x40]) }),
        }),
      }),
      checkpoint_version: pyFloat(3),
      args: new PyNamespace([
        ['num_layers', 2],
        ['layernorm_epsilon', 1e-5],
        ['rope_theta', pyFloat(10000)],
        ['position_embedding_type', pyEnum('megatron.model.enums.PositionEmbeddingType', 'rotary')],
        ['model_type', pyEnum('megatron.model.enums.ModelType', 'encoder_or_decoder', 'name')],
        ['params_dtype', new PyTorchDType('bfloat16')],
        ['seq', pyTuple(1, 2)],
        ['huge', 2n ** 64n],
        ['none', null],
      ]),
    });
    const out = join(dir, 'js.pt');
    const resaved = join(dir, 'js-resaved.pt');
    await saveTorchFile(out, root);
    expect(calls).toBe(1);
    const checks = execFileSync(
      PYTHON,
      [
        '-c',
        `import sys; sys.path.insert(0, ${JSON.stringify(join(FIX, 'pystub'))})
import torch, argparse, collections
from megatron.model.enums import PositionEmbeddingType, ModelType
o = torch.load(sys.argv[1])
a = o['args']
assert type(o) is dict and list(o) == ['iteration', 'model', 'checkpoint_version', 'args']
assert type(o['checkpoint_version']) is float and o['checkpoint_version'] == 3.0
assert isinstance(a, argparse.Namespace) and list(vars(a)) == ['num_layers','layernorm_epsilon','rope_theta','position_embedding_type','model_type','params_dtype','seq','huge','none']
assert type(a.num_layers) is int and type(a.layernorm_epsilon) is float and a.layernorm_epsilon == 1e-05 and type(a.rope_theta) is float
assert a.position_embedding_type is PositionEmbeddingType.rotary and a.model_type is ModelType.encoder_or_decoder
assert a.params_dtype is torch.bfloat16 and a.seq == (1, 2) and a.huge == 2**64 and a.none is None
enc = o['model']['language_model']['encoder']
assert type(enc) is collections.OrderedDict and enc._metadata == {'': {'version': 1}}
w = enc['layers.0.w']
assert w.dtype == torch.float32 and w.shape == (2, 3) and w.tolist() == [[-1.0, -0.5, 0.0], [0.5, 1.0, 1.5]]
h = o['model']['language_model']['lm_head']
assert h.dtype == torch.bfloat16 and h.float().tolist() == [1.0, 2.0, 3.0]
torch.save(o, sys.argv[2])
print('ok')`,
        out,
        resaved,
      ],
      { encoding: 'utf8' },
    );
    expect(checks.trim()).toBe('ok');
    // Python's own re-save of our file (above) loads here into the same value tree.
    const a = await loadTorchFile(out);
    const b = await loadTorchFile(resaved);
    expect(describeTorchValue(b.root)).toStrictEqual(describeTorchValue(a.root));
    for (const [[pa, ta], [pb, tb]] of a.tensors().map((x, i) => [x, b.tensors()[i]] as const)) {
      expect(pb).toBe(pa);
      expect(Buffer.compare(await ta.read(), await tb.read())).toBe(0);
    }
    const en = (b.root as PyDict).get('args') as PyNamespace;
    expect((en.get('model_type') as PyEnum).name).toBe('encoder_or_decoder');
    await a.close();
    await b.close();
  });

  // torch.load (miniz) cannot be used here: it bounds-checks the saturated 0xFFFFFFFF fields against
  // the (small) file size before reading the zip64 block. Python's zipfile checks the structure.
  it('zip64 records and offsets (threshold lowered) are valid for Python zipfile and this reader', async () => {
    const data = Buffer.alloc(3000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const root = pyDict({ a: new TensorSource({ dtype: 'uint8', shape: [3000], data }), b: new TensorSource({ dtype: 'int16', shape: [10, 150], data }) });
    const out = join(dir, 'zip64.pt');
    await saveTorchFile(out, root, { zip64Threshold: 1000 });
    const r = execFileSync(
      PYTHON,
      ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(sum(z.read("zip64/data/0")), len(z.read("zip64/data/1")), [i.file_size for i in z.infolist()][1:3])', out],
      { encoding: 'utf8' },
    );
    expect(r.trim()).toBe(`${data.reduce((s, x) => s + x, 0)} 3000 [3000, 3000]`);
    const tf = await loadTorchFile(out);
    expect(Buffer.compare(await tf.tensors()[1][1].read(), data)).toBe(0);
    await tf.close();
  });
});
