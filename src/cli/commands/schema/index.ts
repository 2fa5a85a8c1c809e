import type { Command } from 'commander';
import type { UiFactory } from '../../flags.js';

export function registerSchema(program: Command, ui: UiFactory): void {
  program
    .command('schema')
    .description("print the JSON Schema of an event type's envelope and payload (all fifteen when no type is given)")
    .argument('[event-type]', 'e.g. message.created')
    .addHelpText(
      'after',
      '\nThe schemas come from the same model definitions as the sample events, so they cannot drift.\n\nExamples:\n  $ oblic-hooks schema message.created > message.created.schema.json\n  $ oblic-hooks schema | jq ".oneOf | length"',
    )
    .action(async (type: string | undefined) => (await import('./run.js')).run(type, await ui()));
}
