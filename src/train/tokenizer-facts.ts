/**
 * Tokenizer facts for validation: the number of pieces in a SentencePiece `tokenizer.model`
 * (top-level protobuf field 1, repeated) and its SHA-256. Hand-written tag walk so the train
 * module does not depend on the full protobuf reader.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

function varint(b: Buffer, p: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (p >= b.length) throw new RangeError('truncated varint');
    const x = b[p++]!;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, p];
    mul *= 128;
  }
}

/** Count the `pieces` entries of a SentencePiece ModelProto. */
export function sentencePieceCount(buf: Buffer): number {
  let p = 0;
  let n = 0;
  while (p < buf.length) {
    let key: number;
    [key, p] = varint(buf, p);
    const field = Math.floor(key / 8);
    const wt = key & 7;
    if (wt === 0) [, p] = varint(buf, p);
    else if (wt === 1) p += 8;
    else if (wt === 5) p += 4;
    else if (wt === 2) {
      let len: number;
      [len, p] = varint(buf, p);
      if (field === 1) n++;
      p += len;
    } else throw new RangeError(`unsupported wire type ${wt}`);
  }
  return n;
}

export function tokenizerFacts(path: string): { vocabSize: number; sha256: string } {
  const buf = readFileSync(path);
  return { vocabSize: sentencePieceCount(buf), sha256: createHash('sha256').update(buf).digest('hex') };
}
