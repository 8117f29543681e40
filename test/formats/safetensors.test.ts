/**
 * formats/safetensors: the writer reproduces Python safetensors / transformers files byte for byte
 * (the reference's single-file solo-hf model, and tiny Mistral's 2-shard layout + index at
 * max_shard_size 1 500 000), the reader bounds-checks headers and reads by range.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import {
  openSafetensors, openSafetensorsModel, writeSafetensors, writeSafetensorsShards, safetensorsOrder,
} from '../../src/formats/safetensors/index.js';
import { unpackFixtures, filesJson } from '../model/helpers.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('safetensors', () => {
  let root: string;
  let out: string;
  beforeAll(() => {
    root = unpackFixtures();
    out = mkdtempSync(join(tmpdir(), 'solo-st-'));
  });

  it('rewrites the reference solo-hf model.safetensors byte for byte', async () => {
    const src = await openSafetensors(join(root, 'solo-hf/model.safetensors'));
    // hand the tensors over in model order: the writer must sort them itself
    const shuffled = [...src.tensors].reverse();
    await writeSafetensors(join(out, 'a.safetensors'), shuffled.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: () => src.read(t.name) })));
    expect(sha(join(out, 'a.safetensors'))).toBe(filesJson(root)['solo-hf/model.safetensors']!.sha256);
    await src.close();
  });

  it('shards like transformers save_pretrained (tiny Mistral, max_shard_size 1.5 MB)', async () => {
    const m = await openSafetensorsModel(join(root, 'mistral-tiny-hf'));
    const L = 4;
    const order = ['model.embed_tokens.weight'];
    for (let i = 0; i < L; i++) for (const s of ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj', 'input_layernorm', 'post_attention_layernorm']) order.push(`model.layers.${i}.${s}.weight`);
    order.push('model.norm.weight', 'lm_head.weight');
    expect(order.sort()).toEqual(m.tensors.map((t) => t.name).sort());
    const model = order.slice().sort((a, b) => rank(a) - rank(b));
    const dir = mkdtempSync(join(out, 'shards-'));
    const r = await writeSafetensorsShards(dir, model.map((n) => ({ ...m.get(n)!, data: () => m.read(n) })), { maxShardSize: 1_500_000 });
    expect(r.files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const files = filesJson(root);
    for (const f of [...r.files, 'model.safetensors.index.json']) expect(sha(join(dir, f)), f).toBe(files[`mistral-tiny-hf/${f}`]!.sha256);
    await m.close();
    function rank(n: string): number {
      if (n === 'model.embed_tokens.weight') return -1;
      if (n === 'lm_head.weight') return 1e9;
      if (n === 'model.norm.weight') return 1e8;
      const mm = /layers\.(\d+)\.(.*)$/.exec(n)!;
      const sub = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj', 'input_layernorm', 'post_attention_layernorm'].indexOf(mm[2]!.replace('.weight', ''));
      return Number(mm[1]) * 100 + sub;
    }
  });

  it('orders by dtype (safetensors enum, descending) then name', () => {
    const o = safetensorsOrder([
      { name: 'b', dtype: 'BF16' as const }, { name: 'a', dtype: 'BF16' as const }, { name: 'z', dtype: 'F32' as const }, { name: 'c', dtype: 'I64' as const },
    ]);
    expect(o.map((t) => t.name)).toEqual(['c', 'z', 'a', 'b']);
  });

  it('reads a row range by pread and rejects bad headers', async () => {
    const f = await openSafetensors(join(root, 'solo-hf/model.safetensors'));
    const all = await f.read('lm_head.weight');
    expect((await f.readBytes('lm_head.weight', 64 * 10, 64)).equals(all.subarray(640, 704))).toBe(true);
    await expect(f.readBytes('lm_head.weight', all.length - 4, 8)).rejects.toThrow(/outside tensor/);
    await f.close();
    const bad = (header: string, data = 0) => {
      const h = Buffer.from(header);
      const b = Buffer.concat([Buffer.alloc(8), h, Buffer.alloc(data)]);
      b.writeBigUInt64LE(BigInt(h.length));
      const p = join(out, `bad-${Math.random()}.safetensors`);
      writeFileSync(p, b);
      return openSafetensors(p);
    };
    await expect(bad('{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}', 4)).rejects.toThrow(/unknown dtype/);
    await expect(bad('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4)).rejects.toThrow(/needs 8 bytes/);
    await expect(bad('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 8)).rejects.toThrow(/tensors cover 4/);
    await expect(bad('not json', 0)).rejects.toThrow(/not valid JSON/);
    const p = join(out, 'short.safetensors');
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(1000n);
    writeFileSync(p, b);
    await expect(openSafetensors(p)).rejects.toThrow(/runs past the end of the file/);
  });
});
