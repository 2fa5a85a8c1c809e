import { InputError } from '../../../base/errors.js';
import { resolveEventTypes } from '../../../oblic/events.js';
import { anyEventSchema, eventSchema } from '../../../oblic/schema.js';
import type { Ui } from '../../io.js';

export async function run(type: string | undefined, ui: Ui): Promise<void> {
  const schema = type === undefined ? anyEventSchema() : eventSchema(single(type));
  ui.io.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
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
