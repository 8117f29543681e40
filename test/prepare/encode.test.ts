// Encoder line shapes and skip rules (spec §4.4, §5): what is accepted, what is skipped and why.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDocEncoder } from '../../src/prepare/encode.js';
import { loadPrepareTokenizer } from '../../src/prepare/setup.js';
import type { DocResult } from '../../src/prepare/types.js';
import { workDir } from './helpers.js';

const tok = () => loadPrepareTokenizer(join(workDir(), 'solo-33031.tokenizer.model'));
// A 2×3-patch image for any bytes: the layout logic is under test here, not the decoder.
const fakeDecode = async () => ({ patches: new Uint16Array(6 * 3072).fill(1), rows: 2, cols: 3 });
const line = (v: unknown) => ({ text: typeof v === 'string' ? v : JSON.stringify(v), byteLength: 0, terminator: '\n' });

async function enc(v: unknown, o: { pretrain?: boolean; rejectMessages?: boolean } = {}): Promise<DocResult> {
  const e = createDocEncoder(tok(), fakeDecode, { pretrain: o.pretrain ?? true, rejectMessages: o.rejectMessages });
  return e.encodeLine(line(v), false);
}

const turn = { role: 'assistant', content: 'Hello world!' };

describe('line shapes', () => {
  it('list, conversations, single turn and messages encode the same', async () => {
    const a = await enc([turn]);
    expect(a.kind).toBe('doc');
    if (a.kind !== 'doc') return;
    expect([...a.tokens]).toEqual([22557, 1526, 28808]);
    expect([...a.roles]).toEqual([2, 2, 2]);
    for (const v of [{ conversations: [turn], id: 7 }, turn, { messages: [turn] }]) {
      const b = await enc(v);
      expect(b.kind === 'doc' && [...b.tokens]).toEqual([...a.tokens]);
    }
  });
  it('messages are rejected under --compat reject-messages', async () => {
    expect((await enc({ messages: [turn] }, { rejectMessages: true })).kind).toBe('error');
  });
  it('size counts code points plus the terminator for plain lines', async () => {
    const e = createDocEncoder(tok(), fakeDecode, { pretrain: true });
    const r = await e.encodeLine({ text: JSON.stringify(turn).replace('Hello', 'Héllo😀'), byteLength: 99, terminator: '\r\n' }, false);
    expect(r.kind === 'doc' && r.size).toBe(JSON.stringify(turn).length + 1 + 1);
    const g = await e.encodeLine({ text: JSON.stringify(turn), byteLength: 99, terminator: '\n' }, true);
    expect(g.kind === 'doc' && g.size).toBe(99);
  });
});

describe('skip rules', () => {
  const cases: [string, unknown, { pretrain?: boolean } | undefined, string][] = [
    ['invalid JSON', '{"role": "user", "content": [', undefined, 'invalid-json'],
    ['blank line', '', undefined, 'invalid-json'],
    ['unknown shape', { text: 'x' }, undefined, 'bad-shape'],
    ['role human', [{ role: 'human', content: 'x' }], undefined, 'bad-role'],
    ['role human (chat)', [{ role: 'human', content: [] }], { pretrain: false }, 'bad-role'],
    ['non-string text', [{ role: 'user', content: [{ type: 'text', text: ['a'] }] }], undefined, 'bad-text'],
    ['unknown type', [{ role: 'user', content: [{ type: 'video' }] }], undefined, 'unknown-content-type'],
    ['lone surrogate', '[{"role": "user", "content": "a\\ud83d"}]', undefined, 'lone-surrogate'],
    ['url without base64', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.jpg' } }] }], undefined, 'bad-image-url'],
    ['bad padding', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } }] }], undefined, 'bad-base64'],
    ['conversations is a non-empty string', { conversations: 'abc' }, undefined, 'bad-shape'],
    ['content is a number', [{ role: 'user', content: 5 }], undefined, 'bad-shape'],
  ];
  for (const [name, v, o, reason] of cases) {
    it(name, async () => {
      const r = await enc(v, o);
      expect(r.kind === 'error' && r.reason).toBe(reason);
    });
  }
  it('pretrain does not validate the role of a turn without items; empty containers are empty documents', async () => {
    for (const v of [[{ role: 'bogus', content: [] }], { conversations: {} }, { conversations: '' }, []]) {
      const r = await enc(v);
      expect(r.kind === 'doc' && r.tokens.length).toBe(0);
    }
  });
});

describe('layout', () => {
  it('image tokens: <vision>, rows of <vpatch> with <vrow_sep>, </vision>; chat wrapper', async () => {
    const t = tok();
    const r = await enc([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }], { pretrain: false });
    if (r.kind !== 'doc') throw new Error(r.message);
    const id = (p: string) => t.pieceToId(p)!;
    const head = t.tokenize('user\n');
    const tail = t.tokenize('\n');
    const P = id('<vpatch>');
    expect([...r.tokens]).toEqual([id('<|im_start|>'), ...head, id('<vision>'), P, P, P, id('<vrow_sep>'), P, P, P, id('</vision>'), id('<|im_end|>'), ...tail]);
    const n = head.length + 1;
    expect([...r.vpi].slice(n)).toEqual([-1, 0, 1, 2, -1, 3, 4, 5, -1, -1, ...Array.from(tail, () => -1)]);
    expect([...r.roles].slice(n, n + 9)).toEqual([1, 3, 3, 3, 1, 3, 3, 3, 1]);
    expect([r.nPatches, r.nImages]).toEqual([6, 1]);
  });
});
