// Public API of src/formats/jsonl: compressed line streams (.jsonl, .gz, .lz4, .zst).
export { detectCompression, sniffCompression, type Compression } from './compression.js';
export { readLines, type JsonlLine, type ReadLinesOptions } from './read-lines.js';
export { openCompressedReadStream, DecompressError, type CompressedReadOptions } from './read-stream.js';
export { createCompressedWriteStream } from './write-stream.js';
export { createLineWriter, type LineWriter, type LineWriterOptions } from './line-writer.js';
export { expandInputPatterns, expandBraces, globPaths } from './expand-patterns.js';
export {
  Lz4FrameDecoder,
  Lz4FrameEncoder,
  Lz4FrameError,
  lz4FrameCompress,
  lz4FrameDecompress,
  type Lz4EncoderOptions,
} from './lz4-frame.js';
export { xxh32, XXH32 } from './xxhash32.js';
