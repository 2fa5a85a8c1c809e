import type { Command } from 'commander';
import type { UiFactory } from '../../flags.js';
import type { EventsFlags } from './run.js';

export function registerEvents(program: Command, ui: UiFactory): void {
  program
    .command('events')
    .description('list the fifteen Oblic event types')
    .option('--json', 'print a JSON array of {type, resource, action, description}')
    .addHelpText('after', '\nExamples:\n  $ oblic-hooks events\n  $ oblic-hooks events --json | jq -r ".[].type"')
    .action(async (flags: EventsFlags) => (await import('./run.js')).run(flags, await ui()));
}
