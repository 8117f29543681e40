/**
 * Headless browser for report tests: Debian's `chromium` (or $SOLO_CHROMIUM) driven by
 * playwright-core with the system binary (no browser download).
 *
 * `describeBrowser(name, fn)`: runs the suite when the browser starts. Otherwise it skips with a
 * printed reason, except under SOLO_REQUIRE_INTEROP=1 (CI), where a missing browser is a failing
 * test (same rule as the Python oracles in oracle.ts).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWhen } from './describe-when.js';

export const CHROMIUM = process.env.SOLO_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-free headless run (containers, CI). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let cached: string | null | undefined;

/** Returns null when the browser is usable, else the reason. */
export function missingBrowser(): string | null {
  if (cached !== undefined) return cached;
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    return (cached = `${CHROMIUM} not found (Debian: apt-get install -y --no-install-recommends chromium)`);
  }
  const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return (cached = `${CHROMIUM} --version failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`);
  return (cached = null);
}

export function describeBrowser(name: string, fn: () => void): void {
  describeWhen(name, missingBrowser(), { envVar: 'SOLO_REQUIRE_INTEROP', title: 'has its browser', what: 'browser' }, fn);
}

/** Launch the system chromium with a fresh profile directory. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'solo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    offline: true,
  });
  return { context, profile };
}
