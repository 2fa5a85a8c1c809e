import type { Resource } from '../oblic/events.js';
import type { Attachment, Contact, Conversation, Group, Message } from '../oblic/models.js';
import { asModel } from '../oblic/models.js';
import { ASSETS_URL, FILES, GROUP_DESCRIPTIONS, GROUP_NAMES, MESSAGES, PEOPLE, type Person } from '../samples/data.js';
import type { Random } from '../samples/random.js';
import { senderOf } from '../samples/sample.js';

/** What the world can hand out as a payload, by resource. */
export interface Objects {
  contact: Contact;
  conversation: Conversation;
  message: Message;
  group: Group;
  attachment: Attachment;
}

/** A contact or a group: what a conversation is with. */
interface Party {
  resource: 'contact' | 'group';
  id: string;
}

/** A group as the world keeps it: its members by id, so a member's later changes show in the next event. */
interface GroupState {
  group: Group;
  members: string[];
}

/**
 * One world per run: every object it has made, live until its `*.deleted`, and a clock. Events are
 * built from it, so ids link as the models require (issue 16): a message is in a conversation made
 * earlier, an update carries the id made earlier with the changed fields changed, a deletion the
 * object as it last was.
 */
export class World {
  readonly contacts = new Map<string, Contact>();
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message>();
  readonly groups = new Map<string, GroupState>();
  readonly attachments = new Map<string, Attachment>();
  /** The object each resource's latest step was about: what a step without a link of its own is about. */
  readonly current = new Map<Resource, string>();
  /** Every contact and group made, in order: whose conversation a `conversation.created` opens. */
  private readonly parties: Party[] = [];
  /** Every conversation id opened in the run: a conversation opened again after its deletion gets a new one. */
  private readonly opened = new Set<string>();
  /** The account's own user: the other side of a one-to-one conversation, known before the run. */
  readonly owner: Contact;
  /** Where each object deleted in the run was deleted (`steps[7]`). */
  readonly deletedAt = new Map<string, string>();
  /** How often each object has been updated, so each update changes something new. */
  readonly updates = new Map<string, number>();
  private readonly people: Person[];
  /** Messages created in each conversation so far: whose turn it is to speak. */
  private readonly said = new Map<string, number>();

  constructor(
    readonly rng: Random,
    /** Unix milliseconds: the scenario clock. */
    public clockMs: number,
  ) {
    this.people = shuffled(rng, PEOPLE);
    const person = this.people.pop()!;
    this.owner = this.newContact(person, Math.max(0, this.now() - 400 * 24 * 3600), rng.id());
    this.owner.last_active_at = Math.max(this.owner.created_at, this.now() - rng.int(60, 3600));
  }

  /** The clock in Unix seconds, as timestamps are. */
  now(): number {
    return Math.floor(this.clockMs / 1000);
  }

  /** The live object of `resource` a step is about by default: the latest one touched, else the latest made. */
  latest(resource: Resource): string | undefined {
    const id = this.current.get(resource);
    const live = this.store(resource);
    if (id !== undefined && live.has(id)) return id;
    return [...live.keys()].at(-1);
  }

  store(resource: Resource): Map<string, unknown> {
    return {
      contact: this.contacts,
      conversation: this.conversations,
      message: this.messages,
      group: this.groups,
      attachment: this.attachments,
    }[resource];
  }

  createContact(): Contact {
    const person = this.people.pop() ?? this.rng.pick(PEOPLE);
    const contact = this.newContact(person, this.now(), this.rng.id());
    this.contacts.set(contact.id, contact);
    this.parties.push({ resource: 'contact', id: contact.id });
    return contact;
  }

  private newContact(person: Person, createdAt: number, conversationId: string): Contact {
    const { rng } = this;
    return asModel('contact', {
      id: rng.id(),
      username: person.username,
      phone_number: person.phone,
      avatar_url: rng.chance(0.2) ? null : `${ASSETS_URL}/avatars/${person.username.toLowerCase()}.jpg`,
      display_name: rng.chance(0.25) ? null : person.displayName,
      conversation_id: conversationId,
      last_active_at: null,
      created_at: createdAt,
    });
  }

