/**
 * `solo train` CLI: `--dry-run --json` argv in an empty directory, docker/slurm dry-run scripts
 * against expected files (sbatch passes `bash -n`), the rendered shell script run by bash with a
 * stand-in torchrun reproduces the reference argv (quoting), the local launcher with a stand-in
 * torchrun (SOLO_TORCHRUN), sbatch submission with a stand-in (SOLO_SBATCH), and `solo plan`/`runs`.
 */
import { describe, expect, it, vi } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Command } from 'commander';
import { register as registerTrain } from '../../src/cli/train.js';
import { register as registerPlan } from '../../src/cli/plan.js';
import { register as registerRuns } from '../../src/cli/runs.js';
import { tempDir, writeCheckpoint, writePrefix } from './helpers.js';

const FIX = join(__dirname, '../fixtures/train');
const ref = (n: number) => JSON.parse(readFileSync(join(FIX, `reference-argv-stage${n}.json`), 'utf8')) as { env: Record<string, string>; argv: string[] };
const UPDATE = process.env.SOLO_UPDATE_EXPECTED === '1';

async function run(args: string[], cwd?: string): Promise<{ out: string; err: string; code: number | undefined }> {
  const program = new Command('solo').option('--json').option('-q, --quiet').exitOverride();
  registerTrain(program);
  registerPlan(program);
  registerRuns(program);
  const walk = (c: Command) => (c.exitOverride(), c.commands.forEach(walk));
  walk(program);
  let out = '';
  let err = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const prevCwd = process.cwd();
  if (cwd) process.chdir(cwd);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'solo', ...args]);
  } finally {
    if (cwd) process.chdir(prevCwd);
    spy.mockRestore();
    spyErr.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { out, err, code };
}

function expectFile(name: string, actual: string): void {
  const p = join(FIX, 'expected', name);
  if (UPDATE || !existsSync(p)) writeFileSync(p, actual);
  expect(actual).toBe(readFileSync(p, 'utf8'));
}

/** A stand-in executable that appends its argv (one JSON array per call) to `log`. */
function standIn(dir: string, name: string, log: string, extra = ''): string {
  const p = join(dir, name);
  // a bash wrapper around a .cjs body: the directory may sit under a "type": "module" package.json
  writeFileSync(`${p}.cjs`, `const fs=require('fs');fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({argv:process.argv.slice(2),env:{CUDA_VISIBLE_DEVICES:process.env.CUDA_VISIBLE_DEVICES,WANDB_NAME:process.env.WANDB_NAME,CUDA_DEVICE_MAX_CONNECTIONS:process.env.CUDA_DEVICE_MAX_CONNECTIONS}})+'\\n');\n${extra}\n`);
  writeFileSync(p, `#!/bin/bash\nexec node ${JSON.stringify(`${p}.cjs`)} "$@"\n`);
  chmodSync(p, 0o755);
  return p;
}

