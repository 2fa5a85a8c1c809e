import { EVENT_TYPES } from '../../../oblic/events.js';
import type { Ui } from '../../io.js';
import { paintResource } from '../../paint.js';

export interface EventsFlags {
  json?: boolean;
}

export async function run(flags: EventsFlags, ui: Ui): Promise<void> {
  if (flags.json) ui.io.stdout.write(`${JSON.stringify(EVENT_TYPES, null, 2)}\n`);
  else ui.io.stdout.write(renderTable(ui));
}

function renderTable(ui: Ui): string {
  const width = Math.max(...EVENT_TYPES.map((info) => info.type.length));
  return EVENT_TYPES.map((info, i) => {
    const gap = i > 0 && info.resource !== EVENT_TYPES[i - 1]!.resource ? '\n' : '';
    return `${gap}${paintResource(ui.out, info.resource, info.type.padEnd(width))}  ${info.description}\n`;
  }).join('');
}
