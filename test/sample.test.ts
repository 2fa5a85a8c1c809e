import { describe, expect, it } from 'vitest';
import { createEventSource, SEEDED_NOW } from '../src/samples/bodies.js';
import { EVENT_TYPES, type EventType } from '../src/oblic/events.js';
import { createRandom } from '../src/samples/random.js';
import { buildEvent } from '../src/samples/sample.js';

// The models of CONTRACT.md, written out again here by hand so that the test does not check the
// product's model table against itself.
type Kind =
  | 'id'
  | 'id|null'
  | 'string'
  | 'string|null'
  | 'timestamp'
  | 'timestamp|null'
  | 'boolean'
  | 'integer'
  | 'array'
  | 'object';
const CONTACT: Record<string, Kind> = {
  id: 'id',
  username: 'string',
  phone_number: 'string',
  avatar_url: 'string|null',
  display_name: 'string|null',
  conversation_id: 'id',
  last_active_at: 'timestamp|null',
  created_at: 'timestamp',
};
const SENDER: Record<string, Kind> = {
  id: 'id',
  username: 'string',
  phone_number: 'string',
  avatar_url: 'string|null',
  last_active_at: 'timestamp|null',
  created_at: 'timestamp',
};
const ATTACHMENT: Record<string, Kind> = {
  id: 'id',
  message_id: 'id',
  filename: 'string',
  file_url: 'string',
  file_type: 'string',
  file_size: 'integer',
  created_at: 'timestamp',
};
const EXPECTED: Record<string, Record<string, Kind>> = {
  contact: CONTACT,
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
    contact: 'object',
    message: 'string',
    reactions: 'array',
    attachments: 'array',
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
    contacts: 'array',
    created_at: 'timestamp',
    archived_at: 'timestamp|null',
  },
  attachment: ATTACHMENT,
};

const NOW = 1_780_000_000;
const ID = /^[A-Za-z0-9]{16}$/;

function check(value: unknown, kind: Kind, where: string): void {
  const nullable = kind.endsWith('|null');
  if (nullable && value === null) return;
  const base = kind.replace('|null', '');
  const ok = {
    id: () => typeof value === 'string' && ID.test(value),
    string: () => typeof value === 'string',
    timestamp: () => Number.isInteger(value) && (value as number) > 600_000_000 && (value as number) <= NOW,
    boolean: () => typeof value === 'boolean',
    integer: () => Number.isInteger(value) && (value as number) >= 0,
    array: () => Array.isArray(value),
    object: () => value !== null && typeof value === 'object' && !Array.isArray(value),
  }[base]!();
  expect(ok, `${where} should be ${kind}, got ${JSON.stringify(value)}`).toBe(true);
}

function checkModel(value: unknown, model: Record<string, Kind>, where: string): void {
  expect(Object.keys(value as object), `${where} fields`).toEqual(Object.keys(model));
  for (const [field, kind] of Object.entries(model))
    check((value as Record<string, unknown>)[field], kind, `${where}.${field}`);
}

function samples(type: EventType, n: number) {
  return Array.from({ length: n }, (_, seed) => buildEvent(type, { rng: createRandom(seed), now: NOW }));
}

