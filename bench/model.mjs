#!/usr/bin/env node
/**
 * Benchmark of the model commands on a random Mistral-shaped checkpoint (bf16).
 *
 *   npx tsc -p . && node bench/model.mjs [--scale 1] [--dir /tmp/solo-bench] [--keep] [--low-disk]
 *
 * --low-disk deletes each step's input once its output exists (peak disk ≈ 2× the model).
 *
 * --scale 1 is the 7B shape (hidden 4096, FFN 14336, 32 layers, 32/8 heads, vocab 32000:
 * ~14.5 GB); --scale f multiplies hidden and FFN by f (rounded to multiples of 128), so the size
 * shrinks by ~f². Every step runs in a child process that reports its wall time and peak RSS;
 * each is shown next to a plain `cp -r` of that step's input (same bytes, same disk, files then
 * fsynced as solo does), measured in the same run. Targets (issue 6): peak RSS ≤ 1.5 GB, wall ≤ 2× the copy.
 * Steps: create (Mistral → SOLO HF, bf16 kept), to-megatron, shard TP2 PP1, to-hf (from TP2).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync, statSync, copyFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

if (args[0] === '--step') {
  // child: run one step, print {wall, maxRss}
  const m = await import(join(dist, 'model', 'index.js'));
  const [step, a, b] = args.slice(1);
  const t0 = performance.now();
  if (step === 'create') await m.modelCreate({ from: a, out: b, seed: 1 });
  else if (step === 'to-megatron') await m.modelToMegatron({ hf: a, out: b });
  else if (step === 'shard') await m.modelShard({ in: a, out: b, tp: 2, pp: 1 });
  else if (step === 'to-hf') await m.modelToHf({ in: a, out: b });
  const wall = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ wall, maxRss: process.resourceUsage().maxRSS * 1024 }) + '\n');
  process.exit(0);
}

const scale = Number(opt('--scale', '1'));
const root = opt('--dir', '/tmp/solo-model-bench');
const r128 = (x) => Math.max(128, Math.round(x / 128) * 128);
const H = r128(4096 * scale);
const F = r128(14336 * scale);
const L = 32;
const NH = 32;
const NKV = 8;
const V = 32000;

function dirBytes(d) {
  let n = 0;
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    const s = statSync(p);
    n += s.isDirectory() ? dirBytes(p) : s.size;
  }
  return n;
}

async function makeMistral(dir) {
  const st = await import(join(dist, 'formats', 'safetensors', 'index.js'));
  mkdirSync(dir, { recursive: true });
  const names = [['model.embed_tokens.weight', [V, H]]];
  for (let i = 0; i < L; i++) {
    const p = `model.layers.${i}.`;
    names.push([`${p}self_attn.q_proj.weight`, [H, H]], [`${p}self_attn.k_proj.weight`, [(H / NH) * NKV, H]], [`${p}self_attn.v_proj.weight`, [(H / NH) * NKV, H]], [`${p}self_attn.o_proj.weight`, [H, H]],
      [`${p}mlp.gate_proj.weight`, [F, H]], [`${p}mlp.up_proj.weight`, [F, H]], [`${p}mlp.down_proj.weight`, [H, F]], [`${p}input_layernorm.weight`, [H]], [`${p}post_attention_layernorm.weight`, [H]]);
  }
  names.push(['model.norm.weight', [H]], ['lm_head.weight', [V, H]]);
  const tensors = names.map(([name, shape]) => ({
    name, dtype: 'BF16', shape,
    data: () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const b = Buffer.allocUnsafe(n * 2);
      randomFillSync(b);
      const u = new Uint16Array(b.buffer, b.byteOffset, n);
      for (let i = 0; i < n; i++) u[i] = (u[i] & 0x807f) | 0x3c00; // finite values of magnitude ~0.008–0.016
      return b;
    },
  }));
  await st.writeSafetensorsShards(dir, tensors, { maxShardSize: 5e9 });
  const cfg = {
    architectures: ['MistralForCausalLM'], attention_dropout: 0.0, bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: H,
    initializer_range: 0.02, intermediate_size: F, max_position_embeddings: 32768, model_type: 'mistral', num_attention_heads: NH,
    num_hidden_layers: L, num_key_value_heads: NKV, rms_norm_eps: 1e-5, rope_theta: 10000.0, sliding_window: 4096, tie_word_embeddings: false,
    torch_dtype: 'bfloat16', transformers_version: '4.38.2', use_cache: true, vocab_size: V,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg, null, 2).replace('"rope_theta": 10000', '"rope_theta": 10000.0').replace('"attention_dropout": 0', '"attention_dropout": 0.0') + '\n');
  const tok = join(here, '..', 'test', 'fixtures', 'model', 'mistral-tiny-hf', 'tokenizer.model.gz');
  writeFileSync(join(dir, 'tokenizer.model'), (await import('node:zlib')).gunzipSync(readFileSync(tok)));
}

function timeCp(src, dst) {
  rmSync(dst, { recursive: true, force: true });
  const t0 = performance.now();
  execFileSync('cp', ['-r', src, dst]);
  // solo fsyncs every file it writes before the atomic rename; flush the copy too for a fair comparison
  execFileSync('find', [dst, '-type', 'f', '-exec', 'sync', '{}', '+']);
  const wall = (performance.now() - t0) / 1000;
  rmSync(dst, { recursive: true, force: true });
  return wall;
}

function step(name, a, b) {
  rmSync(b, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--step', name, a, b], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });
const mistral = join(root, 'mistral');
const t0 = performance.now();
await makeMistral(mistral);
const inBytes = dirBytes(mistral);
console.log(`# random Mistral: hidden ${H}, FFN ${F}, ${L} layers, ${NH}/${NKV} heads, vocab ${V}: ${(inBytes / 1e9).toFixed(2)} GB bf16 (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
const plan = [
  ['create', mistral, join(root, 'solo')],
  ['to-megatron', join(root, 'solo'), join(root, 'release')],
  ['shard', join(root, 'release'), join(root, 'tp2')],
  ['to-hf', join(root, 'tp2'), join(root, 'hf')],
];
const rows = [];
for (const [name, a, b] of plan) {
  const cp = timeCp(a, join(root, 'cp-scratch'));
  const r = step(name, a, b);
  const bytes = dirBytes(a);
  rows.push({ step: name, inputGB: +(bytes / 1e9).toFixed(3), wallS: +r.wall.toFixed(2), cpS: +cp.toFixed(2), ratio: +(r.wall / cp).toFixed(2), peakRssMB: Math.round(r.maxRss / 1e6), MBps: Math.round(bytes / 1e6 / r.wall) });
  if (args.includes('--low-disk')) rmSync(a, { recursive: true, force: true });
  console.log(`${name.padEnd(12)} in ${(bytes / 1e9).toFixed(2)} GB  wall ${r.wall.toFixed(2)} s  cp ${cp.toFixed(2)} s  ratio ${(r.wall / cp).toFixed(2)}×  peak RSS ${Math.round(r.maxRss / 1e6)} MB`);
}
console.log(JSON.stringify({ scale, hidden: H, ffn: F, layers: L, inputBytes: inBytes, rows }));
if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });
