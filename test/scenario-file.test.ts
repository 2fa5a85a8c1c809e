import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { serveEach } from './helpers/server.js';

const SECRET = 'scenario-secret-1f0c';
const env = { OBLIC_WEBHOOK_SECRET: SECRET };
const serve = serveEach();
/** `${name.path}` as a scenario file writes it. */
const ref = (path: string): string => `$\{${path}}`;

function scenarioFile(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'oblic-hooks-scenario-')), 'my.json');
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** Runs a scenario file against a server that answers by `status(type)`; returns the run and what it got. */
async function runFile(value: unknown, status: (type: string) => number = () => 200) {
  const server = await serve((request, response) => {
    const { type } = JSON.parse(request.body.toString()) as { type: string };
    response.writeHead(status(type)).end();
  });
  const path = scenarioFile(value);
  const result = await runCli(['scenario', 'run', path, '--to', server.url, '--seed', '1'], { env });
  return { result, received: server.received, path };
}

const chat = [
  { event: 'contact.created', as: 'c1' },
  { event: 'conversation.created' },
  { event: 'message.created', as: 'm' },
];

describe('scenario run <file>: a bad file is exit 2 with the path of the problem, and nothing is sent', () => {
  const cases: Array<[string, unknown, string]> = [
    [
      'a reference to no earlier step',
      {
        name: 'x',
        steps: [...chat, { event: 'conversation.updated', set: { 'payload.contact_id': ref('c2.payload.id') } }],
      },
      'steps[3].set.payload.contact_id: no earlier step named "c2"; did you mean "c1"?',
    ],
    [
      'a reference to a field the event does not have',
      { steps: [...chat, { event: 'message.updated', set: { 'payload.message': `was: ${ref('m.payload.text')}` } }] },
      'steps[3].set.payload.message: the event of step "m" has no m.payload.text',
    ],
    [
      'a reference to a later step',
      {
        steps: [
          { event: 'contact.updated', set: { 'payload.id': ref('c1.payload.id') } },
          { event: 'contact.created', as: 'c1' },
        ],
      },
      'steps[0].set.payload.id: no earlier step named "c1"',
    ],
    [
      'an event type mistyped',
      { steps: [{ event: 'message.create' }] },
      'steps[0].event: "message.create" is not an Oblic event type; did you mean message.created?',
    ],
    [
      'an update of nothing created',
      { steps: [{ event: 'contact.created' }, { event: 'message.updated' }] },
      'steps[1]: message.updated needs a message created earlier in the run; add a message.created step before it',
    ],
    [
      'a message with no conversation',
      { steps: [{ event: 'message.created' }] },
      'steps[0]: message.created needs a conversation created earlier in the run to go in; add a conversation.created step before it',
    ],
    [
      'an update of what an earlier step deleted',
      {
        steps: [
          ...chat,
          { event: 'message.deleted', set: { 'payload.id': ref('m.payload.id') } },
          { event: 'message.created' },
          { event: 'message.updated', set: { 'payload.id': ref('m.payload.id') } },
        ],
      },
      'steps[5].set.payload.id: message ',
    ],
    [
      'a key mistyped',
      { steps: [{ evnt: 'contact.created' }] },
      'steps[0].evnt: is not a field of a step; did you mean "event"?',
    ],
    [
      'a wait that is no duration',
      { steps: [{ event: 'contact.created' }, { wait: '2 secs' }] },
      'steps[1].wait: "2 secs" is not a duration',
    ],
    [
      'a path that is not in the event',
      { steps: [{ event: 'contact.created', set: { 'payload.nope.x': 1 } }] },
      'steps[0].set.payload.nope.x: payload.nope does not exist',
    ],
    [
      'a value that breaks the model, with no expectation',
      { steps: [{ event: 'contact.created', set: { 'payload.created_at': 'yesterday' } }] },
      'steps[0].set: the event is no longer an Oblic event (payload.created_at should be',
    ],
    [
      'a name given twice',
      {
        steps: [
          { event: 'contact.created', as: 'a' },
          { event: 'contact.created', as: 'a' },
        ],
      },
      'steps[1].as: "a" names an earlier step already',
    ],
    [
      'an expectation that is no status',
      { steps: [{ event: 'contact.created', expect: 'ok' }] },
      'steps[0].expect: should be a status',
    ],
    [
      'too many steps',
      { steps: Array.from({ length: 10_001 }, () => ({ event: 'contact.created' })) },
      'steps: has 10001 steps; a scenario has at most 10000',
    ],
    ['no steps', { name: 'x', steps: [] }, 'steps: is empty'],
    ['not JSON', '{"steps": [', 'is not JSON'],
  ];
  for (const [what, file, message] of cases) {
    it(what, async () => {
      const { result, received, path } = await runFile(file);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.startsWith(`oblic-hooks: ${path}`)).toBe(true);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(received).toHaveLength(0);
    });
  }

  it('a file that cannot be read says so', async () => {
    const result = await runCli(['scenario', 'run', '/nonexistent/my.json'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^oblic-hooks: cannot read \/nonexistent\/my\.json: /);
  });
});

