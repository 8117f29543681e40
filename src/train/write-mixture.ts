/**
 * Write a planned mixture into a JSON/YAML run config (`solo plan --config`): sets `trainData`
 * (weights as their 4-decimal text, so the argv shows them verbatim) and `nTrainData`, keeping
 * every other field. A `.mjs`/`.js` config cannot be rewritten; write a JSON beside it instead.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { UsageError } from '../errors.js';
import type { TrainConfigInput } from './config.js';
import type { MixturePlan } from './plan-mixture.js';

export function writeMixtureToConfig(plan: MixturePlan, path: string): TrainConfigInput {
  const ext = extname(path).toLowerCase();
  const yaml = ext === '.yaml' || ext === '.yml';
  if (!yaml && ext !== '.json') throw new UsageError(`--config ${path}: solo plan writes JSON or YAML configs only`);
  let cfg: TrainConfigInput = {};
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    cfg = ((yaml ? YAML.parse(text) : JSON.parse(text)) ?? {}) as TrainConfigInput;
  }
  cfg.trainData = plan.trainData.map((e) => ({ ...e }));
  cfg.nTrainData = plan.nTrainData;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, yaml ? YAML.stringify(cfg) : JSON.stringify(cfg, null, 2) + '\n');
  renameSync(tmp, path);
  return cfg;
}
