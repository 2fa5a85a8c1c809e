import { actionOf, resourceOf, type EventType, type Resource } from '../oblic/events.js';
import { ASSETS_URL, GROUP_DESCRIPTIONS, MESSAGES } from '../samples/data.js';
import { problemAt } from './file.js';
import type { Objects, World } from './world.js';

/** Ids a step's `set` gives for what it is about (`payload.id`) or where it goes (`payload.conversation_id`). */
export interface Links {
  id?: string;
  conversation_id?: string;
  message_id?: string;
}

type Payload = Objects[Resource];

const MADE_IN: Partial<Record<Resource, { resource: Resource; link: keyof Links }>> = {
  message: { resource: 'conversation', link: 'conversation_id' },
  attachment: { resource: 'message', link: 'message_id' },
};

/**
 * Makes what `type` says happen in the world and returns the payload as it is now (a copy). An
 * update without `set` of its own (`change`) changes something itself; a step that names what
 * does not exist yet is a problem at `at`, before anything is sent.
 */
export function happen(world: World, type: EventType, links: Links, change: boolean, at: string): Payload {
  const resource = resourceOf(type);
  const action = actionOf(type);
  if (action === 'created') return copy(create(world, resource, links, at));
  const id = pick(world, resource, links, 'id', at, type);
  world.current.set(resource, id);
  if (action === 'deleted') {
    const last = copy(payloadOf(world, resource, id));
    remove(world, resource, id);
    world.deletedAt.set(id, at);
    return last;
  }
  const n = world.updates.get(id) ?? 0;
  world.updates.set(id, n + 1);
  update(world, resource, id, change ? n : -1);
  return copy(payloadOf(world, resource, id));
}

function create(world: World, resource: Resource, links: Links, at: string): Payload {
  const home = MADE_IN[resource];
  let made: Payload;
  if (resource === 'contact') made = world.createContact();
  else if (resource === 'group') made = world.createGroup();
  else if (resource === 'conversation') {
    const party = world.nextParty();
    if (party === undefined)
      throw problemAt(
        at,
        'conversation.created opens the conversation of a contact or group that has none open: create one before it',
      );
    made = world.createConversation(party);
  } else {
    const into = pick(world, home!.resource, links, home!.link, at, `${resource}.created`);
    made = resource === 'message' ? world.createMessage(into) : world.createAttachment(into);
  }
  world.current.set(resource, made.id);
  return made;
}

/** The live object a step is about: the id its `set` names, else the latest one of its resource. */
function pick(world: World, resource: Resource, links: Links, link: keyof Links, at: string, type: string): string {
  const named = links[link];
  if (named !== undefined && world.store(resource).has(named)) return named;
  const gone = named === undefined ? undefined : world.deletedAt.get(named);
  // A step after a deletion cannot be about what was deleted: that is out of order, not a world.
  if (gone !== undefined)
    throw problemAt(
      `${at}.set.payload.${link}`,
      `${resource} ${named} was deleted at ${gone}; a later step cannot be about it`,
    );
  const id = world.latest(resource);
  if (id === undefined) {
    const what = type.startsWith(`${resource}.`) ? '' : ' to go in';
    throw problemAt(
      at,
      `${type} needs a ${resource} created earlier in the run${what}; add a ${resource}.created step before it`,
    );
  }
  return id;
}

function payloadOf(world: World, resource: Resource, id: string): Payload {
  if (resource === 'group') return world.groupPayload(id);
  return world.store(resource).get(id) as Payload;
}

/**
 * The update itself: the clock fields move forward, and unless the step sets its own fields (`n` is
 * -1) the n-th update of an object changes the next thing in its list.
 */
