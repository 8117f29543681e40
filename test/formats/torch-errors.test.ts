/**
 * Corrupt and hostile torch files: clear errors, nothing executed, no partial outputs.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SoloError } from '../../src/errors.js';
import { TensorSource, TorchZipWriter, loadTorchFile, pyDict, saveTorchFile } from '../../src/formats/torch/index.js';

const FIX = join(import.meta.dirname, '../fixtures/torch');

async function zipWith(path: string, pkl: Buffer, records: Array<[string, Buffer]> = []) {
  const fh = await open(path, 'w');
  const z = new TorchZipWriter(fh);
  await z.addBuffer('archive/data.pkl', pkl);
  for (const [n, b] of records) await z.addBuffer(`archive/${n}`, b);
  await z.addBuffer('archive/version', Buffer.from('3\n'));
  await z.finish();
  await fh.close();
}

describe('torch.save reader: corrupt and hostile inputs', () => {
  let dir: string;
  let golden: Buffer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'solo-torch-err-'));
    golden = gunzipSync(readFileSync(join(FIX, 'pytorch_model-00001-of-00002.bin.gz')));
  });

  it('refuses globals off the allow-list, naming them, and executes nothing', async () => {
    const marker = join(dir, 'pwned');
    const cmd = Buffer.from(`touch ${marker}`);
    const pkl = Buffer.concat([Buffer.from('\x80\x02cos\nsystem\nq\x00X', 'latin1'), Buffer.from([cmd.length, 0, 0, 0]), cmd, Buffer.from('\x85R.', 'latin1')]);
    const f = join(dir, 'evil.pt');
    await zipWith(f, pkl);
    await expect(loadTorchFile(f)).rejects.toThrow(/global os\.system.*not on the allow-list/);
    expect(existsSync(marker)).toBe(false);
    const pkl2 = Buffer.from('\x80\x02c__builtin__\neval\nq\x00.', 'latin1');
    await zipWith(f, pkl2);
    await expect(loadTorchFile(f)).rejects.toThrow(/builtins\.eval/);
    // getattr is allowed only on enum classes
    const pkl3 = Buffer.from('\x80\x02c__builtin__\ngetattr\ncargparse\nNamespace\nX\x04\x00\x00\x00__eq\x86R.', 'latin1');
    await zipWith(f, pkl3);
    await expect(loadTorchFile(f)).rejects.toThrow(/getattr.*only allowed on enum classes/);
  });

  it('reports truncated files', async () => {
    for (const len of [0, 10, 1000, golden.length >> 1, golden.length - 30, golden.length - 1]) {
      const f = join(dir, `trunc-${len}.bin`);
      writeFileSync(f, golden.subarray(0, len));
      await expect(loadTorchFile(f), `length ${len}`).rejects.toThrow(SoloError);
    }
    await expect(loadTorchFile(join(dir, 'trunc-1000.bin'))).rejects.toThrow(/truncated|not a torch\.save zip/);
  });

  it('reports a truncated pickle stream', async () => {
    const f = join(dir, 'trunc-pkl.pt');
    await zipWith(f, Buffer.from('\x80\x02}q\x00(X\x01\x00\x00', 'latin1'));
    await expect(loadTorchFile(f)).rejects.toThrow(/truncated pickle/);
  });

  it('detects CRC mismatches in data.pkl and in tensor records', async () => {
    await expect(loadTorchFile(join(dir, 'does-not-exist.pt'))).rejects.toThrow(SoloError);
    const probe = join(dir, 'probe.bin');
    writeFileSync(probe, golden);
    const ok = await loadTorchFile(probe);
    const pklEntry = ok.entries[0];
    const [, t0] = ok.tensors()[0];
    const rec = ok.entries.find((e) => e.name.endsWith(`/data/${t0.storage.key}`))!;
    await ok.close();
    const badPkl = Buffer.from(golden);
    badPkl[pklEntry.dataOffset + 20] ^= 0x01;
    writeFileSync(join(dir, 'badpkl.bin'), badPkl);
    await expect(loadTorchFile(join(dir, 'badpkl.bin'))).rejects.toThrow(/CRC mismatch in record .*data\.pkl/);
    const badData = Buffer.from(golden);
    badData[rec.dataOffset + 3] ^= 0x40;
    writeFileSync(join(dir, 'baddata.bin'), badData);
    const tf2 = await loadTorchFile(join(dir, 'baddata.bin'));
    const [, t] = tf2.tensors()[0];
    await expect(t.read()).rejects.toThrow(/CRC mismatch in record .*\/data\//);
    await tf2.close();
    // copying the corrupt storage into a new file fails too, and leaves no output behind
    const copyDir = mkdtempSync(join(dir, 'copy-'));
    const tf4 = await loadTorchFile(join(dir, 'baddata.bin'));
    await expect(saveTorchFile(join(copyDir, 'copy.bin'), tf4.root)).rejects.toThrow(/CRC mismatch/);
    await tf4.close();
    expect(readdirSync(copyDir)).toEqual([]);
    const tf3 = await loadTorchFile(join(dir, 'baddata.bin'), { verifyCrc: false });
    expect((await tf3.tensors()[0][1].read()).length).toBe(t.nbytes);
    await tf3.close();
  });

  it('rejects central-directory offsets and sizes that point outside the file', async () => {
    const probe = await loadTorchFile(join(dir, 'probe.bin'));
    const n = probe.entries.length;
    await probe.close();
    // find the central directory entry of record 1 and corrupt its local-header offset / size
    const cdStart = golden.indexOf(Buffer.from('PK\x01\x02', 'latin1'));
    let p = cdStart;
    p += 46 + golden.readUInt16LE(p + 28) + golden.readUInt16LE(p + 30);
    const badOff = Buffer.from(golden);
    badOff.writeUInt32LE(golden.length + 100, p + 42);
    writeFileSync(join(dir, 'badoff.bin'), badOff);
    await expect(loadTorchFile(join(dir, 'badoff.bin'))).rejects.toThrow(/local header .* outside the data area/);
    const badSize = Buffer.from(golden);
    badSize.writeUInt32LE(golden.length, p + 20);
    badSize.writeUInt32LE(golden.length, p + 24);
    writeFileSync(join(dir, 'badsize.bin'), badSize);
    await expect(loadTorchFile(join(dir, 'badsize.bin'))).rejects.toThrow(/runs past the data area/);
    const badSig = Buffer.from(golden);
    badSig.writeUInt32LE(0, p);
    writeFileSync(join(dir, 'badsig.bin'), badSig);
    await expect(loadTorchFile(join(dir, 'badsig.bin'))).rejects.toThrow(/bad central directory entry 1/);
    expect(n).toBeGreaterThan(3);
  });

  it('rejects tensor views that reach past their storage, and missing storage records', async () => {
    const view = (size: number) =>
      Buffer.concat([
        Buffer.from('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQK\x00', 'latin1'),
        Buffer.from([0x4b, size, 0x85, 0x4b, 0x01, 0x85, 0x89, 0x7d, 0x74, 0x52, 0x2e]),
      ]);
    const f = join(dir, 'view.pt');
    await zipWith(f, view(4), [['data/0', Buffer.alloc(16)]]);
    const ok = await loadTorchFile(f);
    expect((await ok.tensors()[0][1].read()).length).toBe(16);
    await ok.close();
    await zipWith(f, view(5), [['data/0', Buffer.alloc(16)]]);
    await expect(loadTorchFile(f)).rejects.toThrow(/reaches element 4 of storage 0, which has 4/);
    await zipWith(f, view(4), []);
    await expect(loadTorchFile(f)).rejects.toThrow(/storage record archive\/data\/0 is missing/);
    await zipWith(f, view(4), [['data/0', Buffer.alloc(12)]]);
    await expect(loadTorchFile(f)).rejects.toThrow(/holds 12 bytes/);
  });
});

describe('torch.save writer: failures leave no output', () => {
  it('a tensor whose data has the wrong size fails and leaves neither the file nor a temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'solo-torch-werr-'));
    const root = pyDict({
      ok: new TensorSource({ dtype: 'float32', shape: [2], data: Buffer.alloc(8) }),
      bad: new TensorSource({ dtype: 'float32', shape: [3], data: () => Buffer.alloc(8) }),
    });
    await expect(saveTorchFile(join(dir, 'out.pt'), root)).rejects.toThrow(/tensor bad: data has 8 bytes, expected 12/);
    expect(readdirSync(dir)).toEqual([]);
    const failing = pyDict({ x: new TensorSource({ dtype: 'uint8', shape: [1], data: async () => Promise.reject(new Error('source gone')) }) });
    await expect(saveTorchFile(join(dir, 'out.pt'), failing)).rejects.toThrow(/writing tensor x .*source gone/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('torch.save reader: data.pkl-only extracts', () => {
  const PKL_ONLY = join(import.meta.dirname, '../fixtures/train/ckpt-args.pt');
  it('are refused by default (a storage record is missing) and load with allowMissingStorages, whose tensors refuse to read', async () => {
    await expect(loadTorchFile(PKL_ONLY)).rejects.toThrow(/storage record model_optim_rng\/data\/\d+ is missing/);
    const tf = await loadTorchFile(PKL_ONLY, { allowMissingStorages: true });
    try {
      const tensors = tf.tensors();
      expect(tensors.length).toBeGreaterThan(0);
      await expect(tensors[0]![1].read()).rejects.toThrow(/is missing \(opened with allowMissingStorages\)/);
    } finally {
      await tf.close();
    }
  });
});
