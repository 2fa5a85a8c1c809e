import type { EventType } from './events.js';

/**
 * The payload models of CONTRACT.md, written once. The sample factory writes every object through
 * `asModel`, so a field added here and forgotten there fails to compile instead of drifting.
 */
export const MODELS = {
  contact: {
    id: 'id',
    username: 'string',
    phone_number: 'string',
    avatar_url: 'string|null',
    display_name: 'string|null',
    conversation_id: 'id',
    last_active_at: 'timestamp|null',
    created_at: 'timestamp',
  },
  // The sender embedded in a message: a contact without display_name and conversation_id.
  sender: {
    id: 'id',
    username: 'string',
    phone_number: 'string',
    avatar_url: 'string|null',
    last_active_at: 'timestamp|null',
    created_at: 'timestamp',
  },
  conversation: {
    id: 'id',
    contact_id: 'id|null',
    group_id: 'id|null',
    pinned_message_id: 'id|null',
    is_pinned: 'boolean',
    is_muted: 'boolean',
    last_active_at: 'timestamp|null',
    last_opened_at: 'timestamp|null',
    created_at: 'timestamp',
    archived_at: 'timestamp|null',
  },
  message: {
    id: 'id',
    conversation_id: 'id',
    contact: 'sender',
    message: 'string',
    reactions: 'reactions',
    attachments: 'attachment[]',
    read_at: 'timestamp|null',
    created_at: 'timestamp',
    updated_at: 'timestamp|null',
  },
  group: {
    id: 'id',
    name: 'string',
    description: 'string|null',
    avatar_url: 'string|null',
    conversation_id: 'id',
    contacts: 'contact[]',
    created_at: 'timestamp',
    archived_at: 'timestamp|null',
  },
  attachment: {
    id: 'id',
    message_id: 'id',
    filename: 'string',
    file_url: 'string',
    file_type: 'string',
    file_size: 'integer',
    created_at: 'timestamp',
  },
} as const;

type Models = typeof MODELS;
export type ModelName = keyof Models;

type FieldValue<K> = K extends 'id' | 'string'
  ? string
  : K extends 'id|null' | 'string|null'
    ? string | null
    : K extends 'timestamp' | 'integer'
      ? number
      : K extends 'timestamp|null'
        ? number | null
        : K extends 'boolean'
          ? boolean
          : K extends 'sender'
            ? Sender
            : K extends 'contact[]'
              ? Contact[]
              : K extends 'attachment[]'
                ? Attachment[]
                : K extends 'reactions'
                  ? Array<Record<string, string[]>>
                  : never;

export type Model<N extends ModelName> = { -readonly [F in keyof Models[N]]: FieldValue<Models[N][F]> };

export type Contact = Model<'contact'>;
export type Sender = Model<'sender'>;
export type Conversation = Model<'conversation'>;
export type Message = Model<'message'>;
export type Group = Model<'group'>;
export type Attachment = Model<'attachment'>;

export interface PayloadOf {
  contact: Contact;
  conversation: Conversation;
  message: Message;
  group: Group;
  attachment: Attachment;
}

type ResourceIn<T extends EventType> = T extends `${infer R extends keyof PayloadOf}.${string}` ? R : never;

/** An Oblic event: a union discriminated on `type`; narrowing on `type` gives the payload its model. */
export type OblicEvent = { [T in EventType]: { id: string; type: T; payload: PayloadOf[ResourceIn<T>] } }[EventType];

/**
 * The object as written, typed as the model: a missing or extra field in the literal does not
 * compile. It costs nothing at run time (a check here was a third of the cost of building an event
 * under load); sample.test.ts holds every generated object to the contract's fields and their order.
 */
export function asModel<N extends ModelName>(_name: N, values: Model<N>): Model<N> {
  return values;
}
