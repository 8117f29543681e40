/**
 * CRC-32 (zlib polynomial), incremental. Uses `zlib.crc32` (Node ≥ 20.15) and falls back to a
 * table implementation on older Node 20 releases, which lack it.
 */
import * as zlib from 'node:zlib';

type Crc32Fn = (data: Uint8Array, value?: number) => number;
const native = (zlib as unknown as { crc32?: Crc32Fn }).crc32;

let table: Uint32Array | undefined;
function slowCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of `data`, continuing from `value` (the CRC of the preceding bytes, 0 at the start). */
export function crc32(data: Uint8Array, value = 0): number {
  return native ? native(data, value) >>> 0 : slowCrc32(data, value);
}
