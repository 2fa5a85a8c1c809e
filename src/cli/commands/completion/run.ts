import type { Command } from 'commander';
import type { Ui } from '../../io.js';
import { renderBash } from './bash.js';
import { renderFish } from './fish.js';
import type { Shell } from './index.js';
import { buildSpec, type Spec } from './spec.js';
import { renderZsh } from './zsh.js';

// Nothing here imports what main.ts imports alone (index.ts's SHELLS, version.ts): a module both
// main.js and this entry import becomes a chunk of its own, one more file every command loads.
const RENDER: Record<Shell, (spec: Spec) => string> = { bash: renderBash, zsh: renderZsh, fish: renderFish };

/** Prints the completion script for `shell`, made from `program`, the whole command tree. */
export function run(shell: Shell, program: Command, ui: Ui): void {
  ui.io.stdout.write(RENDER[shell](buildSpec(program, Object.keys(RENDER))));
}
