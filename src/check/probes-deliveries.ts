import { formatBytes } from '../base/text.js';
import { EVENT_TYPES, type EventType } from '../oblic/events.js';
import type { Craft, EventObject } from './craft.js';
import {
  accepts,
  answerOf,
  crashFix,
  firstBodyLine,
  type Grade,
  gradeEach,
  graded,
  inTurn,
  type Probe,
  rejects,
  statusesOf,
  unexpected,
} from './probe.js';

// The probes of delivery and of what the body may hold: every type, what Oblic may add, what is not
// an event, repeats, a burst, a large event, and the time all of it took.

const TYPES: readonly EventType[] = EVENT_TYPES.map((info) => info.type);

const crashed = (what: string) => crashFix(what, 'answer 2xx to what you do not know and 400 to what is not an event');

/** A message.created with 100 attachments and 65,536 characters of text in several scripts. */
function largeMessage(craft: Craft): EventObject {
  const event = craft.event('message.created');
  const message = event.payload as EventObject;
  const paragraph = 'Grüße aus München, ¿qué tal? Ça va ! 東京で会いましょう。 Привет из Москвы. مرحبا بالعالم. ';
  message.message = paragraph.repeat(Math.ceil(65_536 / paragraph.length)).slice(0, 65_536);
  message.attachments = Array.from({ length: 100 }, () => {
    const attachment = craft.event('attachment.created').payload as EventObject;
    return { ...attachment, message_id: message.id, created_at: message.created_at };
  });
  return event;
}

/** Valid events with fields today's models do not have, at each level. */
function withUnknownFields(craft: Craft): Array<{ label: string; event: EventObject; change: string }> {
  const envelope = craft.event('contact.updated');
  const payload = craft.event('conversation.updated');
  const nested = craft.event('message.updated');
  const members = craft.event('group.updated');
  const attachment = craft.event('attachment.created').payload as EventObject;
  const sender = (nested.payload as EventObject).contact as EventObject;
  Object.assign(envelope, { api_version: '2027-01', created_at: 1_767_225_600 });
  Object.assign(payload.payload as EventObject, { folder: { id: craft.random().id(), name: 'Work' }, unread_count: 3 });
  Object.assign(sender, { status: 'online' });
  (nested.payload as EventObject).attachments = [{ ...attachment, width: 1280, height: 720, thumbnail_url: null }];
  for (const contact of (members.payload as EventObject).contacts as EventObject[]) contact.role = 'member';
  return [
    { label: 'in the envelope', event: envelope, change: 'new top-level fields api_version and created_at' },
    { label: 'in the payload', event: payload, change: 'new payload fields folder (an object) and unread_count' },
    {
      label: 'in nested objects',
      event: nested,
      change: 'payload.contact.status and attachments[0].width/height/thumbnail_url',
    },
    { label: 'in every array item', event: members, change: 'payload.contacts[*].role' },
  ];
}

/** What an answer's body says went wrong: its JSON `error` or `message` (up to 300 characters), else its first line. */
function errorOf(body: Buffer | null): string | null {
  try {
    const { error, message } = JSON.parse(body?.toString('utf8') ?? '') as { error?: unknown; message?: unknown };
    const said = typeof error === 'string' ? error : message;
    if (typeof said === 'string' && said !== '') return said.length > 300 ? `${said.slice(0, 299)}…` : said;
  } catch {
    // Not JSON: its first line will do.
  }
  return firstBodyLine(body);
}