describe('buildEvent()', () => {
  it.each(EVENT_TYPES.map((info) => info.type))(
    '%s has exactly its model, with the right types, in 50 samples',
    (type) => {
      for (const event of samples(type, 50)) {
        expect(Object.keys(event)).toEqual(['id', 'type', 'payload']);
        expect(event.id).toMatch(ID);
        expect(event.type).toBe(type);
        const resource = type.split('.')[0]!;
        checkModel(event.payload, EXPECTED[resource]!, type);
        const payload = event.payload as unknown as Record<string, unknown>;
        if (resource === 'message') {
          checkModel(payload.contact, SENDER, `${type}.contact`);
          for (const attachment of payload.attachments as unknown[]) {
            checkModel(attachment, ATTACHMENT, `${type}.attachments[]`);
            expect((attachment as { message_id: string }).message_id).toBe(payload.id);
          }
          for (const reaction of payload.reactions as Array<Record<string, unknown>>) {
            for (const users of Object.values(reaction))
              expect(users).toEqual(expect.arrayContaining([expect.any(String)]));
          }
        }
        if (resource === 'group') {
          expect((payload.contacts as unknown[]).length).toBeGreaterThanOrEqual(2);
          for (const member of payload.contacts as unknown[]) checkModel(member, CONTACT, `${type}.contacts[]`);
        }
      }
    },
  );

  it('keeps timestamps in order: created before read, updated and archived, all at or before now', () => {
    for (const type of ['message.updated', 'message.deleted', 'conversation.deleted', 'group.deleted'] as const) {
      for (const event of samples(type, 100)) {
        const p = event.payload as unknown as Record<string, number | null>;
        for (const later of ['read_at', 'updated_at', 'archived_at', 'last_active_at', 'last_opened_at']) {
          if (typeof p[later] === 'number') expect(p[later], `${type}.${later}`).toBeGreaterThanOrEqual(p.created_at!);
        }
      }
    }
  });

  it('makes created events fresh and updated messages edited just now', () => {
    for (const event of samples('message.created', 30)) {
      const p = event.payload as unknown as Record<string, unknown>;
      expect(NOW - (p.created_at as number)).toBeLessThanOrEqual(5);
      expect(p.updated_at).toBeNull();
      expect(p.read_at).toBeNull();
    }
    for (const event of samples('message.updated', 30)) {
      const p = event.payload as unknown as Record<string, number>;
      expect(NOW - p.updated_at!).toBeLessThanOrEqual(5);
      expect(p.updated_at).toBeGreaterThan(p.created_at!);
    }
  });

  it('links conversations to either a contact or a group, never both', () => {
    for (const event of samples('conversation.updated', 100)) {
      const p = event.payload as unknown as Record<string, unknown>;
      expect((p.contact_id === null) !== (p.group_id === null)).toBe(true);
    }
  });

  it('puts asset URLs under https://assets.oblic.chat/ and attachment files under their own id', () => {
    for (const event of samples('attachment.created', 40)) {
      const p = event.payload as unknown as Record<string, string>;
      expect(p.file_url!.startsWith(`https://assets.oblic.chat/attachments/${p.id}/`)).toBe(true);
      expect(p.file_type).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
    }
  });

  it('varies its data and includes non-ASCII text in some messages', () => {
    const texts = samples('message.created', 200).map((event) => (event.payload as { message: string }).message);
    expect(new Set(texts).size).toBeGreaterThan(15);
    expect(texts.some((text) => /[^\x00-\x7f]/.test(text))).toBe(true);
    expect(texts.some((text) => /^[\x00-\x7f]*$/.test(text))).toBe(true);
  });
});

describe('createEventSource()', () => {
  it('gives the same bytes for the same seed and other bytes for another seed, whatever the clock', () => {
    const a = createEventSource({ types: ['message.created', 'group.updated'], seed: 7, now: 1 });
    const b = createEventSource({ types: ['message.created', 'group.updated'], seed: 7, now: 2 });
    const c = createEventSource({ types: ['message.created', 'group.updated'], seed: 8, now: 1 });
    for (let i = 0; i < 4; i++) {
      expect(a(i).bytes.equals(b(i).bytes)).toBe(true);
      expect(a(i).bytes.equals(c(i).bytes)).toBe(false);
    }
    expect(JSON.parse(a(0).bytes.toString()).payload.created_at).toBeLessThanOrEqual(SEEDED_NOW);
  });

  it('cycles through the types and makes a fresh event every time', () => {
    const source = createEventSource({ types: ['contact.created', 'group.deleted'], now: NOW });
    const bodies = Array.from({ length: 6 }, (_, i) => source(i));
    expect(bodies.map((b) => b.type)).toEqual([
      'contact.created',
      'group.deleted',
      'contact.created',
      'group.deleted',
      'contact.created',
      'group.deleted',
    ]);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(6);
  });

  it('applies --set assignments and reports the id and type the body ends up with', () => {
    const source = createEventSource({
      types: ['message.created'],
      now: NOW,
      assignments: [
        { path: ['payload', 'message'], value: 'hi', raw: '' },
        { path: ['id'], value: 'AAAAAAAAAAAAAAAA', raw: '' },
      ],
    });
    const body = source(0);
    expect(JSON.parse(body.bytes.toString()).payload.message).toBe('hi');
    expect(body.id).toBe('AAAAAAAAAAAAAAAA');
  });
});
