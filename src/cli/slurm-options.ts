/** The `--slurm` flag family shared by `solo prepare --shards` and `solo ingest`. */
import type { Command } from 'commander';
import type { SlurmSettings } from '../slurm/manifest.js';
import { intOption } from './shared.js';

export interface SlurmCliOptions {
  slurm?: boolean;
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  arrayParallel?: number;
  sbatch?: string[];
  exportEnv?: string[];
  jobName?: string;
  slurmDir?: string;
  dryRun?: boolean;
}

export function addSlurmOptions(cmd: Command): Command {
  return cmd
    .option('--slurm', 'submit one Slurm array task per input shard instead of running here')
    .option('--partition <name>', 'Slurm partition')
    .option('--time <limit>', 'Slurm time limit per task, e.g. 04:00:00')
    .option('--cpus-per-task <n>', 'CPUs per array task', intOption('--cpus-per-task'))
    .option('--mem <size>', 'memory per array task, e.g. 32G')
    .option('--array-parallel <k>', 'at most K array tasks at once (%K)', intOption('--array-parallel'))
    .option('--sbatch <line...>', 'extra #SBATCH lines, e.g. --sbatch account=abc qos=high')
    .option('--export-env <name...>', 'environment variables to pass to tasks (default: all)')
    .option('--job-name <name>', 'Slurm job name')
    .option('--slurm-dir <dir>', 'where manifests and task logs go (default: .solo-slurm)')
    .option('--dry-run', 'with --slurm: print the sbatch script, submit nothing');
}

export function slurmSettings(o: SlurmCliOptions): SlurmSettings {
  return {
    jobName: o.jobName,
    partition: o.partition,
    time: o.time,
    cpusPerTask: o.cpusPerTask,
    mem: o.mem,
    parallel: o.arrayParallel,
    extraSbatch: o.sbatch,
    exportEnv: o.exportEnv,
  };
}