export const DELIVERY_PROBES: readonly Probe[] = [
  {
    id: 'accepts-every-type',
    group: 'deliveries',
    title: 'accepts each of the 15 event types',
    sends: 'a fresh, validly signed sample of each of the 15 event types',
    gate: true,
    build: (craft) => inTurn(TYPES.map((type) => craft.signed(type, craft.event(type)))),
    expects: accepts,
    grade: (exchanges, context) =>
      gradeEach(exchanges, context, (bad) => {
        const statuses = new Set(bad.map(({ result }) => result.status));
        const every = bad.length === exchanges.length;
        const url = bad[0]!.sent.request.url;
        // A query string (?token=…) is the one other thing in a delivery the app may check.
        const query = url.search
          ? `, or the URL's query string (${url.search.slice(0, 60)}) is not what it expects`
          : '';
        if (every && [...statuses].every((s) => s === 401 || s === 403))
          return `every validly signed event was refused (${statusesOf(bad)}): the endpoint verifies with another secret than ${context.signingWith ?? 'the one check signs with'} (use the secret as given: no prefix stripped, nothing base64-decoded), or verifies something other than the raw body${query}`;
        if (every && [...statuses].every((s) => s === 404 || s === 405))
          return `nothing takes a POST at ${url.pathname} (${statusesOf(bad)}): check the path of the URL, or that the handler sets a status (Koa answers 404 to one that sets none)`;
        if (every && statuses.size === 1 && answerOf(bad[0]!.result) === 'rejected')
          return `every validly signed event was refused with ${statusesOf(bad)}: the endpoint refuses what Oblic sends, which carries only content-type and x-oblic-signature (does it require another header, a user-agent, a token?)${query}`;
        // One answer to every type, word for word: the endpoint fails before it looks at the event.
        const bodies = new Set(bad.map(({ result }) => errorOf(result.body)));
        const [said] = bodies;
        if (every && statuses.size === 1 && bodies.size === 1 && said)
          return `every event got the same ${statusesOf(bad)} answer, whatever its type, so the endpoint fails before it looks at the event (a body parser that ran first, a setting): its answer says ${said}`;
        const types = bad.map(({ sent }) => sent.label).join(', ');
        return `the endpoint fails ${types}: see its log; answer 2xx to every verified event, including the types you ignore`;
      }),
  },
  {
    id: 'rejects-invalid-json',
    group: 'robustness',
    title: 'refuses a signed body that is not an event, without crashing',
    sends: 'a validly signed body that is not JSON, one that is JSON but not an event, and an event with no type',
    build: (craft) => {
      const event = craft.event('message.created');
      const cut = JSON.stringify(event).slice(0, 60);
      const stranger = { greeting: 'hello, world' };
      // A type Oblic may add is still <resource>.<action>; an event with none is no event at all.
      const { type: _type, ...typeless } = craft.event('message.created');
      return inTurn([
        craft.signed('not JSON', {}, { bytes: cut, change: 'an event cut off after 60 bytes' }),
        craft.signed('JSON, not an event', stranger, { change: JSON.stringify(stranger) }),
        craft.signed('an event with no type', typeless, { change: 'a message.created without its type' }),
      ]);
    },
    expects: rejects,
    grade: graded((bad) => {
      const fixes = [
        bad.some(({ result }) => accepts(result))
          ? 'the endpoint answers 2xx to a signed body that is not an Oblic event, so it acts on whatever parses; check it is an event (parseEvent) and answer 400'
          : null,
        bad.some(({ result }) => answerOf(result) === 'server-error') ? crashed('a body that is not an event') : null,
      ].filter((fix) => fix !== null);
      return fixes.length > 0 ? fixes.join('; and ') : null;
    }, false),
  },
  {
    id: 'tolerates-unknown-fields',
    group: 'compatibility',
    title: 'accepts events with fields it does not know',
    sends: 'valid events with extra fields in the envelope, the payload, nested objects and array items',
    build: (craft) =>
      inTurn(withUnknownFields(craft).map(({ label, event, change }) => craft.signed(label, event, { change }))),
    expects: accepts,
    grade: graded((bad) =>
      bad.some(({ result }) => answerOf(result) === 'server-error')
        ? crashed('a field it does not know')
        : 'the endpoint refuses events with fields it does not know: Oblic may add fields at any level; read what you use and ignore the rest (no additionalProperties: false, no .strict() schema)',
    ),
  },
  {
    id: 'tolerates-unknown-type',
    group: 'compatibility',
    title: 'accepts an event type Oblic may add',
    sends: 'validly signed events of types Oblic may add: message.reacted and poll.created',
    build: (craft) => {
      const reacted = { ...craft.event('message.updated'), type: 'message.reacted' };
      const poll = {
        id: craft.random().id(),
        type: 'poll.created',
        payload: { id: craft.random().id(), question: 'Lunch?', options: ['yes', 'no'], created_at: 1_767_225_600 },
      };
      return inTurn([
        craft.signed('message.reacted', reacted, { change: 'a new action of a known resource' }),
        craft.signed('poll.created', poll, { change: 'a new resource' }),
      ]);
    },
    expects: accepts,
    grade: (exchanges, context): Grade => {
      const bad = unexpected(exchanges);
      const refused = bad.length > 0 && bad.every(({ result }) => answerOf(result) === 'rejected');
      if (!refused)
        return gradeEach(exchanges, context, () =>
          crashed('an event type it does not know (a switch whose default throws?)'),
        );
      return {
        verdict: 'warn',
        detail: `${bad.length} of ${exchanges.length} answered ${statusesOf(bad)}`,
        fix: 'the endpoint refuses event types it does not know: Oblic may add types, and a sender may retry or disable an endpoint that refuses events; answer 2xx and ignore them',
      };
    },
  },
  {
    id: 'handles-duplicates',
    group: 'deliveries',
    title: 'accepts the same delivery twice, in a row and at once',
    sends: 'one delivery twice in a row, another twice at once, byte for byte the same',
    build: (craft) => {
      const first = craft.signed('first', craft.event('message.created'));
      const other = craft.signed('twice at once', craft.event('contact.created'));
      return [
        { atOnce: false, requests: [first] },
        { atOnce: false, requests: [{ ...first, label: 'again, after the first was answered' }] },
        { atOnce: true, requests: [other, other] },
      ];
    },
    expects: accepts,
    grade: graded(
      (bad) =>
        `the endpoint fails a repeated delivery (${statusesOf(bad)}): Oblic delivers at least once, and a retry is the same bytes; remember the event ids you handled and answer 2xx to a repeat without doing the work again`,
    ),
  },
  {
    id: 'handles-burst',
    group: 'deliveries',
    title: 'accepts 50 deliveries at once',
    sends: '50 fresh deliveries of every type, all at once',
    alone: true,
    build: (craft) => [
      {
        atOnce: true,
        requests: Array.from({ length: 50 }, (_, i) => {
          const type = TYPES[i % TYPES.length]!;
          return craft.signed(type, craft.event(type));
        }),
      },
    ],
    expects: accepts,
    grade: graded(
      (bad) =>
        `${bad.length} of the 50 deliveries sent at once failed: the endpoint cannot take a burst (a small pool, a lock, a rate limit); answer at once and queue the work`,
    ),
  },
  {
    id: 'large-event',
    group: 'robustness',
    title: 'accepts a large event',
    sends: 'a message with 100 attachments and 65,536 characters of text (about 130 kB, under 1 MiB)',
    build: (craft) => {
      const event = largeMessage(craft);
      const size = Buffer.byteLength(JSON.stringify(event));
      return inTurn([
        craft.signed('large message', event, {
          change: `${formatBytes(size)}: 100 attachments, 65,536 characters of text`,
        }),
      ]);
    },
    expects: accepts,
    grade: graded((bad) =>
      bad.some(({ result }) => result.status === 401 || result.status === 403)
        ? 'the signature of the large event did not verify, though it was signed as every other: does the app verify a body cut short at a size limit, or only part of it? verify every byte received'
        : 'the endpoint fails a large event: a message may carry long text and many attachments; allow bodies of at least 1 MiB',
    ),
  },
];
