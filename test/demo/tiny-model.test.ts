// The demo's tiny Mistral: config.json in Mistral-7B-v0.1's exact layout (only the shape values
// differ), deterministic bytes for a seed, and (PyTorch oracle) a safetensors file torch reads
// with Mistral's shape rules, bf16 values ~N(0, 0.02) and unit norms.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoBaseTokenizer, writeTinyMistral } from '../../src/demo/index.js';
import { describeInterop, runPython } from '../helpers/oracle.js';

const root = mkdtempSync(join(tmpdir(), 'solo-tiny-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Mistral-7B-v0.1's config.json as published, with the tiny shape substituted.
const MISTRAL_CONFIG = `{
  "architectures": [
    "MistralForCausalLM"
  ],
  "bos_token_id": 1,
  "eos_token_id": 2,
  "hidden_act": "silu",
  "hidden_size": 64,
  "initializer_range": 0.02,
  "intermediate_size": 224,
  "max_position_embeddings": 32768,
  "model_type": "mistral",
  "num_attention_heads": 4,
  "num_hidden_layers": 2,
  "num_key_value_heads": 2,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "sliding_window": 4096,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.34.0.dev0",
  "use_cache": true,
  "vocab_size": 32000
}
`;

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('tiny Mistral', () => {
  it('writes Mistral-7B-v0.1 config layout and the same bytes for the same seed', async () => {
    const a = await writeTinyMistral({ out: join(root, 'a'), tokenizer: demoBaseTokenizer(), seed: 7 });
    const b = await writeTinyMistral({ out: join(root, 'b'), tokenizer: demoBaseTokenizer(), seed: 7 });
    const c = await writeTinyMistral({ out: join(root, 'c'), tokenizer: demoBaseTokenizer(), seed: 8 });
    expect(readFileSync(join(a.out, 'config.json'), 'utf8')).toBe(MISTRAL_CONFIG);
    expect(a.tensors).toBe(3 + 2 * 9);
    expect(a.parameters).toBe(2 * 32000 * 64 + 64 + 2 * (64 * 64 * 2 + 32 * 64 * 2 + 224 * 64 * 3 + 64 * 2));
    expect(sha(join(a.out, 'model.safetensors'))).toBe(sha(join(b.out, 'model.safetensors')));
    expect(sha(join(a.out, 'model.safetensors'))).not.toBe(sha(join(c.out, 'model.safetensors')));
    expect(readFileSync(join(a.out, 'tokenizer.model')).equals(readFileSync(demoBaseTokenizer()))).toBe(true);
  });
});

describeInterop(['torch'], 'tiny Mistral read by PyTorch', () => {
  it('has Mistral shapes, bf16 N(0, 0.02) weights and unit norms', async () => {
    const m = await writeTinyMistral({ out: join(root, 'py'), tokenizer: demoBaseTokenizer() });
    const out = runPython(
      `
import json, struct, sys, torch
d = sys.argv[1]
cfg = json.load(open(d + '/config.json'))
buf = open(d + '/model.safetensors', 'rb').read()
n = struct.unpack('<Q', buf[:8])[0]
hdr = json.loads(buf[8:8 + n]); hdr.pop('__metadata__', None)
base = 8 + n
H, F, V = cfg['hidden_size'], cfg['intermediate_size'], cfg['vocab_size']
kv = H // cfg['num_attention_heads'] * cfg['num_key_value_heads']
want = {'model.embed_tokens.weight': [V, H], 'lm_head.weight': [V, H], 'model.norm.weight': [H]}
for i in range(cfg['num_hidden_layers']):
    p = f'model.layers.{i}.'
    want.update({p + 'self_attn.q_proj.weight': [H, H], p + 'self_attn.k_proj.weight': [kv, H], p + 'self_attn.v_proj.weight': [kv, H],
                 p + 'self_attn.o_proj.weight': [H, H], p + 'mlp.gate_proj.weight': [F, H], p + 'mlp.up_proj.weight': [F, H],
                 p + 'mlp.down_proj.weight': [H, F], p + 'input_layernorm.weight': [H], p + 'post_attention_layernorm.weight': [H]})
res = {'names_ok': sorted(hdr) == sorted(want), 'bad': []}
for k, v in hdr.items():
    a, b = v['data_offsets']
    t = torch.frombuffer(bytearray(buf[base + a:base + b]), dtype=torch.bfloat16).reshape(v['shape']).float()
    if v['dtype'] != 'BF16' or v['shape'] != want.get(k): res['bad'].append(k)
    elif k.endswith('norm.weight'):
        if not bool((t == 1).all()): res['bad'].append(k)
    elif not (abs(t.std().item() - 0.02) < 0.002 and abs(t.mean().item()) < 0.002 and bool(torch.isfinite(t).all())): res['bad'].append(k)
print(json.dumps(res))
`,
      { args: [m.out] },
    );
    expect(JSON.parse(out)).toEqual({ names_ok: true, bad: [] });
  }, 60_000);
});
