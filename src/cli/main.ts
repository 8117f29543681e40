#!/usr/bin/env node
/** The `solo` command: global flags, one sub-command group per file in this folder. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as chat from './chat.js';
import * as tokenizer from './tokenizer.js';
import * as image from './image.js';
import * as model from './model.js';
import * as prepare from './prepare.js';
import * as ingest from './ingest.js';
import * as plan from './plan.js';
import * as train from './train.js';
import * as runs from './runs.js';
import * as jobs from './jobs.js';
import * as inspect from './inspect.js';
import * as demo from './demo.js';

export function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '../../package.json'), join(here, '../package.json')]) {
    try {
      return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
    } catch {
      /* try next */
    }
  }
  return '0.0.0';
}

export function buildProgram(): Command {
  const program = new Command('solo');
  program
    .description('SOLO pre-training pipeline: ingest → prepare → model → train → inspect')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'machine-readable progress lines and a final summary object on stdout')
    .option('-q, --quiet', 'no progress output')
    .showHelpAfterError()
    .exitOverride();
  for (const group of [chat, tokenizer, image, model, prepare, ingest, plan, train, runs, jobs, inspect, demo]) {
    group.register(program);
  }
  // Sub-commands inherit exitOverride so usage errors map to exit code 2.
  const walk = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; everything else commander rejects is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1]);
if (invokedDirectly) await main();
