/**
 * The one rule for tests that need something outside Node (a Python oracle, chromium, a live Slurm):
 * run when it is there; otherwise skip with the printed reason, except when `envVar` is '1' (CI),
 * where the missing piece is a failing test.
 */
import { describe, it } from 'vitest';

export interface Requirement {
  /** e.g. SOLO_REQUIRE_INTEROP */
  envVar: string;
  /** Title of the failing test in CI, e.g. 'has its browser'. */
  title: string;
  /** What is missing, for the error: 'browser' → "browser missing (…=1): reason". */
  what: string;
  /** Appended to the skip line, e.g. how to provide it. */
  hint?: string;
}

export function describeWhen(name: string, reason: string | null, req: Requirement, fn: () => void): void {
  if (!reason) return void describe(name, fn);
  if (process.env[req.envVar] === '1') {
    describe(name, () => {
      it(req.title, () => {
        throw new Error(`${req.what} missing (${req.envVar}=1): ${reason}`);
      });
    });
    return;
  }
  console.warn(`[skip] ${name}: ${reason}${req.hint ? ` (${req.hint})` : ''}`);
  describe.skip(name, fn);
}
