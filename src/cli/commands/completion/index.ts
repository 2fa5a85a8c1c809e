import type { Command } from 'commander';
import { InputError } from '../../../base/errors.js';
import { nearest } from '../../../base/text.js';
import type { UiFactory } from '../../flags.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const HELP = `
The script completes the commands, each command's flags, event types and globs (send, schema,
listen --events), the built-in scenarios (scenario run, scenario show) and file names where a flag or
argument takes a file (--secret-file, --data, --junit, verify, replay, sign, scenario run). It is
made from this version's commands: print it again after upgrading.

Install (then open a new shell):
  bash  $ mkdir -p ~/.local/share/bash-completion/completions
        $ oblic-hooks completion bash > ~/.local/share/bash-completion/completions/oblic-hooks
        (without the bash-completion package: add  source <(oblic-hooks completion bash)  to ~/.bashrc)
  zsh   $ mkdir -p ~/.zfunc && oblic-hooks completion zsh > ~/.zfunc/_oblic-hooks
        (and in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath))
  fish  $ oblic-hooks completion fish > ~/.config/fish/completions/oblic-hooks.fish

Examples:
  $ oblic-hooks completion bash > ~/.local/share/bash-completion/completions/oblic-hooks
  $ source <(oblic-hooks completion bash)          # this shell only
  $ oblic-hooks completion zsh > "\${fpath[1]}/_oblic-hooks"

Exit codes: 0 the script was printed, 2 an unknown shell (the message names the nearest).`;

export function registerCompletion(program: Command, ui: UiFactory): void {
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', HELP)
    .action(async (shell: string, _flags: unknown, command: Command) => {
      if (!isShell(shell)) throw new InputError(unknownShell(shell));
      // The parent is the whole program: main.ts builds every command for `completion`.
      (await import('./run.js')).run(shell, command.parent!, await ui());
    });
}

function isShell(name: string): name is Shell {
  return (SHELLS as readonly string[]).includes(name);
}

function unknownShell(name: string): string {
  const near = nearest(name, SHELLS);
  return `unknown shell "${name}"${near ? `; did you mean ${near}?` : ''} (completion takes bash, zsh or fish)`;
}
