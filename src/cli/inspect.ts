/** `solo inspect`: CLI layer (flag parsing + progress) over the library. */
import type { Command } from 'commander';

export function register(program: Command): void {
  void program; // not implemented yet
}