describe('solo train --dry-run', () => {
  it('--json prints the argv token array in an empty directory (all three presets)', async () => {
    const empty = tempDir('cli-empty');
    for (const n of [1, 2, 3]) {
      const r = await run(['--json', 'train', '--preset', `solo-stage${n}`, '--dry-run'], empty);
      expect(r.code ?? 0).toBe(0);
      const summary = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(summary.type).toBe('summary');
      expect(summary.argv).toEqual(ref(n).argv);
      expect(summary.env).toEqual(ref(n).env);
      expect(summary.warnings.some((w: string) => w.startsWith('E-LOAD-MISSING'))).toBe(true);
    }
  });

  it('the local shell script, run by bash with stand-ins, reproduces the reference argv', async () => {
    const empty = tempDir('cli-shell');
    const r = await run(['train', '--preset', 'solo-stage2', '--dry-run'], empty);
    expect(r.code ?? 0).toBe(0);
    expectFile('local-stage2.sh', r.out);
    const bin = join(empty, 'bin');
    mkdirSync(bin);
    const log = join(empty, 'argv.jsonl');
    standIn(bin, 'torchrun', log);
    writeFileSync(join(bin, 'make'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'make'), 0o755);
    const script = join(empty, 'run.sh');
    writeFileSync(script, r.out);
    const res = spawnSync('bash', [script], { cwd: empty, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    // the stand-in trains nothing: the script's tracker check fails the run despite torchrun's exit 0
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('did not reach iteration 3481 (tracker: missing)');
    const got = JSON.parse(readFileSync(log, 'utf8').trim());
    expect(['torchrun', ...got.argv]).toEqual(ref(2).argv);
    expect(got.env).toEqual(ref(2).env);
  });

  it('quoting: awkward tokens survive bash unchanged (local script and docker wrapper)', async () => {
    const dir = tempDir('cli-quote');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const log = join(dir, 'argv.jsonl');
    standIn(bin, 'torchrun', log);
    standIn(bin, 'docker', log);
    const weird = `data/it's "odd" $HOME \\ *;|&/data`.replace(/ /g, '_');
    const sets = ['--set', `trainData=${JSON.stringify([{ weight: '1.0', prefix: weird }])}`, '--set', 'nTrainData=100000', '--set', 'buildHelpers=false', '--set', 'wandb.project=a$b`c`'];
    for (const launcher of ['local', 'docker']) {
      const r = await run(['--json', 'train', '--preset', 'solo-stage3', '--dry-run', '--launcher', launcher, ...sets], dir);
      expect(r.code ?? 0, r.err).toBe(0);
      const summary = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(summary.argv).toContain(weird);
      const script = join(dir, `${launcher}.sh`);
      writeFileSync(script, summary.script);
      writeFileSync(log, '');
      const res = spawnSync('bash', [script], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SOLO_DOCKER: join(bin, 'docker') }, encoding: 'utf8' });
      const got: string[] = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[0]!).argv;
      const tail = launcher === 'local' ? ['torchrun', ...got] : got.slice(got.indexOf('solo-train') + 1);
      expect(tail).toEqual(summary.argv);
      expect(res.stderr).toContain('did not reach iteration'); // the stand-ins train nothing
    }
  });

  it('docker and slurm renderings match the expected files; the sbatch script passes bash -n', async () => {
    const empty = tempDir('cli-launchers');
    const d = await run(['train', '--preset', 'solo-stage1', '--dry-run', '--launcher', 'docker'], empty);
    expect(d.code ?? 0).toBe(0);
    expectFile('docker-stage1.sh', d.out);
    expect(spawnSync('bash', ['-n'], { input: d.out }).status).toBe(0);
    const s = await run(['train', '--preset', 'solo-stage3', '--dry-run', '--launcher', 'slurm',
      '--set', 'nnodes=2', '--set', 'launcher.slurm={"partition":"gpu","account":"proj","time":"48:00:00","cpusPerTask":64,"mem":"0","extraSbatch":["--exclusive"],"setup":["module load cuda"]}'], empty);
    expect(s.code ?? 0).toBe(0);
    expectFile('slurm-stage3-2nodes.sbatch', s.out);
    const check = spawnSync('bash', ['-n'], { input: s.out, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(s.out).toContain('MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1)');
    expect(s.out).toContain('#SBATCH --nodes=2');
    const df = await run(['train', 'docker-build', '--preset', 'solo-stage1'], empty);
    expectFile('Dockerfile', df.out);
  });

  it('errors block rendering with their codes (exit 2)', async () => {
    const r = await run(['train', '--preset', 'solo-stage1', '--dry-run', '--set', 'minLr=1e-3', '--set', 'masterPort=0'], tempDir('cli-err'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('E-MINLR');
    expect(r.err).toContain('E-PORT');
    expect(r.out).toBe('');
  });
});

/** A complete small run directory for the launchers. */
function runRoot(): string {
  const root = tempDir('cli-launch');
  writePrefix(join(root, 'data/p/data'), { packs: 300, row: { n_tokens: 1000, n_image_tokens: 0, n_images: 0 } });
  writeCheckpoint(join(root, 'data/models/sharded/MultimodalMistral-7B-dproj-megatron-tp2-pp1'), 'release', { mp_rank_00: ['model_optim_rng.pt'], mp_rank_01: ['model_optim_rng.pt'] });
  writeFileSync(join(root, 'run.yaml'), ['expDataNote: unit', 'warmupIters: 1', 'buildHelpers: false', 'trainData:', '  - { weight: "1.0", prefix: data/p/data }', 'nTrainData: { fromMixtureStats: true }', ''].join('\n'));
  return root;
}

describe('launching', () => {
  it('local: runs SOLO_TORCHRUN with the argv, writes the manifest, judges success by the tracker', async () => {
    const root = runRoot();
    const log = join(root, 'calls.jsonl');
    // the stand-in "trains": writes the tracker at --train_iters into --save (or one short when asked)
    const torch = standIn(root, 'fake-torchrun', log, `const a=process.argv.slice(2);const save=a[a.indexOf('--save')+1];const it=Number(a[a.indexOf('--train_iters')+1])-(process.env.SHORT?1:0);fs.mkdirSync(save,{recursive:true});fs.writeFileSync(save+'/latest_checkpointed_iteration.txt',String(it));`);
    const env = { SOLO_TORCHRUN: torch, WANDB_API_KEY: 'k' };
    const prev = { ...process.env };
    Object.assign(process.env, env);
    try {
      const r = await run(['--json', 'train', '--config', 'run.yaml'], root);
      expect(r.code ?? 0, r.err).toBe(0);
      const summary = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ success: true, tracker: '3', exitCode: 0 });
      const call = JSON.parse(readFileSync(log, 'utf8').trim());
      expect(['torchrun', ...call.argv]).toEqual(summary.argv);
      expect(call.env).toEqual({ CUDA_VISIBLE_DEVICES: '0,1,2,3,4,5,6,7', WANDB_NAME: summary.derived.expId, CUDA_DEVICE_MAX_CONNECTIONS: '1' });
      const manifest = JSON.parse(readFileSync(summary.manifest, 'utf8'));
      expect(manifest.argv).toEqual(summary.argv);
      expect(manifest.solo.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(manifest.datasets[0].statsSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest.outcome).toMatchObject({ success: true, tracker: '3' });
      // second run resumes its own checkpoint (own-first), and a short run is a failure despite exit 0
      process.env.SHORT = '1';
      const r2 = await run(['train', '--config', 'run.yaml'], root);
      expect(r2.code).toBe(1);
      expect(r2.err).toContain('expected 3');
      const call2 = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[1]!);
      expect(call2.argv[call2.argv.indexOf('--load') + 1]).toBe(call2.argv[call2.argv.indexOf('--save') + 1]);
    } finally {
      process.env = prev;
    }
  });

  it('slurm: writes the sbatch script beside the checkpoints and submits it with sbatch --parsable', async () => {
    const root = runRoot();
    const log = join(root, 'sbatch.jsonl');
    const sb = standIn(root, 'fake-sbatch', log, `process.stdout.write('4242;cluster\\n');`);
    const prev = { ...process.env };
    Object.assign(process.env, { SOLO_SBATCH: sb, WANDB_API_KEY: 'k' });
    try {
      const r = await run(['--json', 'train', '--config', 'run.yaml', '--launcher', 'slurm'], root);
      expect(r.code ?? 0, r.err).toBe(0);
      const summary = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(summary.jobId).toBe('4242');
      const call = JSON.parse(readFileSync(log, 'utf8').trim());
      expect(call.argv[0]).toBe('--parsable');
      const script = readFileSync(call.argv[1], 'utf8');
      expect(script.startsWith('#!/bin/bash\n#SBATCH --job-name=solo-train')).toBe(true);
      expect(spawnSync('bash', ['-n', call.argv[1]]).status).toBe(0);
      process.env.SOLO_SQUEUE = standIn(root, 'fake-squeue', join(root, 'squeue.jsonl'), `process.stdout.write('RUNNING\\n');`);
      const runs = await run(['--json', 'runs', 'ls', join(root, 'data/ckpts')], root);
      expect(JSON.parse(runs.out.trim().split('\n').pop()!).runs[0]).toMatchObject({ jobId: '4242', launcher: 'slurm', jobState: 'RUNNING' });
      expect(JSON.parse(readFileSync(join(root, 'squeue.jsonl'), 'utf8').trim()).argv).toEqual(['-h', '-j', '4242', '-o', '%T']);
      // a CPU test cluster: no GPU request, no helper build, a stand-in torchrun at job time
      const cpu = await run(['train', '--config', 'run.yaml', '--launcher', 'slurm', '--dry-run', '--set', 'launcher.slurm.gpusPerNode=0'], root);
      expect(cpu.out).not.toContain('--gpus-per-node');
      expect(cpu.out).not.toContain('make -C');
    } finally {
      process.env = prev;
    }
  });
});

describe('docker launcher and module configs', () => {
  it('docker: the wrapper script runs SOLO_DOCKER with the image, mounts, env names and the torchrun argv', async () => {
    const root = runRoot();
    const log = join(root, 'docker.jsonl');
    // the stand-in "container" runs nothing but writes the tracker the run expects
    const dk = standIn(root, 'fake-docker', log, `const a=process.argv.slice(2);const save=a[a.indexOf('--save')+1];fs.mkdirSync(save,{recursive:true});fs.writeFileSync(save+'/latest_checkpointed_iteration.txt',a[a.indexOf('--train_iters')+1]);`);
    const prev = { ...process.env };
    Object.assign(process.env, { SOLO_DOCKER: dk, WANDB_API_KEY: 'k' });
    try {
      const r = await run(['--json', 'train', '--config', 'run.yaml', '--launcher', 'docker'], root);
      expect(r.code ?? 0, r.err).toBe(0);
      const summary = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ success: true, tracker: '3', launcher: 'docker' });
      const call = JSON.parse(readFileSync(log, 'utf8').trim());
      const a: string[] = call.argv;
      expect(a.slice(0, 9)).toEqual(['run', '--rm', '--gpus', 'all', '--ipc=host', '--ulimit', 'memlock=-1', '--ulimit', 'stack=67108864']);
      expect(a).toContain(`${root}:/workspace`);
      expect(a).toContain('/scratch:/scratch');
      expect(a[a.indexOf('-e') + 1]).toBe('WANDB_API_KEY');
      expect(a).toContain(`WANDB_NAME=${summary.derived.expId}`);
      const img = a.indexOf('xingyaoww/pt-megatron-llm:v1.2');
      expect(a.slice(img + 1, img + 4)).toEqual(['bash', '-c', 'exec "$@"']);
      expect(a.slice(img + 5)).toEqual(summary.argv);
    } finally {
      process.env = prev;
    }
  });

  it('loads a .mjs config whose default export is the config', async () => {
    const root = runRoot();
    writeFileSync(join(root, 'solo.config.mjs'), `// (in a project: import { defineConfig } from 'solo-pipeline')\nconst defineConfig = (c) => c;\nexport default defineConfig({ preset: 'solo-stage3', extraExpNote: 'try2', ckptRoot: 'mine' });\n`);
    const r = await run(['--json', 'train', '--config', 'solo.config.mjs', '--dry-run'], root);
    expect(r.code ?? 0, r.err).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(summary.derived.expId.endsWith('-Ntry2')).toBe(true);
    expect(summary.argv[summary.argv.indexOf('--save') + 1]).toBe(`mine/${summary.derived.expId}`);
    expect(summary.derived.trainIters).toBe(300);
  });
});

