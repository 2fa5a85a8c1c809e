import type { Command } from 'commander';
import type { UiFactory } from '../../flags.js';
import type { SecretCommandFlags } from './run.js';

export function registerSecret(program: Command, ui: UiFactory): void {
  program
    .command('secret')
    .description('print the local development secret, creating it on first use')
    .option('--rotate', 'replace it with a new one (signatures made with the old one stop verifying)')
    .option('--path', 'print where it is stored instead')
    .addHelpText(
      'after',
      '\nThe secret is 32 random bytes, stored with mode 0600 in $XDG_CONFIG_HOME/oblic-hooks/secret\n' +
        '(else ~/.config/oblic-hooks/secret). send, sign, verify and listen use it when no other secret is given,\n' +
        'so they agree with each other out of the box.\n\n' +
        'Examples:\n  $ export OBLIC_WEBHOOK_SECRET=$(oblic-hooks secret)\n  $ oblic-hooks secret --rotate',
    )
    .action(async (flags: SecretCommandFlags) => (await import('./run.js')).run(flags, await ui()));
}
