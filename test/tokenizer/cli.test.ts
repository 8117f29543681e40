/**
 * `solo tokenizer encode|decode|info|extend` through the real CLI program: line alignment (null for
 * bad lines, exit 1), --megatron, atomic --out, info summary, extend output hash and refusal (exit 2).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { BASE_MODEL_PATH, SHA256, golden, sha256 } from './helpers.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync(['node', 'solo', ...args]);
  } catch {
    /* exitOverride */
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out, err };
}

describe('solo tokenizer CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'solo-tokcli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const solo = join(dir, 'solo.model');

  it('extend writes the reference 33031 file; a second extend is refused with exit 2', async () => {
    const r = await cli(['tokenizer', 'extend', '--base', BASE_MODEL_PATH, '--out', solo, '--chat-tokens']);
    expect(r.code).toBe(0);
    expect(sha256(readFileSync(solo))).toBe(SHA256.solo33031);
    const again = await cli(['tokenizer', 'extend', '--base', solo, '--out', join(dir, 'x.model')]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already has/);
  });

  it('encode: golden texts raw and --megatron, one line per input, null + exit 1 for bad lines', async () => {
    const recs = golden();
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, recs.map((r, i) => (i % 2 ? JSON.stringify(r.text) : JSON.stringify({ text: r.text, id: r.id }))).join('\n') + '\nnot json\n[1]\n');
    for (const megatron of [false, true]) {
      const out = join(dir, `ids-${megatron}.jsonl`);
      const r = await cli(['tokenizer', 'encode', '--model', BASE_MODEL_PATH, '--input', input, '--out', out, ...(megatron ? ['--megatron'] : [])]);
      expect(r.code).toBe(1);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
      expect(lines.length).toBe(recs.length + 2);
      recs.forEach((rec, i) => {
        expect(JSON.parse(lines[i])).toEqual(rec.error ? null : megatron ? rec.wrapper_ids : rec.sp_ids);
      });
      expect(lines.slice(-2)).toEqual(['null', 'null']);
    }
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('decode and info (--json)', async () => {
    const input = join(dir, 'dec.jsonl');
    writeFileSync(input, '[1, 22557, 1526, 28808]\n[]\n[99999]\n');
    const out = join(dir, 'dec.out');
    const r = await cli(['tokenizer', 'decode', '--model', solo, '--input', input, '--out', out]);
    expect(r.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('"Hello world!"\n""\nnull\n');
    const info = await cli(['--json', 'tokenizer', 'info', '--model', solo]);
    expect(info.code).toBe(0);
    const s = JSON.parse(info.out.trim().split('\n').pop()!);
    expect(s).toMatchObject({ type: 'summary', pieces: 33031, solo: { buildable: 0, variant: 'vision+chat', loc1: 32005, loc1024: 33028, chat: { '<|im_start|>': 33029 } } });
    expect(s.megatron).toMatchObject({ vocabSize: 33031, bos: 1, eos: 2, pad: 2 });
  });
});
