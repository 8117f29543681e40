// chat parser: every reference line shape plus {"messages"}, JSON paths and reason codes of errors,
// Python json.loads acceptance (NaN/Infinity), lone surrogates, data URLs, image sniffing.
import { describe, expect, it } from 'vitest';
import {
  parseChatDocument,
  parseChatLine,
  parseDataUrl,
  decodeImageDataUrl,
  toDataUrl,
  sniffImageType,
  hasLoneSurrogate,
  ChatValidationError,
  parsePythonJson,
} from '../../src/chat/index.js';
import { InputError } from '../../src/errors.js';
import { describeInterop, runPython } from '../helpers/oracle.js';

function errOf(fn: () => unknown): ChatValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ChatValidationError);
    expect(e).toBeInstanceOf(InputError);
    return e as ChatValidationError;
  }
  throw new Error('expected an error');
}

const turn = (role: string, content: unknown) => ({ role, content });

describe('line shapes', () => {
  const t = [turn('user', [{ type: 'text', text: 'hi' }]), turn('assistant', 'yo')];
  it('accepts a bare list of turns', () => {
    expect(parseChatDocument(t)).toEqual({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }, { role: 'assistant', content: 'yo' }] });
  });
  it('accepts {id, conversations}', () => {
    expect(parseChatDocument({ id: 'x1', conversations: t }).id).toBe('x1');
    expect(parseChatDocument({ id: 7, conversations: t }).id).toBe('7');
  });
  it('accepts a single {role, content} turn', () => {
    expect(parseChatDocument({ role: 'assistant', content: 'a' })).toEqual({ messages: [{ role: 'assistant', content: 'a' }] });
  });
  it('accepts {messages} (solo) but not in reference mode', () => {
    expect(parseChatDocument({ messages: t }).messages.length).toBe(2);
    expect(errOf(() => parseChatDocument({ messages: t }, { shapes: 'reference' })).reason).toBe('unknown-shape');
  });
  it('conversations wins over role+content; extra keys are ignored and dropped', () => {
    const d = parseChatDocument({ conversations: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,x', detail: 'hi' }, extra: 1 }], x: 2 }], role: 'bogus', content: 1 });
    expect(d).toEqual({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,x' } }] }] });
  });
  it('rejects other shapes', () => {
    for (const v of [1, 'x', null, {}, { role: 'user' }, { text: 'a' }]) expect(errOf(() => parseChatDocument(v)).reason).toBe('unknown-shape');
  });
  it('an empty conversation is a (empty) document', () => {
    expect(parseChatDocument([])).toEqual({ messages: [] });
  });
});

describe('errors name the JSON path and a reason', () => {
  const cases: [unknown, string, string][] = [
    [{ messages: [turn('user', 'a'), turn('user', [{ type: 'video' }])] }, 'unknown-content-type', 'messages[1].content[0].type'],
    [[turn('human', 'a')], 'unknown-role', '[0].role'],
    [{ conversations: [turn('gpt', 'a')] }, 'unknown-role', 'conversations[0].role'],
    [[turn('image', 'a')], 'unsupported-role', '[0].role'],
    [[turn('user', 5)], 'bad-content', '[0].content'],
    [[turn('user', [{ type: 'text', text: ['a'] }])], 'bad-text', '[0].content[0].text'],
    [[turn('user', [{ type: 'image_url', image_url: 'data:...' }])], 'bad-image-url', '[0].content[0].image_url'],
    [[turn('user', [{ type: 'image_url', image_url: {} }])], 'bad-image-url', '[0].content[0].image_url.url'],
    [[turn('user', ['text'])], 'bad-part', '[0].content[0]'],
    [[turn('user', [{ text: 'a' }])], 'bad-part', '[0].content[0]'],
    [[{ content: 'a' }], 'bad-turn', '[0]'],
    [['a'], 'bad-turn', '[0]'],
    [{ conversations: { role: 'user' } }, 'bad-conversation', 'conversations'],
    [[turn('user', [{ type: 'text', text: 'a\ud83d' }])], 'lone-surrogate', '[0].content[0].text'],
    [{ role: 'user', content: '\udc00x' }, 'lone-surrogate', 'content'],
  ];
  for (const [doc, reason, path] of cases) {
    it(`${reason} at ${path}`, () => {
      const e = errOf(() => parseChatDocument(doc));
      expect(e.reason).toBe(reason);
      expect(e.path).toBe(path);
      expect(e.message).toContain(path);
    });
  }
  it('reference-only roles with acceptReferenceRoles; pretrain role rule', () => {
    expect(parseChatDocument([turn('PACK_SEP', 'a')], { acceptReferenceRoles: true }).messages[0]!.role).toBe('PACK_SEP');
    expect(parseChatDocument([turn('bogus', [])], { roleCheck: 'when-content' }).messages.length).toBe(1);
    expect(errOf(() => parseChatDocument([turn('bogus', [])])).reason).toBe('unknown-role');
  });
});

describe('parseChatLine', () => {
  it('reports invalid JSON with the location', () => {
    const e = errOf(() => parseChatLine('[{"role": "user", "content": "a"}', { file: 'f.jsonl', line: 3, offset: 10 }));
    expect(e.reason).toBe('invalid-json');
    expect(e.location).toEqual({ file: 'f.jsonl', line: 3, offset: 10 });
    expect(e.message).toMatch(/^f\.jsonl:3 \(byte 10\): /);
    expect(errOf(() => parseChatLine('')).reason).toBe('invalid-json');
    expect(errOf(() => parseChatLine('   ')).reason).toBe('invalid-json');
  });
  it('attaches the location to structural errors', () => {
    const e = errOf(() => parseChatLine('[{"role":"human","content":"a"}]', { file: 'g', line: 9 }));
    expect(e.location?.line).toBe(9);
    expect(e.path).toBe('[0].role');
  });
  it("accepts Python's NaN/Infinity literals like json.loads does (not inside strings)", () => {
    expect(parseChatLine('{"id": NaN, "score": -Infinity, "conversations": [{"role": "user", "content": "NaN Infinity"}]}').messages[0]!.content).toBe('NaN Infinity');
    expect(parsePythonJson('[1, Infinity, "NaN"]')).toEqual([1, null, 'NaN']);
    expect(() => parsePythonJson('[nan]')).toThrow();
  });
  it('duplicate keys: last wins (as in Python)', () => {
    expect(parseChatLine('{"role":"human","role":"user","content":"a"}').messages[0]!.role).toBe('user');
  });
});

describe('lone surrogates', () => {
  it('detects unpaired high and low surrogates only', () => {
    expect(hasLoneSurrogate('ok 🎉')).toBe(false);
    expect(hasLoneSurrogate(JSON.parse('"\\ud83d"'))).toBe(true);
    expect(hasLoneSurrogate('a\udc00')).toBe(true);
    expect(hasLoneSurrogate('\ud83d\ude00\ud83d')).toBe(true);
    expect(hasLoneSurrogate('')).toBe(false);
  });
});

describe('data URLs', () => {
  it('parses the header and takes the text between the first and second comma', () => {
    expect(parseDataUrl('data:image/PNG;base64,QUJD')).toEqual({ mime: 'image/png', isBase64: true, payload: 'QUJD', isDataUrl: true });
    expect(parseDataUrl('data:image/jpeg;base64,QUJD,REVG').payload).toBe('QUJD');
    expect(parseDataUrl('data:,hello').isBase64).toBe(false);
    expect(errOf(() => parseDataUrl('data:image/png;base64')).reason).toBe('bad-data-url');
  });
  it('decodes like the reference and sniffs the real type', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const url = toDataUrl(png);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const d = decodeImageDataUrl(url.replace('image/png', 'image/jpeg'));
    expect(d.mime).toBe('image/jpeg');
    expect(d.sniffed?.type).toBe('png');
    expect(d.bytes.equals(png)).toBe(true);
    expect(errOf(() => decodeImageDataUrl('data:image/png;base64,QUJDRA', 'p')).reason).toBe('bad-base64');
    expect(errOf(() => decodeImageDataUrl('data:image/png,QUJD')).reason).toBe('not-base64');
    expect(errOf(() => decodeImageDataUrl('data:image/png;base64,QUJé')).reason).toBe('bad-base64');
    expect(toDataUrl(Buffer.from('x'), 'text/plain')).toBe('data:text/plain;base64,eA==');
  });
});

describe('sniffImageType (hand-made headers)', () => {
  const h = (hex: string) => Buffer.from(hex.replace(/ /g, ''), 'hex');
  const cases: [string, Buffer][] = [
    ['jpeg', h('ffd8ffe0 0010 4a46')],
    ['gif', Buffer.from('GIF89a\x01\x00', 'latin1')],
    ['webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1')],
    ['bmp', Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.alloc(12), h('28000000')])],
    ['tiff', h('49492a00 08000000')],
    ['tiff', h('4d4d002a 00000008')],
    ['avif', Buffer.concat([h('0000001c'), Buffer.from('ftypavif\x00\x00\x00\x00avifmif1', 'latin1')])],
    ['heic', Buffer.concat([h('00000018'), Buffer.from('ftypheic\x00\x00\x00\x00mif1heic', 'latin1')])],
    ['ico', h('00000100 0100 1010')],
    ['svg', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['svg', Buffer.from('  <svg width="1"/>')],
    ['jxl', h('ff0a fa')],
    ['pnm', Buffer.from('P6\n1 1\n255\n')],
  ];
  for (const [type, buf] of cases) it(type, () => expect(sniffImageType(buf)?.type).toBe(type));
  it('returns null for non-images', () => {
    for (const b of [Buffer.alloc(0), Buffer.from('hello world'), Buffer.from('{"a":1}'), h('0000'), Buffer.from('BMxx')]) {
      expect(sniffImageType(b)).toBeNull();
    }
  });
});

describeInterop(['PIL'], 'sniffImageType on files written by Pillow', () => {
  it('recognises every format Pillow writes', () => {
    const out = runPython(`
import io, json, PIL.Image as I
im = I.new('RGB', (32, 32), (200, 30, 40))
res = {}
for fmt in ['JPEG', 'PNG', 'GIF', 'WEBP', 'BMP', 'TIFF', 'ICO', 'PPM']:
    b = io.BytesIO()
    try:
        im.save(b, fmt)
    except Exception:
        continue
    res[fmt] = b.getvalue().hex()
print(json.dumps(res))`);
    const files = JSON.parse(out) as Record<string, string>;
    const want: Record<string, string> = { JPEG: 'jpeg', PNG: 'png', GIF: 'gif', WEBP: 'webp', BMP: 'bmp', TIFF: 'tiff', ICO: 'ico', PPM: 'pnm' };
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(6);
    for (const [fmt, hex] of Object.entries(files)) expect(sniffImageType(Buffer.from(hex, 'hex'))?.type, fmt).toBe(want[fmt]);
  });
});
