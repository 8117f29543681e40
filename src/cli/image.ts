/** `solo image`: CLI layer (flag parsing) over src/image's patchifyImageFile / unpatchifyFile. */
import { InvalidArgumentError, type Command } from 'commander';
import { patchifyImageFile, unpatchifyFile } from '../image/index.js';
import { action, createReporter, globals } from './shared.js';

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
    return n;
  };
}

export function register(program: Command): void {
  const image = program.command('image').description('SOLO image preprocessing: Pillow-exact decode, resize, normalise, 32x32 float16 patches');

  image
    .command('patchify')
    .description('turn one image into SOLO patches (raw little-endian float16, n x 3 x 32 x 32), bit-identical to the reference')
    .argument('<file>', "image file, or '-' for stdin")
    .requiredOption('--out <file.f16>', 'output file for the raw float16 patches')
    .option('--max-pixels <n>', 'refuse images with more pixels than this (default 178956970, Pillow\'s limit)', int('--max-pixels'))
    .action(
      action(async (file: string, o: { out: string; maxPixels?: number }, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const summary = await patchifyImageFile({ input: file, out: o.out, maxPixels: o.maxPixels });
        if (g.json) rep.finish(summary);
        else process.stdout.write(JSON.stringify(summary) + '\n');
      }),
    );

  image
    .command('unpatchify')
    .description('rebuild a viewable PNG from raw float16 patches (inverse normalisation), for inspection')
    .argument('<file.f16>', 'raw float16 patches written by `solo image patchify`')
    .requiredOption('--rows <R>', 'patch rows', int('--rows'))
    .requiredOption('--cols <C>', 'patch columns', int('--cols'))
    .requiredOption('--out <file.png>', 'output PNG')
    .action(
      action(async (file: string, o: { rows: number; cols: number; out: string }, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const summary = await unpatchifyFile({ input: file, rows: o.rows, cols: o.cols, out: o.out });
        if (g.json) rep.finish(summary);
        else rep.info(`wrote ${o.out} (${summary.width}x${summary.height}, ${summary.patches} patches)`);
      }),
    );
}
