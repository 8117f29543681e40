// MMIDIDX writer/reader: the spec's worked bytes (§9.5), every dtype, float16 items of many
// elements, temp-name atomicity, and round trips of the reference's golden files.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MmidWriter, bestFittingDtype, openIndexedDataset, parseIdx, MMID_UINT16, MMID_INT32, MMID_FLOAT16, MMIDIDX_DTYPES, type MmidDtypeCode } from '../../src/formats/indexed-dataset/index.js';
import { describeInterop, runPython } from '../helpers/oracle.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'prepare');
const tmp = () => mkdtempSync(join(tmpdir(), 'mmid-'));

describe('MMIDIDX writer', () => {
  it('writes the spec §9.5 -text example byte for byte', () => {
    const d = tmp();
    const w = new MmidWriter(join(d, 'x'), bestFittingDtype(33031));
    w.addItem([5, 6, 7]);
    w.addItem(new Int32Array([1, 32000]));
    expect(existsSync(join(d, 'x.bin'))).toBe(false);
    w.commit();
    expect(readFileSync(join(d, 'x.bin')).toString('hex')).toBe('05000600070001000' + '07d');
    const idx = readFileSync(join(d, 'x.idx'));
    expect(idx.length).toBe(66);
    expect(idx.toString('hex')).toBe(
      '4d4d49444944580000' + '0100000000000000' + '08' + '0200000000000000' + '0100000000000000' +
        '0300000002000000' + '0000000000000000' + '0600000000000000' + '0000000000000000',
    );
    expect(readdirSync(d).sort()).toEqual(['x.bin', 'x.idx']);
  });

  it('writes float16 patch items and int32 indices like §9.5', () => {
    const d = tmp();
    const w = new MmidWriter(join(d, 'p'), MMID_FLOAT16);
    w.addItem(new Uint16Array(3072)); // dummy patch
    const two = new Uint16Array(6144).map((_, i) => i & 0xffff);
    w.addItemParts([two.subarray(0, 3072), two.subarray(3072)]);
    w.commit();
    const idx = parseIdx(readFileSync(join(d, 'p.idx')));
    expect(idx.dtype).toBe(10);
    expect([...idx.sizes]).toEqual([3072, 6144]);
    expect([...idx.pointers]).toEqual([0, 6144]);
    expect(readFileSync(join(d, 'p.bin')).length).toBe(18432);
    const r = openIndexedDataset(join(d, 'p'));
    expect([...(r.item(1) as Uint16Array)]).toEqual([...two]);
    r.close();
    const v = new MmidWriter(join(d, 'v'), MMID_INT32);
    v.addItem([-1, 0, 1]);
    v.commit();
    expect(readFileSync(join(d, 'v.bin')).toString('hex')).toBe('ffffffff0000000001000000');
  });

  it('round-trips every dtype code, with wrap-around casts', () => {
    const d = tmp();
    const vals = [0, 1, 2, 100, 127];
    for (const code of Object.keys(MMIDIDX_DTYPES).map(Number) as MmidDtypeCode[]) {
      const w = new MmidWriter(join(d, `t${code}`), code, { bufferBytes: 16 });
      w.addItem(vals);
      w.addItem([]);
      w.addItem(vals.slice(0, 2));
      w.commit();
      const r = openIndexedDataset(join(d, `t${code}`));
      expect(r.dtype).toBe(code);
      expect(r.length).toBe(3);
      expect([...r.item(0)].map(Number)).toEqual(vals);
      expect([...r.item(1)]).toEqual([]);
      expect([...r.item(2)].map(Number)).toEqual([0, 1]);
      r.close();
    }
    const w = new MmidWriter(join(d, 'wrap'), MMID_UINT16);
    w.addItem([-1, 65536 + 3]);
    w.commit();
    expect(readFileSync(join(d, 'wrap.bin')).toString('hex')).toBe('ffff0300');
  });

  it('abort leaves nothing behind', () => {
    const d = tmp();
    const w = new MmidWriter(join(d, 'a'), MMID_INT32);
    w.addItem([1, 2, 3]);
    w.abort();
    expect(readdirSync(d)).toEqual([]);
  });

  it('reads and rewrites the reference golden datasets byte-identically', () => {
    const modes = join(FIX, 'dev', 'golden');
    for (const mode of readdirSync(modes)) {
      for (const name of ['data-text', 'data-role', 'data-vision_patch_indices']) {
        const base = join(modes, mode, name);
        const r = openIndexedDataset(base);
        const d = tmp();
        const w = new MmidWriter(join(d, name), r.dtype);
        for (let i = 0; i < r.length; i++) w.addItem(r.item(i));
        w.commit();
        r.close();
        expect(readFileSync(join(d, name + '.bin')).equals(readFileSync(base + '.bin'))).toBe(true);
        expect(readFileSync(join(d, name + '.idx')).equals(readFileSync(base + '.idx'))).toBe(true);
      }
      const vp = parseIdx(readFileSync(join(modes, mode, 'data-vision_patch.idx')));
      expect(vp.dtype).toBe(10);
      expect([...vp.docIdx]).toEqual([0]);
    }
  });
});

describeInterop(['numpy'], 'MMIDIDX interop (numpy reading like megatron/data/indexed_dataset.py)', () => {
  it('numpy parses what we write', () => {
    const d = tmp();
    const w = new MmidWriter(join(d, 'n'), MMID_INT32);
    w.addItem([-1, 5, 7]);
    w.addItem([42]);
    w.commit();
    const out = runPython(
      `import numpy as np, struct, sys
b = sys.argv[1]
with open(b + '.idx', 'rb') as f:
    assert f.read(9) == b'MMIDIDX\\x00\\x00'
    (v,) = struct.unpack('<Q', f.read(8)); (c,) = struct.unpack('<B', f.read(1))
    (n,) = struct.unpack('<Q', f.read(8)); (dc,) = struct.unpack('<Q', f.read(8)); off = f.tell()
buf = memoryview(np.memmap(b + '.idx', mode='r', order='C'))
sizes = np.frombuffer(buf, dtype=np.int32, count=n, offset=off)
ptr = np.frombuffer(buf, dtype=np.int64, count=n, offset=off + sizes.nbytes)
data = np.memmap(b + '.bin', mode='r', dtype=np.int32)
print(v, c, n, dc, [data[p // 4: p // 4 + s].tolist() for p, s in zip(ptr, sizes)])`,
      { args: [join(d, 'n')] },
    );
    expect(out.trim()).toBe('1 4 2 1 [[-1, 5, 7], [42]]');
  });
});
