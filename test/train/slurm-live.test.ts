/**
 * `solo train --launcher slurm` on a live cluster (scripts/local-slurm.sh): the rendered sbatch
 * script really runs under sbatch + srun; a stand-in torchrun (SOLO_TORCHRUN, inherited through
 * --export=ALL) records the argv and the rendezvous it was given, and "trains" by writing the
 * tracker, so the script's own success check passes.
 */
import { expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describeSlurm, until } from '../helpers/slurm.js';
import { tempDir, writeCheckpoint, writePrefix } from './helpers.js';

const MAIN = resolve('dist/cli/main.js');

describeSlurm('solo train --launcher slurm (live cluster)', () => {
  it('sbatch → srun → torchrun with SLURM-derived rendezvous and the exact Megatron argv; the job succeeds by the tracker', async () => {
    const root = tempDir('slurm-live');
    writePrefix(join(root, 'data/p/data'), { packs: 300, row: { n_tokens: 1000, n_image_tokens: 0, n_images: 0 } });
    writeCheckpoint(join(root, 'data/models/sharded/MultimodalMistral-7B-dproj-megatron-tp2-pp1'), 'release', { mp_rank_00: ['model_optim_rng.pt'], mp_rank_01: ['model_optim_rng.pt'] });
    writeFileSync(join(root, 'run.yaml'), ['expDataNote: live', 'warmupIters: 1', 'buildHelpers: false', 'trainData:', '  - { weight: "1.0", prefix: data/p/data }', 'nTrainData: { fromMixtureStats: true }', ''].join('\n'));
    const log = join(root, 'torchrun.jsonl');
    const torch = join(root, 'fake-torchrun');
    writeFileSync(
      `${torch}.cjs`,
      `const fs=require('fs');const a=process.argv.slice(2);const e=process.env;` +
        `fs.appendFileSync(${JSON.stringify(log)},JSON.stringify({argv:a,cwd:process.cwd(),env:{SLURM_NODEID:e.SLURM_NODEID,SLURMD_NODENAME:e.SLURMD_NODENAME,MASTER_ADDR:e.MASTER_ADDR,WANDB_NAME:e.WANDB_NAME,CUDA_DEVICE_MAX_CONNECTIONS:e.CUDA_DEVICE_MAX_CONNECTIONS}})+'\\n');` +
        `const save=a[a.indexOf('--save')+1];fs.mkdirSync(save,{recursive:true});fs.writeFileSync(save+'/latest_checkpointed_iteration.txt',a[a.indexOf('--train_iters')+1]);\n`,
    );
    writeFileSync(torch, `#!/bin/bash\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(`${torch}.cjs`)} "$@"\n`);
    chmodSync(torch, 0o755);
    const env = { ...process.env, SOLO_TORCHRUN: torch, WANDB_API_KEY: 'k' };
    const args = ['train', '--config', 'run.yaml', '--launcher', 'slurm', '--set', 'launcher.slurm.gpusPerNode=0', '--set', 'launcher.slurm.cpusPerTask=1', '--set', 'launcher.slurm.mem=100M'];
    const dry = spawnSync(process.execPath, [MAIN, '--json', ...args, '--dry-run'], { cwd: root, env, encoding: 'utf8' });
    expect(dry.status, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout.trim().split('\n').pop()!) as { argv: string[]; derived: { expId: string } };

    const r = spawnSync(process.execPath, [MAIN, '--json', ...args], { cwd: root, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const sub = JSON.parse(r.stdout.trim().split('\n').pop()!) as { jobId: string };
    expect(sub.jobId).toMatch(/^\d+$/);
    const gone = () => spawnSync('squeue', ['-h', '-j', sub.jobId], { encoding: 'utf8' }).stdout.trim() === '';
    await until(gone, 120_000, `job ${sub.jobId} to finish`);
    const out = join(root, 'data/ckpts', plan.derived.expId, `slurm-${sub.jobId}.out`);
    await until(() => existsSync(out), 10_000, out);
    expect(readFileSync(out, 'utf8')).not.toContain('solo: training did not reach');
    expect(existsSync(log), readFileSync(out, 'utf8')).toBe(true);
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; cwd: string; env: Record<string, string> });
    expect(calls).toHaveLength(1); // one node → one torchrun
    const c = calls[0]!;
    expect(c.argv.slice(0, 10)).toEqual(['--nproc_per_node', '8', '--nnodes', '1', '--node_rank', '0', '--master_addr', c.env.SLURMD_NODENAME, '--master_port', '9999']);
    expect(c.argv.slice(10)).toEqual(plan.argv.slice(plan.argv.indexOf('Megatron-LLM/finetune.py'))); // the script and its flags, token for token
    expect(c.env).toMatchObject({ SLURM_NODEID: '0', MASTER_ADDR: c.env.SLURMD_NODENAME, WANDB_NAME: plan.derived.expId, CUDA_DEVICE_MAX_CONNECTIONS: '1' });
    expect(c.cwd).toBe(root);
    const tracker = readFileSync(join(root, 'data/ckpts', plan.derived.expId, 'latest_checkpointed_iteration.txt'), 'utf8');
    expect(tracker).toBe(plan.argv[plan.argv.indexOf('--train_iters') + 1]);
  }, 180_000);
});
