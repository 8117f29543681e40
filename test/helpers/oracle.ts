/**
 * Python oracles for interop tests (Debian's python3-torch, python3-sentencepiece, python3-pil,
 * python3-lz4, python3-zstandard, python3-torchvision).
 *
 * `describeInterop(modules, name, fn)`: runs the suite when `/usr/bin/python3` (or $SOLO_PYTHON)
 * imports every module. Otherwise it skips with a printed reason, except under
 * SOLO_REQUIRE_INTEROP=1 (CI), where a missing oracle is a failing test.
 */
import { spawnSync } from 'node:child_process';
import { describeWhen } from './describe-when.js';

export const PYTHON = process.env.SOLO_PYTHON ?? '/usr/bin/python3';
const cache = new Map<string, string | null>();

/** Returns null if every module imports, else the reason. */
export function missingOracle(modules: string[]): string | null {
  const key = modules.join(',');
  if (cache.has(key)) return cache.get(key)!;
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  const reason = r.error ? `${PYTHON} not runnable: ${r.error.message}` : r.status === 0 ? null : `${PYTHON} cannot import ${key}: ${r.stderr.trim().split('\n').pop()}`;
  cache.set(key, reason);
  return reason;
}

export function describeInterop(modules: string[], name: string, fn: () => void): void {
  describeWhen(name, missingOracle(modules), { envVar: 'SOLO_REQUIRE_INTEROP', title: 'has its Python oracle', what: 'interop oracle' }, fn);
}

/** Run a Python snippet with the oracle interpreter; throws with stderr on failure. */
export function runPython(code: string, opts: { input?: string | Buffer; args?: string[]; maxBuffer?: number } = {}): string {
  const r = spawnSync(PYTHON, ['-c', code, ...(opts.args ?? [])], {
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: opts.maxBuffer ?? 1 << 30,
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
