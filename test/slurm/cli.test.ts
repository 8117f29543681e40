import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workDir } from '../prepare/helpers.js';
import { describeSlurm } from '../helpers/slurm.js';

const MAIN = resolve('dist/cli/main.js');
const solo = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

function shards(dir: string): string {
  const lines = readFileSync(join(workDir(), 'dev.jsonl'), 'utf8').split('\n').filter((l) => l);
  for (let i = 0; i < 2; i++) writeFileSync(join(dir, `s_${i}.jsonl`), lines.slice(i * 10, i * 10 + 10).join('\n') + '\n');
  return join(dir, 's_{0..1}.jsonl');
}

describe('solo prepare --slurm --dry-run', () => {
  it('prints the array script and submits nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'solo-slurm-cli-'));
    const r = solo(['prepare', '--shards', shards(dir), '--output-dir', join(dir, 'out'), '--tokenizer', join(workDir(), 'solo-33029.tokenizer.model'), '--pretrain', '--slurm', '--dry-run', '--partition', 'cpu', '--mem', '8G', '--array-parallel', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('#SBATCH --array=0-1%1');
    expect(r.stdout).toContain('#SBATCH --mem=8G');
    expect(existsSync(join(dir, 'out', '.solo-slurm'))).toBe(false);
  });
  it('refuses --slurm without shards (usage error)', () => {
    const r = solo(['prepare', '--input', 'x.jsonl', '--output-prefix', 'p', '--tokenizer', 't', '--slurm']);
    expect(r.status).toBe(2);
  });
});

describeSlurm('solo prepare --slurm + solo jobs (live cluster, CLI)', () => {
  it('submits with --json (manifest, jobId) and `solo jobs wait` exits 0 when all shards are done', () => {
    const dir = mkdtempSync(join(tmpdir(), 'solo-slurm-cli-live-'));
    const r = solo(['--json', 'prepare', '--shards', shards(dir), '--output-dir', join(dir, 'out'), '--tokenizer', join(workDir(), 'solo-33029.tokenizer.model'), '--pretrain', '--workers', '1', '--slurm']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { manifest: string; jobId: string };
    expect(summary.jobId).toMatch(/^\d+$/);
    const w = solo(['jobs', 'wait', summary.manifest, '--timeout', '120', '--interval', '500']);
    expect(w.status, w.stderr).toBe(0);
    expect(existsSync(join(dir, 'out', 's_0', 'data_DONE'))).toBe(true);
    expect(existsSync(join(dir, 'out', 's_1', 'data_DONE'))).toBe(true);
    const st = solo(['--json', 'jobs', 'status', summary.manifest]);
    expect(JSON.parse(st.stdout.trim().split('\n').pop()!).counts.done).toBe(2);
  }, 180_000);
});
