import type { Command } from 'commander';
import { devSecretPath, loadDevSecret, rotateDevSecret } from '../../secrets.js';
import type { UiFactory } from '../../flags.js';

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
    .action(async (opts: { rotate?: boolean; path?: boolean }) => {
      const u = await ui();
      // Where it is (or would be) kept: asking must not create it.
      if (opts.path && !opts.rotate) return void u.io.stdout.write(`${devSecretPath(u.io.env)}\n`);
      const dev = opts.rotate ? await rotateDevSecret(u.io.env) : await loadDevSecret(u.io.env);
      if (opts.rotate) u.say(u.err.dim(`rotated the development secret in ${dev.path}`));
      else if (dev.created) u.say(u.err.dim(`created a development secret in ${dev.path}`));
      u.io.stdout.write(`${opts.path ? dev.path : dev.secret}\n`);
    });
}
