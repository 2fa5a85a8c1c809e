import { nearest } from '../base/text.js';
import { InputError } from '../base/errors.js';

export const RESOURCES = ['contact', 'conversation', 'message', 'group', 'attachment'] as const;
export const ACTIONS = ['created', 'updated', 'deleted'] as const;

export type Resource = (typeof RESOURCES)[number];
export type Action = (typeof ACTIONS)[number];
export type EventType = `${Resource}.${Action}`;

export interface EventTypeInfo {
  type: EventType;
  resource: Resource;
  action: Action;
  description: string;
}

// The descriptions are Oblic's own, word for word (webhooks-guide.txt).
const DESCRIPTIONS: Record<EventType, string> = {
  'contact.created': 'A new contact was created.',
  'contact.updated': 'An existing contact was updated.',
  'contact.deleted': 'A contact was successfully deleted.',
  'conversation.created': 'A new conversation was created.',
  'conversation.updated': 'An existing conversation was updated.',
  'conversation.deleted': 'A conversation was successfully deleted.',
  'message.created': 'A new message was created.',
  'message.updated': 'An existing message was updated.',
  'message.deleted': 'A message was successfully deleted.',
  'group.created': 'A new group was created.',
  'group.updated': 'An existing group was updated.',
  'group.deleted': 'A group was successfully deleted.',
  'attachment.created': 'A new attachment was created.',
  'attachment.updated': 'An existing attachment was updated.',
  'attachment.deleted': 'An attachment was successfully deleted.',
};

export const EVENT_TYPES: readonly EventTypeInfo[] = RESOURCES.flatMap((resource) =>
  ACTIONS.map((action) => {
    const type: EventType = `${resource}.${action}`;
    return { type, resource, action, description: DESCRIPTIONS[type] };
  }),
);

const TYPE_NAMES: readonly string[] = EVENT_TYPES.map((info) => info.type);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && TYPE_NAMES.includes(value);
}

export function resourceOf(type: EventType): Resource {
  return type.slice(0, type.indexOf('.')) as Resource;
}

export function actionOf(type: EventType): Action {
  return type.slice(type.indexOf('.') + 1) as Action;
}

/** A glob over event types: `*` matches any run of characters, `all` everything, a bare resource its three types. */
export function matchEventTypes(pattern: string): EventType[] {
  const p = pattern.trim().toLowerCase();
  if (p === 'all') return EVENT_TYPES.map((info) => info.type);
  if ((RESOURCES as readonly string[]).includes(p)) return matchEventTypes(`${p}.*`);
  const source = p
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${source}$`);
  return EVENT_TYPES.filter((info) => re.test(info.type)).map((info) => info.type);
}

/**
 * Resolves event-type arguments (names, globs, `all`, comma lists) to a list without repeats, in
 * catalog order of first mention. An argument that matches nothing is an InputError naming the
 * nearest real type.
 */
export function resolveEventTypes(patterns: readonly string[]): EventType[] {
  const out: EventType[] = [];
  for (const pattern of patterns.flatMap((p) => p.split(',')).filter((p) => p.trim() !== '')) {
    const matched = matchEventTypes(pattern);
    if (matched.length === 0) throw new InputError(unknownTypeMessage(pattern.trim()));
    for (const type of matched) if (!out.includes(type)) out.push(type);
  }
  return out;
}

function unknownTypeMessage(pattern: string): string {
  const near = suggestEventType(pattern);
  const hint = near ? `did you mean ${near}?` : 'run `oblic-hooks events` for the fifteen types';
  return `unknown event type "${pattern}"; ${hint}`;
}

/** The nearest event type by edit distance, when it is near enough to be a typo. */
export function suggestEventType(input: string): EventType | undefined {
  // A swapped resource ("messages.created") or a plural action is still a typo; a different word is not.
  return nearest(
    input,
    EVENT_TYPES.map(({ type }) => type),
  );
}