describe('solo plan / runs CLI', () => {
  it('plan prints the table and --train_data_path and writes the config', async () => {
    const root = tempDir('cli-plan');
    writePrefix(join(root, 'mmistral_a_pack32k/data'), { packs: 96, row: { n_tokens: 10, n_image_tokens: 4, n_images: 1 } });
    writePrefix(join(root, 'mmistral_b_pack32k/data'), { packs: 32, row: { n_tokens: 10, n_image_tokens: 0, n_images: 0 } });
    const r = await run(['plan', '.', '--config', 'run.json'], root);
    expect(r.code ?? 0, r.err).toBe(0);
    expect(r.out).toContain('--train_data_path 0.7500 mmistral_a_pack32k/data 0.2500 mmistral_b_pack32k/data');
    expect(r.out).toContain('train_iters = 2');
    const cfg = JSON.parse(readFileSync(join(root, 'run.json'), 'utf8'));
    expect(cfg).toEqual({ trainData: [{ weight: '0.7500', prefix: 'mmistral_a_pack32k/data' }, { weight: '0.2500', prefix: 'mmistral_b_pack32k/data' }], nTrainData: 128 });
  });

  it('runs show exits 1 when the log has a crash, and writes the files', async () => {
    const out = tempDir('cli-show');
    const r = await run(['runs', 'show', join(FIX, 'sample-train.log'), '--out', out, '--name', 'x'], out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('AssertionError');
    for (const f of ['x.csv', 'x.svg', 'x.png']) expect(existsSync(join(out, f))).toBe(true);
  });
});
