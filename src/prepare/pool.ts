/**
 * Encoding workers: a piscina pool of `workers` threads (each with its own tokenizer and image
 * decoder), or the calling thread when `workers` is 1 or the compiled worker file cannot be found
 * (e.g. under vitest, which runs the .ts sources). Callers keep results in input order.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Piscina } from 'piscina';
import { createEncoderFromSetup, type EncoderSetup } from './setup.js';
import type { DocResult } from './types.js';
import type { PrepareTokenizer } from './encode.js';

/** One line to encode (cloneable). */
export interface EncodeTask {
  text: string;
  byteLength: number;
  terminator: string;
  invalidUtf8?: boolean;
  file?: string;
  line?: number;
  offset?: number;
  /** From a gz/lz4 file. */
  binary: boolean;
}

export interface EncodePool {
  encode(task: EncodeTask): Promise<DocResult>;
  /** Threads in use (0 = in-thread). */
  threads: number;
  close(): Promise<void>;
}

/** The compiled worker module: next to this file when running from dist, else dist/prepare. */
export function findWorkerFile(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  const candidates = [join(dir, 'worker.js')];
  if (here.endsWith('.ts')) candidates.push(join(dir, '..', '..', 'dist', 'prepare', 'worker.js'));
  return candidates.find((p) => existsSync(p));
}

/** What the writer needs to know about the tokenizer (asked from a worker, so the main thread need not load it). */
export type TokenizerFacts = Pick<PrepareTokenizer, 'vocabSize' | 'bosId' | 'bosPiece'>;

/** Create the pool; `tokenizer` gives the facts the writer needs (vocabulary size, separator). */
export async function createEncodePool(setup: EncoderSetup, workers: number): Promise<{ pool: EncodePool; tokenizer: TokenizerFacts }> {
  const file = workers > 1 ? findWorkerFile() : undefined;
  if (!file) {
    const local = createEncoderFromSetup(setup);
    return {
      tokenizer: local.tokenizer,
      pool: { threads: 0, encode: (t) => local.encoder.encodeLine(t, t.binary), close: async () => {} },
    };
  }
  const piscina = new Piscina({ filename: file, workerData: setup, minThreads: workers, maxThreads: workers, idleTimeout: 60_000, concurrentTasksPerWorker: 2 });
  // A worker that dies fails its task; without a listener the pool's 'error' event would crash the process.
  piscina.on('error', () => {});
  let tokenizer: TokenizerFacts;
  try {
    tokenizer = (await piscina.run({ facts: true })) as TokenizerFacts;
  } catch (e) {
    await piscina.destroy();
    throw e;
  }
  return {
    tokenizer,
    pool: {
      threads: workers,
      encode: (t) => piscina.run(t) as Promise<DocResult>,
      close: () => piscina.destroy(),
    },
  };
}
