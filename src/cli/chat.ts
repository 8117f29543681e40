/** `solo chat validate|stats`: CLI layer (flag parsing, progress, printing) over src/chat/scan.ts. */
import type { Command } from 'commander';
import { chatStats, validateChatFiles, type ChatScanOptions, type ChatValidationReport } from '../chat/index.js';
import { action, createReporter, globals } from './shared.js';

interface ScanFlags {
  referenceShapes?: boolean;
  referenceRoles?: boolean;
  images?: boolean;
  universalNewlines?: boolean;
  errors?: string;
}

function scanOptions(files: string[], f: ScanFlags): ChatScanOptions {
  return {
    inputs: files,
    parse: { shapes: f.referenceShapes ? 'reference' : 'solo', acceptReferenceRoles: !!f.referenceRoles },
    checkImages: f.images !== false,
    newlines: f.universalNewlines ? 'universal' : 'lf',
  };
}

function table(rec: Record<string, number>): string {
  const e = Object.entries(rec).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return e.length ? e.map(([k, v]) => `${k || '(none)'} ${v}`).join(', ') : '-';
}

/** Human-readable summary (stdout). Exported for tests. */
export function formatChatReport(r: ChatValidationReport): string {
  const mb = (n: number) => (n / 1e6).toFixed(2) + ' MB';
  return [
    `files:            ${r.files.length}`,
    `lines:            ${r.lines} (${mb(r.bytes)}, ${mb(r.compressedBytes)} on disk)`,
    `documents:        ${r.documents} (shapes: ${table(r.shapes as Record<string, number>)}; empty ${r.emptyDocuments})`,
    `turns:            ${r.turns} (${table(r.turnsByRole)})`,
    `text:             ${r.textParts} parts, ${r.textChars} chars`,
    `images:           ${r.images} in ${r.documentsWithImages} documents, ${mb(r.imageBytes)}`,
    `  by real type:   ${table(r.imagesByType)}`,
    `  by claimed mime: ${table(r.imagesByClaimedMime)} (${r.imageMimeMismatches} mismatched)`,
    `bad lines:        ${r.badLines}${r.badLines ? ` (${table(r.errorsByReason)})` : ''}`,
  ].join('\n');
}

function addScanFlags(c: Command): Command {
  return c
    .option('--reference-shapes', "accept only the reference's line shapes (reject {\"messages\": [...]})")
    .option('--reference-roles', "accept the reference-only roles 'image' and 'PACK_SEP'")
    .option('--no-images', 'do not decode image payloads (structure only)')
    .option('--universal-newlines', 'also split lines at lone \\r (Python text mode, as the reference reads plain files)');
}

export function register(program: Command): void {
  const chat = program.command('chat').description('check and count chat-format JSONL documents');

  addScanFlags(
    chat
      .command('validate')
      .description('check every line of chat JSONL files (.jsonl, .gz, .lz4, .zst); exit 1 if any line is bad')
      .argument('<files...>', 'input files or patterns (brace ranges and globs: data.shard_{000..031}.jsonl.lz4)')
      .option('--errors <out.jsonl>', 'write one JSON line per bad line: {file, line, offset, reason, message, path}'),
  )
    .addHelpText(
      'after',
      `
Checks: JSON, line shape (list of turns, {"conversations"}, {"messages"}, {"role","content"}), roles
(system/user/assistant), part types (text/image_url), lone surrogates, image data URLs (Python-exact
base64, a recognisable image type). Image decoding itself is checked by the image stage.

Examples:
  $ solo chat validate data/train.jsonl.lz4
  $ solo chat validate 'shards/part_{000..031}.jsonl.zst' --errors bad.jsonl
  $ solo --json chat validate data.jsonl.gz`,
    )
    .action(
      action(async (files: string[], flags: ScanFlags, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const r = await validateChatFiles({ ...scanOptions(files, flags), errorsPath: flags.errors, onProgress: rep.progress });
        if (!g.json && !g.quiet) {
          for (const e of r.errors.slice(0, 20)) rep.info(`${e.file}:${e.line} (byte ${e.offset}): ${e.reason}: ${e.path ? e.path + ': ' : ''}${e.message}`);
          if (r.badLines > 20) rep.info(`… ${r.badLines - 20} more bad lines${flags.errors ? ` (all in ${flags.errors})` : ' (use --errors FILE for all)'}`);
        }
        rep.finish(r);
        if (!g.json) process.stdout.write(formatChatReport(r) + '\n' + (r.ok ? 'ok\n' : `FAILED: ${r.badLines} bad line(s)\n`));
        return r.ok ? 0 : 1;
      }),
    );

  addScanFlags(
    chat
      .command('stats')
      .description('count documents, turns, text, images (by real and claimed type), bytes and errors')
      .argument('<files...>', 'input files or patterns'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ solo chat stats data/cc3m_{000..015}.jsonl.lz4
  $ solo --json chat stats 'out/*.jsonl.gz'`,
    )
    .action(
      action(async (files: string[], flags: ScanFlags, cmd: Command) => {
        const g = globals(cmd);
        const rep = createReporter(g);
        const r = await chatStats({ ...scanOptions(files, flags), onProgress: rep.progress });
        rep.finish(r);
        if (!g.json) process.stdout.write(formatChatReport(r) + '\n');
        return 0;
      }),
    );
}
