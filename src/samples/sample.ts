import { actionOf, resourceOf, type Action, type EventType } from '../oblic/events.js';
import {
  asModel,
  type Attachment,
  type Contact,
  type Conversation,
  type Group,
  type Message,
  type OblicEvent,
  type PayloadOf,
  type Sender,
} from '../oblic/models.js';
import type { Random } from './random.js';
import {
  ASSETS_URL,
  FILES,
  GROUP_DESCRIPTIONS,
  GROUP_NAMES,
  MESSAGES,
  PEOPLE,
  REACTIONS,
  type Person,
} from './data.js';

export interface SampleContext {
  rng: Random;
  /** Unix seconds: every timestamp in the event is at or before it. */
  now: number;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A fresh, self-consistent sample event of the given type. */
export function buildEvent(type: EventType, ctx: SampleContext): OblicEvent {
  const id = ctx.rng.id();
  const payload = buildPayload(type, ctx);
  return { id, type, payload } as OblicEvent;
}

function buildPayload(type: EventType, ctx: SampleContext): PayloadOf[keyof PayloadOf] {
  const action = actionOf(type);
  switch (resourceOf(type)) {
    case 'contact':
      return buildContact(ctx, action, pickPeople(ctx.rng, 1)[0]!);
    case 'conversation':
      return buildConversation(ctx, action);
    case 'message':
      return buildMessage(ctx, action);
    case 'group':
      return buildGroup(ctx, action);
    case 'attachment':
      return buildAttachment(ctx, ctx.rng.id(), bornAt(ctx, action));
  }
}

/** When an object of this event was created: just now for `created`, some time ago otherwise. */
function bornAt({ rng, now }: SampleContext, action: Action): number {
  return action === 'created' ? now - rng.int(0, 5) : now - rng.int(2 * HOUR, 400 * DAY);
}

/** A moment between `from` and now, or null with probability `pNull`. */
function sometime({ rng, now }: SampleContext, from: number, pNull: number): number | null {
  return rng.chance(pNull) ? null : rng.int(from, now);
}

function pickPeople(rng: Random, count: number): Person[] {
  const chosen = new Set<Person>();
  while (chosen.size < count) chosen.add(rng.pick(PEOPLE));
  return [...chosen];
}

function avatarFor(rng: Random, username: string): string | null {
  return rng.chance(0.2) ? null : `${ASSETS_URL}/avatars/${username.toLowerCase()}.jpg`;
}

function buildContact(ctx: SampleContext, action: Action, person: Person): Contact {
  const { rng, now } = ctx;
  // A contact the app has known for a while, unless this very event created it.
  const createdAt = action === 'created' ? now - rng.int(0, 5) : now - rng.int(30 * DAY, 4 * 365 * DAY);
  return asModel('contact', {
    id: rng.id(),
    username: person.username,
    phone_number: person.phone,
    avatar_url: avatarFor(rng, person.username),
    display_name: rng.chance(0.25) ? null : person.displayName,
    conversation_id: rng.id(),
    last_active_at: action === 'created' ? null : sometime(ctx, Math.max(createdAt, now - 3 * DAY), 0.1),
    created_at: createdAt,
  });
}

/** A message's sender: the contact's fields a message carries (CONTRACT.md). */
export function senderOf(contact: Contact): Sender {
  return asModel('sender', {
    id: contact.id,
    username: contact.username,
    phone_number: contact.phone_number,
    avatar_url: contact.avatar_url,
    last_active_at: contact.last_active_at,
    created_at: contact.created_at,
  });
}

function buildConversation(ctx: SampleContext, action: Action): Conversation {
  const { rng, now } = ctx;
  const createdAt = bornAt(ctx, action);
  const isGroup = rng.chance(0.3);
  const fresh = action === 'created';
  return asModel('conversation', {
    id: rng.id(),
    contact_id: isGroup ? null : rng.id(),
    group_id: isGroup ? rng.id() : null,
    pinned_message_id: !fresh && rng.chance(0.3) ? rng.id() : null,
    is_pinned: !fresh && rng.chance(0.3),
    is_muted: !fresh && rng.chance(0.2),
    last_active_at: fresh ? null : sometime(ctx, Math.max(createdAt, now - 2 * DAY), 0.05),
    last_opened_at: fresh ? null : sometime(ctx, Math.max(createdAt, now - 5 * DAY), 0.2),
    created_at: createdAt,
    // A conversation that is being deleted has often been archived first.
    archived_at: action === 'deleted' && rng.chance(0.5) ? rng.int(createdAt, now) : null,
  });
}

function buildMessage(ctx: SampleContext, action: Action): Message {
  const { rng, now } = ctx;
  const sender = buildContact(ctx, 'updated', pickPeople(rng, 1)[0]!);
  const id = rng.id();
  const createdAt = action === 'created' ? now - rng.int(0, 5) : now - rng.int(10 * MINUTE, 30 * DAY);
  const attachments = rng.chance(0.3)
    ? Array.from({ length: rng.int(1, 2) }, () => buildAttachment(ctx, id, createdAt))
    : [];
  const reactions =
    action === 'created' || rng.chance(0.4)
      ? []
      : pickPeople(rng, rng.int(1, 3)).map((person) => ({ [rng.pick(REACTIONS)]: [person.username] }));
  return asModel('message', {
    id,
    // A message lives in its sender's conversation (CONTRACT.md: the contact's conversation_id).
    conversation_id: sender.conversation_id,
    contact: senderOf(sender),
    message: rng.pick(MESSAGES),
    reactions,
    attachments,
    read_at: action === 'created' ? null : sometime(ctx, createdAt, 0.3),
    created_at: createdAt,
    updated_at: action === 'updated' ? now - rng.int(0, 5) : null,
  });
}

function buildGroup(ctx: SampleContext, action: Action): Group {
  const { rng, now } = ctx;
  const createdAt = bornAt(ctx, action);
  const members = pickPeople(rng, rng.int(2, 5)).map((person) => buildContact(ctx, 'updated', person));
  const name = rng.pick(GROUP_NAMES);
  return asModel('group', {
    id: rng.id(),
    name,
    description: rng.chance(0.4) ? null : rng.pick(GROUP_DESCRIPTIONS),
    avatar_url: rng.chance(0.5) ? null : `${ASSETS_URL}/avatars/group-${rng.id().toLowerCase()}.png`,
    conversation_id: rng.id(),
    contacts: members,
    created_at: createdAt,
    archived_at: action === 'deleted' && rng.chance(0.5) ? rng.int(createdAt, now) : null,
  });
}

function buildAttachment(ctx: SampleContext, messageId: string, createdAt: number): Attachment {
  const { rng } = ctx;
  const id = rng.id();
  const file = rng.pick(FILES);
  return asModel('attachment', {
    id,
    message_id: messageId,
    filename: file.filename,
    file_url: `${ASSETS_URL}/attachments/${id}/${encodeURIComponent(file.filename)}`,
    file_type: file.type,
    file_size: rng.int(file.minBytes, file.maxBytes),
    created_at: createdAt,
  });
}
