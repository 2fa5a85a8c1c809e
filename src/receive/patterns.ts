import { nearest } from '../base/text.js';
import { ACTIONS, EVENT_TYPES, RESOURCES, type Action, type EventType, type Resource } from '../oblic/events.js';
import type { OblicEvent } from '../oblic/models.js';

/** What `webhooks.on()` takes: a type, every type of a resource, every type of an action, or all. */
export type EventPattern = EventType | `${Resource}.*` | `*.${Action}` | '*';

/** The events a pattern matches, as a union: `message.*` is the three Message events. */
export type EventOf<P extends EventPattern> = P extends '*'
  ? OblicEvent
  : P extends `${infer R}.*`
    ? Extract<OblicEvent, { type: `${R}.${Action}` }>
    : P extends `*.${infer A}`
      ? Extract<OblicEvent, { type: `${Resource}.${A}` }>
      : Extract<OblicEvent, { type: P }>;

const TYPES: readonly EventType[] = EVENT_TYPES.map((info) => info.type);
const PATTERNS: readonly string[] = [
  '*',
  ...TYPES,
  ...RESOURCES.map((resource) => `${resource}.*`),
  ...ACTIONS.map((action) => `*.${action}`),
];

/**
 * The types a pattern stands for. A pattern that is none of the above is misuse (a typo in the
 * developer's code, or a type this version does not know), a TypeError naming the nearest pattern.
 */
export function typesOf(pattern: unknown, method: 'on' | 'off' = 'on'): EventType[] {
  if (typeof pattern !== 'string' || !PATTERNS.includes(pattern)) {
    const text = typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern);
    const near = typeof pattern === 'string' ? nearest(pattern, PATTERNS) : undefined;
    throw new TypeError(
      `webhooks.${method}(${text}) is not an Oblic event type or pattern; ${near ? `did you mean "${near}"? ` : ''}` +
        'use a type such as "message.created", "message.*", "*.deleted" or "*"',
    );
  }
  if (pattern === '*') return [...TYPES];
  const [resource, action] = pattern.split('.');
  return TYPES.filter((type) => {
    const [r, a] = type.split('.');
    return (resource === '*' || resource === r) && (action === '*' || action === a);
  });
}
