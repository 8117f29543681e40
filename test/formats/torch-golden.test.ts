/**
 * torch.save format against the golden files written by the real reference tools (torch 1.13):
 * describe output equals the fixtures' describe/*.json, our zip writer reproduces torch's framing
 * byte for byte, and load → save reproduces the golden files byte for byte.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PyDict,
  PyEnum,
  PyFloat,
  PyNamespace,
  PyTorchDType,
  TorchZipWriter,
  describeTorchFile,
  loadTorchFile,
  saveTorchFile,
} from '../../src/formats/torch/index.js';

const FIX = join(import.meta.dirname, '../fixtures/torch');
const GOLDEN = [
  { name: 'tp2-pp2-rank00_001.pt', file: 'megatron-tp2-pp2/release/mp_rank_00_001/model_optim_rng.pt', saveAs: 'model_optim_rng.pt' },
  { name: 'pytorch_model-00001-of-00002.bin', file: 'mistral-tiny-hf/pytorch_model-00001-of-00002.bin', saveAs: 'pytorch_model-00001-of-00002.bin' },
];

describe('torch.save golden files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'solo-torch-golden-'));
    for (const g of GOLDEN) writeFileSync(join(dir, g.name), gunzipSync(readFileSync(join(FIX, `${g.name}.gz`))));
  });

  for (const g of GOLDEN) {
    it(`${g.name}: describe equals the reference describe JSON`, async () => {
      const expected = JSON.parse(readFileSync(join(FIX, `${g.name}.json`), 'utf8'));
      const got = await describeTorchFile(join(dir, g.name), { file: g.file });
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
    });

    it(`${g.name}: zip writer reproduces torch's framing byte for byte`, async () => {
      const src = readFileSync(join(dir, g.name));
      const tf = await loadTorchFile(join(dir, g.name));
      const out = join(dir, `frame-${g.name}`);
      const fh = await open(out, 'w');
      const zip = new TorchZipWriter(fh);
      for (const e of tf.entries) await zip.addBuffer(e.name, src.subarray(e.dataOffset, e.dataOffset + e.size));
      await zip.finish();
      await fh.close();
      await tf.close();
      expect(Buffer.compare(readFileSync(out), src)).toBe(0);
    });

    it(`${g.name}: load → save reproduces the file byte for byte`, async () => {
      const tf = await loadTorchFile(join(dir, g.name));
      const sub = mkdtempSync(join(dir, 'rt-'));
      const progress: number[] = [];
      const res = await saveTorchFile(join(sub, g.saveAs), tf.root, { onProgress: (e) => progress.push(e.done) });
      await tf.close();
      const src = readFileSync(join(dir, g.name));
      expect(res.bytes).toBe(src.length);
      expect(progress.length).toBe(res.storages);
      expect(Buffer.compare(readFileSync(join(sub, g.saveAs)), src)).toBe(0);
    });
  }

  it('exposes the Megatron args and tensors through the JS value model', async () => {
    const tf = await loadTorchFile(join(dir, GOLDEN[0].name));
    expect(tf.prefix).toBe('model_optim_rng');
    expect(tf.version).toBe('3');
    expect(tf.byteorder).toBe('little');
    const root = tf.root as PyDict;
    expect([...root.keys()]).toEqual(['args', 'checkpoint_version', 'iteration', 'model']);
    expect(root.get('checkpoint_version')).toEqual(new PyFloat(3));
    const args = root.get('args') as PyNamespace;
    expect(args.fields.size).toBe(223);
    expect(args.get('layernorm_epsilon')).toEqual(new PyFloat(1e-5));
    expect(args.get('num_layers')).toBe(4);
    expect(args.get('params_dtype')).toEqual(new PyTorchDType('bfloat16'));
    const pet = args.get('position_embedding_type') as PyEnum;
    expect([pet.cls, pet.name, pet.value, pet.pickleBy]).toEqual(['megatron.model.enums.PositionEmbeddingType', 'rotary', 1, 'name']);
    const lm = (root.get('model') as PyDict).get('language_model') as PyDict;
    expect((lm.get('encoder') as PyDict).kind).toBe('OrderedDict');
    const tensors = tf.tensors();
    expect(tensors.length).toBe(15);
    const [path, head] = tensors.find(([p]) => p.endsWith('lm_head'))!;
    expect(path).toBe('model/language_model/lm_head');
    expect([head.dtype, head.shape, head.stride, head.storageOffset, head.storage.key]).toEqual(['bfloat16', [16640, 16], [16, 1], 0, '14']);
    expect((await head.read()).length).toBe(16640 * 16 * 2);
    await tf.close();
    await expect(head.read()).rejects.toThrow(/closed/);
  });
});
