import type { ChalkInstance } from 'chalk';
import type { Resource } from '../oblic/events.js';

// Colours that mean the same wherever they are shown (events, send, replay, listen), in one place.

/**
 * An HTTP status, painted by its class: green below 300, yellow for 3xx and 4xx, red for 5xx and
 * for `null`, no answer at all, which is shown as ERR unless `text` says otherwise.
 */
export function paintStatus(
  c: ChalkInstance,
  status: number | null,
  text = status === null ? 'ERR' : String(status),
): string {
  if (status === null || status >= 500) return c.red(text);
  if (status >= 300) return c.yellow(text);
  return c.green(text);
}

/** One colour per resource, the same wherever an event type is shown. */
export function paintResource(c: ChalkInstance, resource: Resource, text: string): string {
  const paint = { contact: c.cyan, conversation: c.blue, message: c.green, group: c.magenta, attachment: c.yellow }[
    resource
  ];
  return paint(text);
}
