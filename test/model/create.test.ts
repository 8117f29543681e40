/**
 * Golden: `solo model create` on the reference's tiny Mistral reproduces create_solo.py's solo-hf
 * (tokenizer, config and every copied tensor bit for bit); the randomly initialised rows and the
 * vision projection are checked by shape, dtype and distribution. Plus the full round trip
 * create → to-megatron → shard(TP2, PP2) → to-hf, which must give back the SOLO HF files exactly.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync, mkdirSync, cpSync, writeFileSync } from 'node:fs';
import { saveTorchFile, orderedDict, TensorSource } from '../../src/formats/torch/index.js';
import { createHash } from 'node:crypto';
import { modelCreate, modelToMegatron, modelShard, modelToHf } from '../../src/model/index.js';
import { openSafetensorsModel } from '../../src/formats/safetensors/index.js';
import { toFloat64, makeTensor, type DType } from '../../src/model/tensor.js';
import { unpackFixtures, filesJson, golden } from './helpers.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function stats(v: Float64Array): { mean: number; std: number } {
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return { mean: m, std: Math.sqrt(s / v.length) };
}

describe('model create (golden solo-hf)', () => {
  let root: string;
  beforeAll(() => {
    root = unpackFixtures();
  });

  it('--compat reference (= --chat-tokens --dtype float32 --compat config-dtype) reproduces create_solo.py', async () => {
    const out = join(root, 'created');
    const r = await modelCreate({ from: join(root, 'mistral-tiny-hf'), out, compat: ['reference'], seed: 7 });
    expect(r.vocab).toBe(33031);
    const files = filesJson(root);
    for (const f of ['tokenizer.model', 'config.json', 'generation_config.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      expect(sha(join(out, f)), f).toBe(files[`solo-hf/${f}`]!.sha256);
    }
    const mine = await openSafetensorsModel(out);
    const ref = await openSafetensorsModel(join(root, 'solo-hf'));
    // same header (names, dtypes, shapes, offsets) byte for byte
    expect(readHeader(join(out, 'model.safetensors'))).toBe(golden(root, 'solo-hf/model.safetensors').header);
    for (const t of ref.tensors) {
      const a = await mine.read(t.name);
      const b = await ref.read(t.name);
      const rowBytes = (t.shape[1] ?? 1) * 4;
      if (t.name === 'model.embed_vision_patch.weight') {
        const st = stats(toFloat64(makeTensor('float32', t.shape, a)));
        expect(Math.abs(st.mean)).toBeLessThan(0.002);
        expect(st.std).toBeGreaterThan(0.019);
        expect(st.std).toBeLessThan(0.021);
      } else if (t.name === 'lm_head.weight' || t.name === 'model.embed_tokens.weight') {
        expect(a.subarray(0, 32000 * rowBytes).equals(b.subarray(0, 32000 * rowBytes)), t.name).toBe(true);
        const add = toFloat64(makeTensor('float32', [1031, t.shape[1]!], a.subarray(32000 * rowBytes)));
        const st = stats(add);
        expect(Math.abs(st.mean)).toBeLessThan(0.003);
        expect(st.std).toBeGreaterThan(0.018);
        expect(st.std).toBeLessThan(0.022);
      } else {
        expect(a.equals(b), t.name).toBe(true);
      }
    }
    await mine.close();
    await ref.close();
  });

  it('defaults: 33029 tokens, input dtype (bf16) kept, deterministic for a seed', async () => {
    const a = await modelCreate({ from: join(root, 'mistral-tiny-hf'), out: join(root, 'c1'), seed: 3 });
    const b = await modelCreate({ from: join(root, 'mistral-tiny-hf'), out: join(root, 'c2'), seed: 3 });
    expect([a.vocab, a.dtype]).toEqual([33029, 'bfloat16']);
    expect(sha(join(root, 'c1/model.safetensors'))).toBe(sha(join(root, 'c2/model.safetensors')));
    const cfg = JSON.parse(readFileSync(join(root, 'c1/config.json'), 'utf8')) as Record<string, unknown>;
    expect([cfg.vocab_size, cfg.torch_dtype, cfg.architectures]).toEqual([33029, 'bfloat16', ['SoloForCausalLM']]);
    const m = await openSafetensorsModel(join(root, 'c1'));
    expect(m.get('model.embed_vision_patch.weight')).toMatchObject({ dtype: 'BF16', shape: [16, 3072] });
    await m.close();
  });

  it('--chat-tokens on a SOLO model adds only the two chat rows (add_chat_tokens_solo.py)', async () => {
    await modelCreate({ from: join(root, 'mistral-tiny-hf'), out: join(root, 's29'), seed: 4 });
    await expect(modelCreate({ from: join(root, 's29'), out: join(root, 's31x') })).rejects.toThrow(/already has model.embed_vision_patch/);
    const r = await modelCreate({ from: join(root, 's29'), out: join(root, 's31'), chatTokens: true, seed: 4 });
    expect(r.vocab).toBe(33031);
    // same tokenizer bytes as creating with the chat tokens in one go
    await modelCreate({ from: join(root, 'mistral-tiny-hf'), out: join(root, 's31b'), chatTokens: true, seed: 4 });
    expect(sha(join(root, 's31/tokenizer.model'))).toBe(sha(join(root, 's31b/tokenizer.model')));
    const a = await openSafetensorsModel(join(root, 's29'));
    const b = await openSafetensorsModel(join(root, 's31'));
    for (const t of a.tensors) {
      const x = await a.read(t.name);
      const y = await b.read(t.name);
      expect(y.subarray(0, x.length).equals(x), t.name).toBe(true);
    }
    await a.close();
    await b.close();
  });

  it('reads pytorch_model.bin inputs (torch files + index) like safetensors ones', async () => {
    const bin = join(root, 'mistral-bin');
    mkdirSync(bin);
    for (const f of ['config.json', 'tokenizer.model', 'generation_config.json', 'tokenizer_config.json', 'special_tokens_map.json']) cpSync(join(root, 'mistral-tiny-hf', f), join(bin, f));
    const m = await openSafetensorsModel(join(root, 'mistral-tiny-hf'));
    const half = Math.ceil(m.tensors.length / 2);
    const weightMap: Record<string, string> = {};
    for (const [k, part] of [m.tensors.slice(0, half), m.tensors.slice(half)].entries()) {
      const name = `pytorch_model-0000${k + 1}-of-00002.bin`;
      const sd = orderedDict(part.map((t) => [t.name, new TensorSource({ dtype: 'bfloat16', shape: t.shape, data: () => m.read(t.name) })]));
      await saveTorchFile(join(bin, name), sd);
      for (const t of part) weightMap[t.name] = name;
    }
    writeFileSync(join(bin, 'pytorch_model.bin.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    await m.close();
    await modelCreate({ from: bin, out: join(root, 'from-bin'), seed: 3 });
    await modelCreate({ from: join(root, 'mistral-tiny-hf'), out: join(root, 'from-st'), seed: 3 });
    expect(sha(join(root, 'from-bin/model.safetensors'))).toBe(sha(join(root, 'from-st/model.safetensors')));
  });

  it('HF → Megatron → shard(TP2, PP2) → HF is bit-identical to the SOLO HF input', async () => {
    for (const dtype of ['bfloat16', 'float32'] as DType[]) {
      const d = join(root, `rt-${dtype}`);
      await modelCreate({ from: join(root, 'mistral-tiny-hf'), out: join(d, 'solo'), chatTokens: true, dtype, seed: 11 });
      await modelToMegatron({ hf: join(d, 'solo'), out: join(d, 'release') });
      await modelShard({ in: join(d, 'release'), out: join(d, 'tp2pp2'), tp: 2, pp: 2, dtype });
      await modelToHf({ in: join(d, 'tp2pp2'), out: join(d, 'back') });
      for (const f of ['model.safetensors', 'config.json', 'tokenizer.model']) {
        expect(sha(join(d, 'back', f)), `${dtype} ${f}`).toBe(sha(join(d, 'solo', f)));
      }
    }
  });
});

function readHeader(p: string): string {
  const b = readFileSync(p);
  const n = Number(b.readBigUInt64LE(0));
  return b.subarray(8, 8 + n).toString('utf8');
}
