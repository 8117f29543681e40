/**
 * The README is what users read first: it must be regenerated from docs/commands (the check mode
 * of scripts/build-readme.mjs), name the exact Quickstart commands CI runs, document every CLI
 * command, and link only to files that exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Every runnable command path, e.g. "model shard", "prepare". */
function leaves(c: Command, path: string[] = []): string[] {
  const subs = c.commands.filter((s) => s.name() !== 'help');
  if (!subs.length) return [path.join(' ')];
  const own = (c as unknown as { _actionHandler?: unknown })._actionHandler && path.length ? [path.join(' ')] : [];
  return [...own, ...subs.flatMap((s) => leaves(s, [...path, s.name()]))];
}

describe('README', () => {
  it('is up to date with docs/commands/*.md (node scripts/build-readme.mjs --check)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-readme.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('Quickstart names the exact test and demo commands, and CI runs the test one', () => {
    expect(README).toMatch(/^npm ci && npm test\b/m);
    expect(README).toMatch(/^npm ci && npm run demo\b/m);
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toMatch(/set -euo pipefail/);
    expect(ci).toMatch(/npm ci && npm test/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toContain('vitest run');
    expect(pkg.scripts.demo).toContain('demo');
  });

  it('has a section for every CLI command', () => {
    const missing = leaves(buildProgram()).filter((cmd) => !README.includes(`solo ${cmd}`));
    expect(missing).toEqual([]);
  });

  it('links and images (README and docs/) point at files that exist', () => {
    const docs = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f)), ...readdirSync(join(ROOT, 'docs/commands')).map((f) => join(ROOT, 'docs/commands', f))];
    const broken: string[] = [];
    for (const file of docs) {
      let inFence = false;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (/^```/.test(line)) inFence = !inFence;
        if (inFence) continue;
        for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          const target = m[1]!.split('#')[0]!;
          if (!target || /^[a-z]+:/.test(target)) continue;
          if (!existsSync(resolve(dirname(file), target))) broken.push(`${file.slice(ROOT.length + 1)} → ${m[1]}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

/** `solo …` command lines in fenced blocks (continuation lines joined), split like a shell would. */
function documentedCommands(text: string): string[][] {
  const out: string[][] = [];
  let inFence = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^```/.test(lines[i]!)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence || !/^(\$ )?solo /.test(lines[i]!.trim())) continue;
    let cmd = lines[i]!.trim().replace(/^\$ /, '');
    while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = cmd.slice(0, -1) + ' ' + lines[++i]!.trim();
    cmd = cmd.replace(/\s+#.*$/, '');
    const words = [...cmd.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0].replace(/^['"]|['"]$/g, ''));
    out.push(words.slice(1));
  }
  return out;
}

describe('documented command lines', () => {
  it('name real commands and only flags those commands have (README, walkthrough, docs/commands)', () => {
    const program = buildProgram();
    const files = [join(ROOT, 'README.md'), join(ROOT, 'docs/walkthrough.md')];
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const words of documentedCommands(readFileSync(file, 'utf8'))) {
        let cmd: Command = program;
        let i = 0;
        const globalFlags = new Set(program.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[]));
        while (i < words.length && !words[i]!.startsWith('-')) {
          const sub = cmd.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]!));
          if (!sub) break;
          cmd = sub;
          i++;
        }
        if (cmd === program) continue; // `solo --help` and the like
        if (/^<.*>$/.test(words[i] ?? '') && cmd.commands.length) continue; // a synopsis: `solo ingest <adapter> …`
        const flags = new Set([...globalFlags, '--help', '-h', ...cmd.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[])]);
        // synopsis brackets and alternatives: [--errors] [--num-shards N | --shard-size S]
        for (const w of words.slice(i).flatMap((x) => x.replace(/[[\]]/g, '').split('|'))) {
          if (!w.startsWith('-') || w === '-') continue;
          const name = w.includes('=') ? w.slice(0, w.indexOf('=')) : w;
          if (/^-\d/.test(name)) continue; // negative numbers
          if (!flags.has(name)) problems.push(`${file.slice(ROOT.length + 1)}: solo ${words.slice(0, i).join(' ')}: unknown flag ${name}`);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });
});