  /** The latest contact or group still there whose conversation is not open, if any. */
  nextParty(): Party | undefined {
    return this.parties.findLast(
      (party) =>
        this.store(party.resource).has(party.id) && !this.conversations.has(this.ownerOf(party).conversation_id),
    );
  }

  private ownerOf(party: Party): Contact | Group {
    return party.resource === 'contact' ? this.contacts.get(party.id)! : this.groups.get(party.id)!.group;
  }

  /**
   * The conversation of a contact or group: the id its conversation_id says, or a new one (and its
   * conversation_id with it) when that conversation was opened and deleted earlier in the run.
   */
  createConversation(party: Party): Conversation {
    const owner = this.ownerOf(party);
    if (this.opened.has(owner.conversation_id)) owner.conversation_id = this.rng.id();
    this.opened.add(owner.conversation_id);
    const conversation = asModel('conversation', {
      id: owner.conversation_id,
      contact_id: party.resource === 'contact' ? party.id : null,
      group_id: party.resource === 'group' ? party.id : null,
      pinned_message_id: null,
      is_pinned: false,
      is_muted: false,
      last_active_at: null,
      last_opened_at: null,
      created_at: this.now(),
      archived_at: null,
    });
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** A message in `conversationId`, from its contact and the owner in turn, or from its group's members in turn. */
  createMessage(conversationId: string): Message {
    const conversation = this.conversations.get(conversationId)!;
    const count = this.said.get(conversationId) ?? 0;
    this.said.set(conversationId, count + 1);
    const sender = this.senderFor(conversation, count);
    sender.last_active_at = this.now();
    conversation.last_active_at = this.now();
    const message = asModel('message', {
      id: this.rng.id(),
      conversation_id: conversationId,
      contact: senderOf(sender),
      message: this.rng.pick(MESSAGES),
      reactions: [],
      attachments: [],
      read_at: null,
      created_at: this.now(),
      updated_at: null,
    });
    this.messages.set(message.id, message);
    return message;
  }

  private senderFor(conversation: Conversation, count: number): Contact {
    const members =
      conversation.group_id !== null
        ? (this.groups.get(conversation.group_id)?.members ?? [])
        : [conversation.contact_id ?? ''];
    const live = members.map((id) => this.contacts.get(id)).filter((c): c is Contact => c !== undefined);
    // One-to-one: the contact speaks first, then the owner answers; in a group, each member in turn.
    const speakers = conversation.group_id !== null ? live : [...live, this.owner];
    return speakers.length === 0 ? this.owner : speakers[count % speakers.length]!;
  }

  /** An attachment of `messageId`, added to the message so its later events carry it. */
  createAttachment(messageId: string): Attachment {
    const message = this.messages.get(messageId)!;
    const id = this.rng.id();
    const file = this.rng.pick(FILES);
    const attachment = asModel('attachment', {
      id,
      message_id: messageId,
      filename: file.filename,
      file_url: `${ASSETS_URL}/attachments/${id}/${encodeURIComponent(file.filename)}`,
      file_type: file.type,
      file_size: this.rng.int(file.minBytes, file.maxBytes),
      created_at: this.now(),
    });
    this.attachments.set(id, attachment);
    message.attachments.push(attachment);
    return attachment;
  }

  /** A group of every live contact (up to five); later contacts join through `group.updated`. */
  createGroup(): Group {
    const members = [...this.contacts.keys()].slice(-5);
    const group = asModel('group', {
      id: this.rng.id(),
      name: this.rng.pick(GROUP_NAMES),
      description: this.rng.chance(0.4) ? null : this.rng.pick(GROUP_DESCRIPTIONS),
      avatar_url: this.rng.chance(0.5) ? null : `${ASSETS_URL}/avatars/group-${this.rng.id().toLowerCase()}.png`,
      conversation_id: this.rng.id(),
      contacts: [],
      created_at: this.now(),
      archived_at: null,
    });
    this.groups.set(group.id, { group, members });
    this.parties.push({ resource: 'group', id: group.id });
    return this.groupPayload(group.id);
  }

  /** The group as an event carries it: its members as they are now. */
  groupPayload(id: string): Group {
    const state = this.groups.get(id)!;
    state.members = state.members.filter((member) => this.contacts.has(member));
    return { ...state.group, contacts: state.members.map((member) => this.contacts.get(member)!) };
  }
}

function shuffled<T>(rng: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
