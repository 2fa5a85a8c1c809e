import type { Command } from 'commander';
import { addSecretOptions, type SecretFlags, SIGNING_SECRET, type UiFactory } from '../../flags.js';

export function registerSign(program: Command, ui: UiFactory): void {
  addSecretOptions(
    program
      .command('sign')
      .description('print the x-oblic-signature of the exact bytes of a file or of standard input')
      .argument('[file]', 'the body to sign (default: standard input)'),
    SIGNING_SECRET,
  )
    .addHelpText(
      'after',
      '\nThe input is streamed, up to 1 GiB (more is exit 2).\n\nExamples:\n  $ oblic-hooks sign body.json\n  $ printf %s "$BODY" | oblic-hooks sign --secret-file .secret',
    )
    .action(async (file: string | undefined, flags: SecretFlags, command: Command) => {
      const [u, { run }, { applyProjectConfig }] = await Promise.all([
        ui(),
        import('./run.js'),
        import('../../config-apply.js'),
      ]);
      return run(file, (await applyProjectConfig(command, flags, ['secretFile'], u)).flags, u);
    });
}
