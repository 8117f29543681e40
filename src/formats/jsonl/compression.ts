/**
 * Which codec a path uses.
 *
 * Default rule: by suffix (`.gz`/`.gzip`, `.lz4`, `.zst`/`.zstd`; anything else is plain).
 * `rule: 'reference'` reproduces the Megatron reference writer (spec megatron-dataset §4.1, quirk
 * Q10): a **substring** test, `.gz` anywhere in the path first, then `.lz4`; no zstd.
 */
export type Compression = 'none' | 'gzip' | 'lz4' | 'zstd';

export function detectCompression(path: string, rule: 'suffix' | 'reference' = 'suffix'): Compression {
  if (rule === 'reference') {
    if (path.includes('.gz')) return 'gzip';
    if (path.includes('.lz4')) return 'lz4';
    return 'none';
  }
  const p = path.toLowerCase();
  if (p.endsWith('.gz') || p.endsWith('.gzip')) return 'gzip';
  if (p.endsWith('.lz4')) return 'lz4';
  if (p.endsWith('.zst') || p.endsWith('.zstd')) return 'zstd';
  return 'none';
}

/** Sniff the codec from a file's first bytes (gzip, LZ4 frame, zstd frame magics); null if none. */
export function sniffCompression(head: Uint8Array): Compression | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x04 && head[1] === 0x22 && head[2] === 0x4d && head[3] === 0x18) return 'lz4';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return null;
}
