/**
 * Render the sbatch script of a shard array: one task per manifest entry, each running
 * `solo jobs run-task <manifest> $SLURM_ARRAY_TASK_ID`, which looks the shard up, skips it when
 * its marker exists, runs it and records the exit status beside the task log.
 */
import type { SlurmManifest } from './manifest.js';
import { taskLogPattern } from './manifest.js';

/** Quote one word for bash (single quotes; safe for any content). */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Compress task indices into Slurm's array syntax: [0,1,2,5,7,8] → "0-2,5,7-8". */
export function arraySpec(indices: number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function renderArrayScript(m: SlurmManifest, manifestPath: string, indices: number[] = m.tasks.map((t) => t.index)): string {
  const s = m.settings;
  const lines = ['#!/bin/bash', `# solo ${m.kind} array over ${m.tasks.length} shards; manifest ${manifestPath}`];
  const sb = (v: string) => lines.push(`#SBATCH ${v}`);
  sb(`--job-name=${s.jobName ?? `solo-${m.kind}`}`);
  sb(`--array=${arraySpec(indices)}${s.parallel ? `%${s.parallel}` : ''}`);
  sb(`--output=${taskLogPattern(m)}`);
  sb(`--chdir=${m.cwd}`);
  sb('--ntasks=1');
  sb('--nodes=1');
  if (s.partition) sb(`--partition=${s.partition}`);
  if (s.time) sb(`--time=${s.time}`);
  if (s.cpusPerTask) sb(`--cpus-per-task=${s.cpusPerTask}`);
  if (s.mem) sb(`--mem=${s.mem}`);
  sb(`--export=${s.exportEnv && s.exportEnv.length ? ['ALL', ...s.exportEnv].join(',') : 'ALL'}`);
  for (const extra of s.extraSbatch ?? []) sb(extra.startsWith('--') || extra.startsWith('-') ? extra : `--${extra}`);
  lines.push('set -euo pipefail');
  lines.push(`exec ${[...m.solo, 'jobs', 'run-task', manifestPath].map(shellQuote).join(' ')} "$SLURM_ARRAY_TASK_ID"`);
  return lines.join('\n') + '\n';
}
