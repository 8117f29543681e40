/**
 * Python oracles: 4-decimal weight formatting (`'%.4f' %` as the notebook), Megatron's per-dataset
 * sample targets (`ceil(T·w·1.005)` with the sequential-sum normalisation, as in the fork), the
 * pickled checkpoint args reader, and the SentencePiece piece count.
 */
import { expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describeInterop, runPython } from '../helpers/oracle.js';
import { blendSampleCounts, formatFixedPy, readCheckpointArgs, sentencePieceCount, TRAIN_PRESETS } from '../../src/train/index.js';

describeInterop([], 'train: Python number formatting and Megatron arithmetic', () => {
  it('formatFixedPy equals Python "%.4f" on 30000 values (random, binary ties, count ratios)', () => {
    const vals: number[] = [];
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 10000; i++) vals.push(rnd());
    for (let i = 0; i < 10000; i++) vals.push(Math.floor(rnd() * 2 ** 16) / 2 ** 16); // many exact ties at 4 decimals
    for (let i = 0; i < 10000; i++) {
      const a = 1 + Math.floor(rnd() * 200000);
      vals.push(a / (a + 1 + Math.floor(rnd() * 2000000)));
    }
    vals.push(0.03125, 0.96875, 0.00005, 0.99995, 1, 0, 0.5, 12.34565);
    const py = runPython('import sys\nfor l in sys.stdin: print("%.4f" % float(l))', { input: vals.map((v) => String(v)).join('\n') + '\n' }).trim().split('\n');
    const mine = vals.map((v) => formatFixedPy(v));
    const diffs = mine.map((m, i) => (m === py[i] ? null : `${vals[i]}: ${m} vs ${py[i]}`)).filter(Boolean);
    expect(diffs.slice(0, 5)).toEqual([]);
    expect(py.length).toBe(vals.length);
    // JS toFixed differs on exact ties, which is why the port exists
    expect(vals.some((v) => v.toFixed(4) !== formatFixedPy(v))).toBe(true);
  });

  it('blendSampleCounts equals the fork\'s formula for the three presets', () => {
    for (const [name, iters] of [['solo-stage1', 1525], ['solo-stage2', 3481], ['solo-stage3', 300]] as const) {
      const weights = TRAIN_PRESETS[name].trainData!.map((e) => e!.weight as string);
      const T = iters * 128;
      const code = 'import sys, math\nw=[float(x) for x in sys.argv[2:]]\nT=int(sys.argv[1])\ns=0.0\nfor x in w: s+=x\nprint(" ".join(str(int(math.ceil(T*(x/s)*1.005))) for x in w))';
      const py = runPython(code, { args: [String(T), ...weights] }).trim().split(' ').map(Number);
      expect(blendSampleCounts(weights, T)).toEqual(py);
    }
  });

  it('readCheckpointArgs reads ints pickled by Python (BININT1/2/4, memoised keys)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'solo-train-pkl-'));
    const pt = join(dir, 'model_optim_rng.pt');
    runPython(`import pickle, zipfile, argparse, sys
ns = argparse.Namespace(tensor_model_parallel_size=2, pipeline_model_parallel_size=1, max_position_embeddings=131072, padded_vocab_size=33280, num_layers=3)
for proto in (2,):
    data = pickle.dumps({'args': ns, 'iteration': 7}, protocol=proto)
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('archive/data.pkl', data)
`, { args: [pt] });
    expect(await readCheckpointArgs(pt)).toEqual({ maxPositionEmbeddings: 131072, tensorModelParallelSize: 2, pipelineModelParallelSize: 1, paddedVocabSize: 33280 });
  });
});

describeInterop(['sentencepiece'], 'train: SentencePiece piece count', () => {
  it('sentencePieceCount equals SentencePieceProcessor.get_piece_size()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'solo-train-spm-'));
    const model = join(dir, 'tokenizer.model');
    writeFileSync(model, gunzipSync(readFileSync(join(__dirname, '../fixtures/model/solo-hf/tokenizer.model.gz'))));
    const py = Number(runPython('import sys, sentencepiece as s\nprint(s.SentencePieceProcessor(model_file=sys.argv[1]).get_piece_size())', { args: [model] }).trim());
    expect(sentencePieceCount(readFileSync(model))).toBe(py);
    expect(py).toBeGreaterThan(32000);
  });
});