function update(world: World, resource: Resource, id: string, n: number): void {
  const now = world.now();
  switch (resource) {
    case 'contact': {
      const contact = world.contacts.get(id)!;
      contact.last_active_at = now;
      if (n < 0) return;
      const name = contact.display_name ?? contact.username;
      if (n % 2 === 0) contact.display_name = name.endsWith(' ✨') ? name.slice(0, -2) : `${name} ✨`;
      else contact.avatar_url = `${ASSETS_URL}/avatars/${contact.username.toLowerCase()}-${n + 1}.jpg`;
      return;
    }
    case 'conversation': {
      const conversation = world.conversations.get(id)!;
      conversation.last_opened_at = now;
      if (n < 0) return;
      const latest = [...world.messages.values()].filter((m) => m.conversation_id === id).at(-1);
      const step = n % 3;
      if (step === 0) conversation.is_pinned = !conversation.is_pinned;
      else if (step === 1 && latest) conversation.pinned_message_id = latest.id;
      else conversation.is_muted = !conversation.is_muted;
      return;
    }
    case 'message': {
      const message = world.messages.get(id)!;
      message.updated_at = Math.max(now, (message.updated_at ?? message.created_at) + 1);
      if (n < 0) return;
      message.message = other(world, MESSAGES, message.message);
      return;
    }
    case 'group':
      return updateGroup(world, id, n);
    case 'attachment': {
      if (n < 0) return;
      const attachment = world.attachments.get(id)!;
      const dot = attachment.filename.lastIndexOf('.');
      const stem = dot > 0 ? attachment.filename.slice(0, dot) : attachment.filename;
      attachment.filename = `${stem} (${n + 2})${dot > 0 ? attachment.filename.slice(dot) : ''}`;
      attachment.file_url = `${ASSETS_URL}/attachments/${id}/${encodeURIComponent(attachment.filename)}`;
      const message = world.messages.get(attachment.message_id);
      if (message) message.attachments = message.attachments.map((a) => (a.id === id ? { ...attachment } : a));
      return;
    }
  }
}

/** Membership changes through `group.updated`: a live contact not in the group joins, else the longest-standing member leaves. */
function updateGroup(world: World, id: string, n: number): void {
  if (n < 0) return;
  const state = world.groups.get(id)!;
  world.groupPayload(id); // drops members deleted since
  const joining = [...world.contacts.keys()].find((contact) => !state.members.includes(contact));
  if (joining !== undefined) state.members.push(joining);
  else if (state.members.length > 1) state.members.shift();
  else state.group.description = other(world, GROUP_DESCRIPTIONS, state.group.description ?? '');
}

function other(world: World, pool: readonly string[], current: string): string {
  const choices = pool.filter((text) => text !== current);
  return world.rng.pick(choices);
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Keeps what a step's `set` made of the object, so later events carry it as it last was. */
export function keep(world: World, resource: Resource, id: string, payload: Record<string, unknown>): void {
  if (!world.store(resource).has(id)) return;
  const kept = copy(payload);
  if (resource === 'group') {
    const state = world.groups.get(id)!;
    state.group = { ...(kept as unknown as Objects['group']), contacts: [] };
    return;
  }
  world.store(resource).set(id, kept);
  if (resource === 'attachment') {
    const message = world.messages.get((kept as unknown as Objects['attachment']).message_id);
    if (message)
      message.attachments = message.attachments.map((a) =>
        a.id === id ? (copy(kept) as unknown as Objects['attachment']) : a,
      );
  }
}

/** What `*.deleted` does to the world beyond the object itself: what lived inside it goes with it. */
function remove(world: World, resource: Resource, id: string): void {
  if (resource === 'message') {
    for (const attachment of world.messages.get(id)?.attachments ?? []) world.attachments.delete(attachment.id);
    // A deleted message is no longer pinned: the conversation's next event says so.
    for (const conversation of world.conversations.values())
      if (conversation.pinned_message_id === id) conversation.pinned_message_id = null;
  }
  if (resource === 'attachment') {
    const attachment = world.attachments.get(id);
    const message = attachment && world.messages.get(attachment.message_id);
    if (message) message.attachments = message.attachments.filter((a) => a.id !== id);
  }
  if (resource === 'conversation') {
    for (const message of [...world.messages.values()])
      if (message.conversation_id === id) remove(world, 'message', message.id);
  }
  world.store(resource).delete(id);
}
