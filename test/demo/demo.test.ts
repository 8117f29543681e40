// The end-to-end demo on its small sample: every stage passes and leaves an output that checks
// out (raw layouts, SOLO tokenizer, ingested docs, datasets with _DONE, mixture config, TP2
// shards, the dry-run argv, a bit-exact round trip, the HTML report); and a failing stage is
// named, its dependents skipped, the run not ok.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBaseTokenizer, runDemo, type DemoResult, type DemoStage } from '../../src/demo/index.js';
import { inspectPath } from '../../src/inspect/index.js';
import { readSentencePieceModel } from '../../src/tokenizer/index.js';
import { openSafetensorsModel } from '../../src/formats/safetensors/index.js';

const root = mkdtempSync(join(tmpdir(), 'solo-demo-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean);

describe('solo demo (small sample)', () => {
  let r: DemoResult;
  const events: [string, string][] = [];
  beforeAll(async () => {
    r = await runDemo({ dir: join(root, 'ok'), small: true, workers: 1, onStage: (s) => events.push([s.name, s.status]) });
  }, 60_000);

  it('passes every stage, in pipeline order, with a progress event at start and end of each', () => {
    expect(r.failed).toEqual([]);
    expect(r.stages.map((s) => [s.name, s.status])).toEqual(
      ['data', 'tokenizer', 'tiny-model', 'ingest-webdataset', 'ingest-llava', 'ingest-text', 'prepare-captions', 'prepare-text', 'plan', 'model-create', 'to-megatron', 'shard', 'train-dry-run', 'to-hf', 'verify', 'inspect'].map((n) => [n, 'ok']),
    );
    expect(r.ok).toBe(true);
    expect(events.length).toBe(32);
    expect(events.filter(([, s]) => s === 'running').length).toBe(16);
    for (const s of r.stages) {
      const isPrefix = s.name.startsWith('prepare-'); // a dataset prefix, not a path
      expect(existsSync(isPrefix ? `${s.output}_DONE` : s.output!), `${s.name}: ${s.output}`).toBe(true);
      expect(s.bytes, s.name).toBeGreaterThan(0);
      expect(s.seconds).toBeGreaterThanOrEqual(0);
    }
    expect(r.kept).toBe(true);
  });

  it('writes the raw sample in WebDataset and LLaVA layouts', () => {
    const tars = readdirSync(join(r.paths.raw, 'webdataset'));
    expect(tars).toEqual(['00000.tar', '00001.tar']);
    const llava = JSON.parse(readFileSync(join(r.paths.raw, 'llava', 'chat.json'), 'utf8')) as { image: string; conversations: { from: string; value: string }[] }[];
    expect(llava.length).toBe(12);
    for (const d of llava) {
      expect(existsSync(join(r.paths.raw, 'llava', 'images', d.image))).toBe(true);
      expect(d.conversations[0]!.value).toContain('<image>');
    }
  });

  it('extends the real Mistral tokenizer with the SOLO tokens, as model create does', () => {
    // the shipped asset is the real Mistral-7B-v0.1 model (sha256 from assets/README.md)
    expect(createHash('sha256').update(readFileSync(demoBaseTokenizer())).digest('hex')).toBe('dadfd56d766715c61d2ef780a525ab43b8e6da4de6865bda3d95fdef5e134055');
    const base = readSentencePieceModel(readFileSync(demoBaseTokenizer()));
    const solo = readSentencePieceModel(readFileSync(r.paths.tokenizer));
    expect(base.pieces.length).toBe(32000);
    expect(solo.pieces.length).toBe(33029);
    expect(solo.pieces.slice(0, 32000).map((p) => p.piece)).toEqual(base.pieces.map((p) => p.piece));
    expect(solo.pieces.map((p) => p.piece)).toContain('<vrow_sep>');
    expect(readFileSync(join(r.paths.soloHf, 'tokenizer.model')).equals(readFileSync(r.paths.tokenizer))).toBe(true);
  });

  it('writes a Mistral-shaped tiny HF model with the real vocabulary', async () => {
    const cfg = JSON.parse(readFileSync(join(r.paths.mistral, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).toMatchObject({ architectures: ['MistralForCausalLM'], model_type: 'mistral', vocab_size: 32000, hidden_size: 64, num_key_value_heads: 2, torch_dtype: 'bfloat16' });
    const m = await openSafetensorsModel(r.paths.mistral);
    try {
      const emb = m.tensors.find((t) => t.name === 'model.embed_tokens.weight')!;
      expect(emb.dtype).toBe('BF16');
      expect(emb.shape).toEqual([32000, 64]);
    } finally {
      await m.close();
    }
  });

  it('ingests every record and prepares complete dataset prefixes', () => {
    expect(lines(join(r.paths.ingested, 'demo_webdataset.jsonl')).length).toBe(24);
    expect(lines(join(r.paths.ingested, 'demo_llava.jsonl')).length).toBe(12);
    expect(lines(join(r.paths.ingested, 'demo_text.jsonl')).length).toBe(16);
    for (const p of [r.paths.captions, r.paths.text]) {
      expect(existsSync(`${p}_DONE`), p).toBe(true);
      for (const part of ['text', 'role', 'vision_patch', 'vision_patch_indices']) for (const ext of ['bin', 'idx']) expect(existsSync(`${p}-${part}.${ext}`)).toBe(true);
      expect(lines(`${p}.jsonl`).length).toBeGreaterThan(0);
    }
    const st = JSON.parse(readFileSync(`${r.paths.captions}_stats.json`, 'utf8')) as Record<string, number>;
    expect(JSON.stringify(st)).toMatch(/36/); // 24 + 12 images went in
  });

  it('packs decode back to the ingested captions with their images', async () => {
    const first = JSON.parse(lines(join(r.paths.ingested, 'demo_webdataset.jsonl'))[0]!) as { conversations: { content: { type: string; text?: string }[] }[] };
    const caption = first.conversations[0]!.content.find((c) => c.type === 'text')!.text!;
    const res = await inspectPath({ path: r.paths.captions, tokenizer: r.paths.tokenizer, items: [0] });
    if (res.kind !== 'dataset') throw new Error('not a dataset');
    const item = res.items[0]!;
    expect(item.problems).toEqual([]);
    expect(item.images.length).toBeGreaterThan(0);
    const text = item.documents.flatMap((d) => d.spans.map((s) => s.text)).join('');
    expect(text).toContain(caption.trim());
  });

  it('plans the mixture into a run config and renders the dry-run command against the TP2 shards', () => {
    const cfg = JSON.parse(readFileSync(r.paths.trainConfig, 'utf8')) as { trainData: { weight: string; prefix: string }[]; nTrainData: number };
    expect(cfg.trainData.map((e) => e.prefix).sort()).toEqual([r.paths.captions, r.paths.text].sort());
    expect(cfg.nTrainData).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(r.paths.sharded, 'latest_checkpointed_iteration.txt'), 'utf8').trim()).toBe('release');
    for (const rank of ['mp_rank_00', 'mp_rank_01']) expect(existsSync(join(r.paths.sharded, 'release', rank, 'model_optim_rng.pt'))).toBe(true);
    const a = r.trainArgv;
    expect(a.length).toBeGreaterThan(10);
    expect(a[0]).toBe('torchrun');
    const after = (flag: string) => a[a.indexOf(flag) + 1];
    expect(after('--tensor_model_parallel_size')).toBe('2');
    expect(after('--load')).toBe(r.paths.sharded);
    expect(a).toContain(`--vocab_file=${r.paths.tokenizer}`);
    expect(a).toContain(r.paths.captions);
    expect(a).toContain(r.paths.text);
    expect(readFileSync(r.paths.trainScript, 'utf8')).toContain('torchrun');
  });

  it('round-trips the model bit-exactly through Megatron TP2 and back', () => {
    expect(r.verify).toMatchObject({ ok: true, mismatches: 0, maxAbsDiff: 0 });
    expect(r.verify!.tensors).toBeGreaterThan(10);
  });

  it('writes a self-contained HTML report with charts and gallery images', () => {
    const html = readFileSync(r.paths.report, 'utf8');
    expect(html).toMatch(/<svg[^>]*class="chart/);
    expect(html).toContain('data:image/png;base64,');
    expect(html).not.toMatch(/src="(?!data:)[^"]+"/); // nothing outside the file
  });
});

describe('solo demo failures', () => {
  it('names the failing stage, skips what depends on it and is not ok', async () => {
    const stages: DemoStage[] = [];
    const r = await runDemo({ dir: join(root, 'bad'), small: true, workers: 1, baseTokenizer: join(root, 'missing.model'), onStage: (s) => s.status !== 'running' && stages.push(s) });
    expect(r.ok).toBe(false);
    expect(r.failed).toEqual(['tokenizer', 'tiny-model']);
    const by = Object.fromEntries(r.stages.map((s) => [s.name, s]));
    expect(by.tokenizer!.error).toContain('missing.model');
    expect(by['ingest-llava']!.status).toBe('ok');
    expect(by['prepare-captions']).toMatchObject({ status: 'skipped', detail: 'needs tokenizer' });
    expect(by['verify']).toMatchObject({ status: 'skipped', detail: 'needs to-hf, model-create' });
    expect(r.trainArgv).toEqual([]);
    expect(stages.length).toBe(16);
  });

  it('in its own temporary directory keeps everything after a failure, and only the report after success', async () => {
    const bad = await runDemo({ small: true, workers: 1, baseTokenizer: join(root, 'missing.model') });
    try {
      expect(bad.kept).toBe(true);
      expect(existsSync(join(bad.paths.raw, 'llava', 'chat.json'))).toBe(true);
    } finally {
      rmSync(bad.dir, { recursive: true, force: true });
    }
    const good = await runDemo({ small: true, workers: 1 });
    try {
      expect(good.ok).toBe(true);
      expect(good.kept).toBe(false);
      expect(readdirSync(good.dir).sort()).toEqual(['.solo-demo', 'report.html']);
    } finally {
      rmSync(good.dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to empty a --dir it did not make', async () => {
    const d = join(root, 'user');
    await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true }).then(() => fs.writeFile(join(d, 'precious.txt'), 'x')));
    await expect(runDemo({ dir: d, small: true })).rejects.toThrow(/not made by solo demo/);
    expect(existsSync(join(d, 'precious.txt'))).toBe(true);
  });
});
