/**
 * Golden: `solo model to-hf` straight from the reference's TP2 PP2 shards (no unshard step)
 * reproduces solo-hf-roundtrip (megatron_to_hf.py's output from the unsharded TP1 copy) byte for
 * byte: model.safetensors, config.json and the tokenizer files.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { modelToHf } from '../../src/model/index.js';
import { unpackFixtures, filesJson } from './helpers.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('model to-hf (golden solo-hf-roundtrip)', () => {
  let root: string;
  beforeAll(() => {
    root = unpackFixtures();
  });

  it('from the reference TP2 PP2 checkpoint gives the reference HF files byte for byte', async () => {
    const out = join(root, 'hf-out');
    const r = await modelToHf({ in: join(root, 'megatron-tp2-pp2'), out, tokenizer: join(root, 'solo-hf/tokenizer.model') });
    expect(r.vocab).toBe(33031);
    expect(r.files).toEqual(['model.safetensors']);
    const files = filesJson(root);
    for (const f of ['model.safetensors', 'config.json', 'generation_config.json', 'tokenizer.model', 'tokenizer_config.json', 'special_tokens_map.json']) {
      expect(sha(join(out, f)), f).toBe(files[`solo-hf-roundtrip/${f}`]!.sha256);
    }
    expect(readdirSync(out).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer.model', 'tokenizer_config.json']);
  });

  it('--config takes the non-shape fields from a template and checks its shape', async () => {
    const out = join(root, 'hf-cfg');
    await modelToHf({ in: join(root, 'megatron-tp2-pp2'), out, tokenizer: join(root, 'solo-hf/tokenizer.model'), config: join(root, 'solo-hf/config.json') });
    expect(sha(join(out, 'config.json'))).toBe(filesJson(root)['solo-hf-roundtrip/config.json']!.sha256);
    mkdirSync(join(root, 'cfg-bad'));
    writeFileSync(join(root, 'cfg-bad/config.json'), readFileSync(join(root, 'solo-hf/config.json'), 'utf8').replace('"intermediate_size": 40', '"intermediate_size": 48'));
    await expect(modelToHf({ in: join(root, 'megatron-tp2-pp2'), out: join(root, 'hf-cfg2'), tokenizer: join(root, 'solo-hf/tokenizer.model'), config: join(root, 'cfg-bad/config.json') })).rejects.toThrow(/ffn 48 does not match the checkpoint's 40/);
  });

  it('refuses to guess the vocabulary without a tokenizer', async () => {
    await expect(modelToHf({ in: join(root, 'megatron-tp2-pp2'), out: join(root, 'hf-x') })).rejects.toThrow(/tokenizer/);
  });
});
