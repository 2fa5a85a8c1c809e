import type { Command } from 'commander';
import type { UiFactory } from '../../flags.js';
import { VERSION } from '../../version.js';

/** `oblic-hooks version`, as gh has both: the same line as --version, or `{ "version": … }` with --json. */
export function registerVersion(program: Command, ui: UiFactory): void {
  program
    .command('version')
    .description('print the version (the same as --version)')
    .option('--json', 'print {"version": "…"}')
    .addHelpText('after', '\nExamples:\n  $ oblic-hooks version\n  $ oblic-hooks version --json\n\nExit codes: 0.')
    .action(async (flags: { json?: boolean }) => {
      const { io } = await ui();
      io.stdout.write(flags.json ? `${JSON.stringify({ version: VERSION })}\n` : `${VERSION}\n`);
    });
}
