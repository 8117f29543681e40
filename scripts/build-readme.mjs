#!/usr/bin/env node
// Splice docs/commands/*.md into README.md between the commands markers (headings demoted one
// level), so the README has a section per command and the per-command docs stay the single source.
// `node scripts/build-readme.mjs --check` exits 1 when README.md is out of date (used by a test).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ORDER = ['chat', 'ingest', 'prepare', 'tokenizer', 'image', 'model', 'train', 'jobs', 'inspect', 'demo'];
const dir = join(root, 'docs', 'commands');
const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
files.sort((a, b) => {
  const ia = ORDER.indexOf(a.replace(/\.md$/, ''));
  const ib = ORDER.indexOf(b.replace(/\.md$/, ''));
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
});
const body = files
  .map((f) => {
    let inFence = false;
    return readFileSync(join(dir, f), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => {
        if (/^```/.test(line)) inFence = !inFence;
        if (inFence) return line;
        // relative links are written for docs/commands/; the README sits at the root
        const linked = line.replace(/(\]\()(?![a-z]+:|#|\/)([^)\s]+)\)/g, (_m, open, target) => `${open}${posix.normalize(`docs/commands/${target}`)})`);
        return /^#{1,5} /.test(linked) ? `##${linked}` : linked;
      })
      .join('\n');
  })
  .join('\n\n');
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const begin = '<!-- commands:begin -->';
const end = '<!-- commands:end -->';
const a = readme.indexOf(begin);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error('README.md lacks the commands markers');
const next = `${readme.slice(0, a + begin.length)}\n<!-- generated from docs/commands/*.md by scripts/build-readme.mjs; edit those files -->\n\n${body}\n\n${readme.slice(b)}`;
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md is out of date: run node scripts/build-readme.mjs');
    process.exit(1);
  }
} else writeFileSync(readmePath, next);
