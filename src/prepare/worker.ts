/**
 * Pool worker (piscina): builds the run's encoder once from `workerData` and encodes lines.
 * Result arrays are transferred, not copied.
 */
import { Piscina } from 'piscina';
import { createEncoderFromSetup, type EncoderSetup } from './setup.js';
import type { DocResult } from './types.js';
import type { EncodeTask, TokenizerFacts } from './pool.js';

const setup = Piscina.workerData as EncoderSetup;
// A failing setup (e.g. a tokenizer without the vision pieces) is reported through the first task,
// not thrown at load time (which would surface as an unhandled pool 'error' event).
let built: ReturnType<typeof createEncoderFromSetup> | Error;
try {
  built = createEncoderFromSetup(setup);
} catch (e) {
  built = e instanceof Error ? e : new Error(String(e));
}

export default async function encodeTask(task: EncodeTask | { facts: true }): Promise<DocResult | TokenizerFacts> {
  if (built instanceof Error) throw built;
  const { encoder, tokenizer } = built;
  if ('facts' in task) return { vocabSize: tokenizer.vocabSize, bosId: tokenizer.bosId, bosPiece: tokenizer.bosPiece };
  const r = await encoder.encodeLine(task, task.binary);
  if (r.kind === 'doc') {
    // Transfer the buffers (each typed array owns its whole buffer: IntBuilder.done() slices).
    const transfer = [r.tokens.buffer, r.roles.buffer, r.vpi.buffer];
    if (r.patches.byteOffset === 0 && r.patches.byteLength === r.patches.buffer.byteLength && r.patches.byteLength) transfer.push(r.patches.buffer);
    const wrapped = {
      get [Piscina.transferableSymbol]() {
        return transfer;
      },
      get [Piscina.valueSymbol]() {
        return r;
      },
    };
    return Piscina.move(wrapped as never) as never;
  }
  return r;
}
