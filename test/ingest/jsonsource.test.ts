import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { jsonArrayElements, jsonRecords } from '../../src/ingest/jsonsource.js';
import { tempDir } from './helpers.js';

describe('streamed JSON arrays', () => {
  it('yields every element across 1 MiB chunk boundaries, with brackets, commas and escapes inside strings', async () => {
    const dir = tempDir();
    const items: unknown[] = [];
    for (let i = 0; i < 3000; i++)
      items.push(i % 7 === 0 ? i : { id: i, s: `x],[{"y\\" ${'z'.repeat(i % 1500)} é 😀`, a: [1, [2, { b: '}' }]], n: null });
    const text = JSON.stringify(items, null, 3);
    expect(text.length).toBeGreaterThan(2e6);
    await fsp.writeFile(join(dir, 'a.json'), '\ufeff' + text);
    await fsp.writeFile(join(dir, 'b.json.gz'), gzipSync(JSON.stringify(items)));
    for (const f of ['a.json', 'b.json.gz']) {
      const got: unknown[] = [];
      for await (const r of jsonRecords(join(dir, f))) got.push(JSON.parse(r.text));
      expect(got).toEqual(items);
    }
    const empty = join(dir, 'e.json');
    await fsp.writeFile(empty, ' [ ] ');
    const n: unknown[] = [];
    for await (const r of jsonArrayElements(empty)) n.push(r);
    expect(n).toEqual([]);
  });
});

