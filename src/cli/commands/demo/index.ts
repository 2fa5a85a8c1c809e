import type { Command } from 'commander';
import type { UiFactory } from '../../flags.js';

export function registerDemo(program: Command, ui: UiFactory): void {
  program
    .command('demo')
    .description('the tour: a listener on a free port receives all fifteen sample events, signed and verified')
    .addHelpText(
      'after',
      '\nNo set-up and no second terminal: it uses the local development secret, which send and listen share.\n' +
        'Exit codes: 0 all fifteen verified, 1 otherwise.',
    )
    .action(async () => (await import('./run.js')).run(await ui()));
}