describe('scenario run <file>: set, references and expectations', () => {
  it('an expectation not met is reported and exits 1; one met is not a failure', async () => {
    const steps = [
      ...chat,
      { event: 'message.deleted', expect: '4xx' },
      { event: 'message.created', as: 'late', expect: '4xx' },
    ];
    const { result } = await runFile({ steps }, (type) => (type === 'message.deleted' ? 403 : 200));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/late +message\.created +\w{16} {2}200 {2}[\d.]+ ms {2}expected 4xx$/m);
    expect(result.stdout).not.toMatch(/message\.deleted.*expected/);
    expect(result.stderr).toContain('1 expectation not met');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('oblic-hooks: 1 expectation not met (of 5 events)');
  });

  it('every expectation met and every other event a 2xx: exit 0', async () => {
    const steps = [...chat, { event: 'message.deleted', expect: '403' }];
    const { result } = await runFile({ steps }, (type) => (type === 'message.deleted' ? 403 : 200));
    expect(result.code).toBe(0);
  });

  it('an event without an expectation that gets no 2xx fails the run', async () => {
    const { result } = await runFile({ steps: chat }, (type) => (type === 'message.created' ? 500 : 200));
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('oblic-hooks: 1 event got no 2xx (of 3 events)');
  });

  it('a set value is kept in the world, references fill in, and payload.id picks what an update is about', async () => {
    const steps = [
      ...chat,
      { event: 'message.created', as: 'second', set: { 'payload.message': `reply to ${ref('m.payload.id')}` } },
      { event: 'message.updated', set: { 'payload.id': ref('m.payload.id'), 'payload.read_at': ref('now') } },
      { event: 'message.deleted', set: { 'payload.id': ref('second.payload.id') } },
    ];
    const { result, received } = await runFile({ steps });
    expect(result.code).toBe(0);
    const events = received.map((r) => JSON.parse(r.body.toString()) as { payload: Record<string, unknown> });
    const [first, second, updated, deleted] = events.slice(2);
    expect(second!.payload.message).toBe(`reply to ${first!.payload.id}`);
    expect(updated!.payload.id).toBe(first!.payload.id);
    expect(updated!.payload.message).toBe(first!.payload.message); // the step set fields of its own: no text change
    expect(updated!.payload.read_at).toBe(updated!.payload.updated_at);
    expect(deleted!.payload).toEqual(second!.payload);
  });

  it('a value that breaks the model is sent when the step expects a 4xx', async () => {
    const steps = [{ event: 'contact.created', set: { 'payload.created_at': 'yesterday' }, expect: '4xx' }];
    const { result, received } = await runFile({ steps }, () => 400);
    expect(result.code).toBe(0);
    expect(JSON.parse(received[0]!.body.toString()).payload.created_at).toBe('yesterday');
  });
});

describe('the README', () => {
  it("its scenario file runs as shown, and its error lines are the program's", async () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const file = /```json\n(\{\n {2}"name": "edit-then-delete"[\s\S]*?)```/.exec(readme)![1]!;
    const { result, received } = await runFile(file);
    expect(result.stderr).not.toContain('oblic-hooks:');
    expect(result.code).toBe(0);
    expect(received).toHaveLength(5);
    const files = [
      [...chat, { event: 'conversation.updated', set: { 'payload.contact_id': ref('c2.payload.id') } }],
      [{ event: 'contact.created' }, { event: 'message.updated' }],
      [{ event: 'message.create' }],
    ];
    for (const steps of files) {
      const { result: bad, path } = await runFile({ steps });
      expect(bad.code).toBe(2);
      expect(readme).toContain(`\n${bad.stderr.replace(path, 'my.json')}`);
    }
  });
});
