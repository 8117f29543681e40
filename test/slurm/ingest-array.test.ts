import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/index.js';
import { jpeg, makeTar, tempDir } from '../ingest/helpers.js';
import { describeSlurm } from '../helpers/slurm.js';

const MAIN = resolve('dist/cli/main.js');
const solo = (args: string[], cwd?: string) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd });

/** Five small WebDataset tars with three samples each. */
async function tars(dir: string): Promise<string> {
  mkdirSync(join(dir, 'wds'), { recursive: true });
  for (let t = 0; t < 5; t++) {
    const members = [];
    for (let k = 0; k < 3; k++) {
      const key = `${t}${k}`.padStart(9, '0');
      members.push({ name: `${key}.jpg`, data: await jpeg(16 + t, 12 + k, t * 3 + k) }, { name: `${key}.txt`, data: `caption ${t}/${k}` });
    }
    writeFileSync(join(dir, 'wds', `${String(t).padStart(5, '0')}.tar`), await makeTar(members));
  }
  return join(dir, 'wds', '{00000..00004}.tar');
}

describe('solo ingest --slurm (submission checks)', () => {
  it('--dry-run prints one array task per fixed shard and writes nothing', async () => {
    const dir = tempDir();
    const input = await tars(dir);
    const r = solo(['ingest', 'webdataset', '--input', input, '--out', 'out/wds.shard_{000}.jsonl', '--num-shards', '3', '--slurm', '--dry-run', '--partition', 'cpu', '--sbatch', 'account=abc', 'qos=high', '--array-parallel', '2'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('#SBATCH --array=0-2%2');
    expect(r.stdout).toContain('#SBATCH --partition=cpu');
    expect(r.stdout).toContain('#SBATCH --account=abc');
    expect(r.stdout).toContain(`#SBATCH --chdir=${dir}`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
  it('refuses rolling shards, a missing --num-shards, --shard-index and --force (usage errors)', async () => {
    const dir = tempDir();
    const base = ['ingest', 'webdataset', '--input', 'x.tar', '--out', 'o/x_{000}.jsonl', '--slurm', '--dry-run'];
    for (const extra of [[], ['--shard-size', '100'], ['--num-shards', '2', '--shard-index', '1'], ['--num-shards', '2', '--force']]) {
      const r = solo([...base, ...extra], dir);
      expect(r.status, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--slurm|--shard-index|--num-shards|--force/);
    }
  });
});

describeSlurm('solo ingest --slurm (live cluster)', () => {
  it('one array task per shard; shards are byte-identical to a local run; re-submission skips done shards', async () => {
    const dir = tempDir();
    const input = await tars(dir);
    await ingest({ adapter: 'webdataset', input: [input], out: join(dir, 'local', 'wds.shard_{000}.jsonl.lz4'), numShards: 3 });

    const r = solo(['--json', 'ingest', 'webdataset', '--input', input, '--out', 'slurm/wds.shard_{000}.jsonl.lz4', '--num-shards', '3', '--slurm', '--array-parallel', '3'], dir);
    expect(r.status, r.stderr).toBe(0);
    const sub = JSON.parse(r.stdout.trim().split('\n').pop()!) as { manifest: string; jobId: string; shards: number };
    expect(sub.jobId).toMatch(/^\d+$/);
    expect(sub.shards).toBe(3);
    const m = JSON.parse(readFileSync(sub.manifest, 'utf8')) as { tasks: { argv: string[] }[] };
    m.tasks.forEach((t, i) => {
      expect(t.argv.slice(0, 2)).toEqual(['ingest', 'webdataset']);
      expect(t.argv.slice(-2)).toEqual(['--shard-index', String(i)]);
      expect(t.argv.filter((w) => w === '--slurm' || w === '--array-parallel' || w === '--json')).toEqual([]);
    });
    const w = solo(['jobs', 'wait', sub.manifest, '--timeout', '120', '--interval', '500']);
    expect(w.status, w.stdout + w.stderr).toBe(0);
    for (let i = 0; i < 3; i++) {
      const name = `wds.shard_00${i}.jsonl.lz4`;
      expect(existsSync(join(dir, 'slurm', `${name}_DONE`))).toBe(true);
      expect(readFileSync(join(dir, 'slurm', name)).equals(readFileSync(join(dir, 'local', name))), name).toBe(true);
    }
    // tasks run at the same time: whichever finishes last writes the run-level stats and marker
    expect(existsSync(join(dir, 'slurm', 'wds_DONE'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'slurm', 'wds.stats.json'), 'utf8'))).toMatchObject({ shards: 3, documents: 15, images: 15, errorCount: 0 });
    const again = solo(['--json', 'ingest', 'webdataset', '--input', input, '--out', 'slurm/wds.shard_{000}.jsonl.lz4', '--num-shards', '3', '--slurm'], dir);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).toMatchObject({ shards: 0, skipped: 3 });
  }, 180_000);
});
