/**
 * Load a run configuration file and resolve it to a full `TrainConfig`:
 * defaults ← preset ← file ← `--set` overrides ← `--compat` switches.
 *
 * Accepted files: `.json`, `.yaml`/`.yml` (the `yaml` package), and `.mjs`/`.js` modules whose
 * default export is the config (`defineConfig`). A `.ts` config is imported the same way, which
 * only works when Node can load TypeScript (a loader such as tsx, or Node ≥ 22.6 with
 * `--experimental-strip-types`); otherwise rename it to `.mjs`.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { UsageError } from '../errors.js';
import { applyTrainSets, defaultTrainConfig, mergeTrainConfig, type TrainConfig, type TrainConfigInput } from './config.js';
import { isTrainPreset, TRAIN_PRESETS } from './presets.js';

/** Named switches restoring reference behaviour (`--compat <name>`; `reference` = all). */
export const TRAIN_COMPAT_SWITCHES = {
  'resume-order': 'stage-1 resume order: an exported LOAD_MODEL_CKPTS wins over the run\'s own checkpoint',
} as const;
export type TrainCompatSwitch = keyof typeof TRAIN_COMPAT_SWITCHES;

/** Numeric-text fields: YAML turns `lr: 5e-5` into a number; keep the literal as written. */
const NUMLIT_FIELDS = ['lr', 'minLr', 'weightDecay', 'clipGrad', 'hiddenDropout', 'attentionDropout'];

export function parseYamlConfig(text: string): TrainConfigInput {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw new UsageError(`YAML config: ${doc.errors[0]!.message}`);
  const cfg = (doc.toJS() ?? {}) as Record<string, unknown>;
  for (const k of NUMLIT_FIELDS) {
    const node = doc.get(k, true) as { range?: [number, number, number] } | undefined;
    if (typeof cfg[k] === 'number' && node?.range) cfg[k] = text.slice(node.range[0], node.range[1]).trim();
  }
  return cfg as TrainConfigInput;
}

export async function loadTrainConfigFile(path: string): Promise<TrainConfigInput> {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return JSON.parse(await readFile(path, 'utf8')) as TrainConfigInput;
  if (ext === '.yaml' || ext === '.yml') return parseYamlConfig(await readFile(path, 'utf8'));
  if (ext === '.mjs' || ext === '.js' || ext === '.ts' || ext === '.mts') {
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
    } catch (err) {
      if (ext === '.ts' || ext === '.mts') {
        throw new UsageError(`cannot import ${path}: Node cannot load TypeScript here; rename it to .mjs (defineConfig works the same) or run under a TS loader (${(err as Error).message})`);
      }
      throw err;
    }
    const v = typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
    if (typeof v !== 'object' || v === null) throw new UsageError(`${path}: the default export must be a config object`);
    return v as TrainConfigInput;
  }
  throw new UsageError(`unsupported config type '${ext}' (use .json, .yaml, .yml, .mjs or .js)`);
}

export interface ResolveTrainOptions {
  /** Config file path (JSON/YAML/module). */
  config?: string;
  /** Already-loaded config object (library use); merged after the file. */
  input?: TrainConfigInput;
  /** Preset name; a `preset` field inside the config is used when absent. */
  preset?: string;
  /** `key=value` overrides, applied last. */
  set?: string[];
  /** Compat switches (`resume-order`, or `reference` for all). */
  compat?: string[];
}

export async function resolveTrainConfig(opts: ResolveTrainOptions): Promise<TrainConfig> {
  let user: TrainConfigInput = {};
  if (opts.config) user = mergeTrainConfig(user, await loadTrainConfigFile(opts.config));
  if (opts.input) user = mergeTrainConfig(user, opts.input);
  if (opts.set?.length) {
    try {
      user = applyTrainSets(user, opts.set);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const presetName = opts.preset ?? user.preset;
  let cfg = defaultTrainConfig();
  if (presetName !== undefined) {
    if (!isTrainPreset(presetName)) throw new UsageError(`unknown preset '${presetName}' (known: ${Object.keys(TRAIN_PRESETS).join(', ')})`);
    cfg = mergeTrainConfig(cfg, TRAIN_PRESETS[presetName]);
  }
  cfg = mergeTrainConfig(cfg, user);
  if (presetName !== undefined) cfg.preset = presetName as TrainConfig['preset'];
  for (const c of opts.compat ?? []) {
    if (c === 'reference' || c === 'resume-order') cfg.resumeOrder = 'explicit-first';
    else throw new UsageError(`unknown --compat switch '${c}' (known: ${Object.keys(TRAIN_COMPAT_SWITCHES).join(', ')}, reference)`);
  }
  return cfg;
}
