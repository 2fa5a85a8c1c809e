import type { Command } from 'commander';
import { InputError } from '../../../base/errors.js';
import { resolveEventTypes } from '../../../oblic/events.js';
import { anyEventSchema, eventSchema } from '../../../oblic/schema.js';
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
    .action(async (type: string | undefined) => {
      const u = await ui();
      const schema = type === undefined ? anyEventSchema() : eventSchema(single(type));
      u.io.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    });
}

/** One exact type; a typo gets the nearest one suggested, as everywhere. */
function single(type: string) {
  const matched = resolveEventTypes([type]);
  if (matched.length > 1)
    throw new InputError(
      `schema takes one event type; "${type}" matches ${matched.length} (leave it out for all of them)`,
    );
  return matched[0]!;
}
