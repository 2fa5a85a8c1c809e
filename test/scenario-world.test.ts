import { describe, expect, it } from 'vitest';
import { parseEvent } from '../src/oblic/parse.js';
import { BUILTIN_SCENARIOS, scenarioFile } from '../src/scenario/builtins.js';
import { parseScenario, type Step } from '../src/scenario/file.js';
import { type PlannedDelivery, planScenario } from '../src/scenario/plan.js';
import { createRandom } from '../src/samples/random.js';
import { runCli } from './helpers/cli.js';
import { serveEach, signatureOf } from './helpers/server.js';

// A receiver that rebuilds the world from what it was sent, as an app would, and holds each event
// to the models (issue 16): a message's conversation was created earlier, an update or deletion is of
// an object created earlier and still there, updated_at moves forward, a deletion carries the
// object as it last was.

const SECRET = 'scenario-secret-1f0c';
const serve = serveEach();

type Obj = Record<string, unknown> & { id: string };
interface Event {
  id: string;
  type: string;
  payload: Obj;
}

/** Rebuilds the world from the events in the order received; returns every broken link found. */
function rebuild(events: Event[]): { problems: string[]; types: Set<string> } {
  const live = new Map<string, Map<string, Obj>>();
  const store = (resource: string) => live.get(resource) ?? live.set(resource, new Map()).get(resource)!;
  const problems: string[] = [];
  const types = new Set<string>();
  let clock = 0;
  for (const [i, { type, payload }] of events.entries()) {
    types.add(type);
    const [resource, action] = type.split('.') as [string, string];
    const where = `event ${i} (${type} ${payload.id})`;
    const objects = store(resource);
    const before = objects.get(payload.id);
    if (typeof payload.created_at === 'number') {
      if (action === 'created' && payload.created_at < clock)
        problems.push(`${where}: created before the event before it`);
      if (action === 'created') clock = payload.created_at;
    }
    if (action === 'created') {
      if (before) problems.push(`${where}: created twice`);
      objects.set(payload.id, payload);
    } else if (!before) {
      problems.push(`${where}: no ${resource} with this id was created earlier in the run`);
      continue;
    }
    if (action === 'updated') {
      if (JSON.stringify(before) === JSON.stringify(payload)) problems.push(`${where}: nothing changed`);
      if (resource === 'message') {
        const previous = (before!.updated_at ?? before!.created_at) as number;
        if (!((payload.updated_at as number) > previous)) problems.push(`${where}: updated_at did not move forward`);
      }
      objects.set(payload.id, payload);
    }
    if (action === 'deleted') {
      if (JSON.stringify(before) !== JSON.stringify(payload))
        problems.push(
          `${where}: not the object as it last was:\n  ${JSON.stringify(before)}\n  ${JSON.stringify(payload)}`,
        );
      objects.delete(payload.id);
    }
    follow(store, resource, action, payload, where, problems);
  }
  return { problems, types };
}

/** What an event implies for the other objects the receiver holds, as the models say. */
function follow(
  store: (resource: string) => Map<string, Obj>,
  resource: string,
  action: string,
  payload: Obj,
  where: string,
  problems: string[],
): void {
  if (resource === 'message' && action === 'created') {
    const conversation = store('conversation').get(payload.conversation_id as string);
    if (!conversation) problems.push(`${where}: its conversation_id is no conversation created earlier`);
    else conversation.last_active_at = payload.created_at;
    // The sender was active just now: its contact, and its copy in each group it is in, say so.
    const senderId = (payload.contact as Obj).id;
    const sender = store('contact').get(senderId);
    if (sender) sender.last_active_at = payload.created_at;
    for (const group of store('group').values())
      for (const member of group.contacts as Obj[])
        if (member.id === senderId) member.last_active_at = payload.created_at;
  }
  if (resource === 'message' && action === 'deleted') {
    for (const conversation of store('conversation').values())
      if (conversation.pinned_message_id === payload.id) conversation.pinned_message_id = null;
  }
  if (resource === 'conversation' && action === 'created') {
    const owner = payload.contact_id
      ? store('contact').get(payload.contact_id as string)
      : store('group').get(payload.group_id as string);
    if (!owner) problems.push(`${where}: its contact or group was not created earlier`);
    else if (owner.conversation_id !== payload.id) {
      // A conversation opened again after its deletion is a new one: its owner's conversation_id follows.
      if (store('conversation').has(owner.conversation_id as string))
        problems.push(`${where}: its owner has conversation ${owner.conversation_id} open`);
      owner.conversation_id = payload.id;
      for (const group of store('group').values())
        for (const member of group.contacts as Obj[]) if (member.id === owner.id) member.conversation_id = payload.id;
    }
  }
  if (resource === 'attachment') {
    const message = store('message').get(payload.message_id as string);
    if (!message) {
      if (action === 'created') problems.push(`${where}: its message was not created earlier`);
      return;
    }
    const others = (message.attachments as Obj[]).filter((a) => a.id !== payload.id);
    message.attachments = action === 'deleted' ? others : [...others, payload];
  }
  if (resource === 'group' && action !== 'deleted') {
    for (const member of payload.contacts as Obj[])
      if (!store('contact').has(member.id)) problems.push(`${where}: member ${member.id} was not created earlier`);
  }
  if (resource === 'contact' && action !== 'created') {
    for (const group of store('group').values()) {
      const members = group.contacts as Obj[];
      group.contacts =
        action === 'deleted'
          ? members.filter((member) => member.id !== payload.id)
          : members.map((member) => (member.id === payload.id ? payload : member));
    }
  }
}

async function received(name: string, seed = 7): Promise<Buffer[]> {
  const server = await serve((_request, response) => response.writeHead(204).end());
  const result = await runCli([
    'scenario',
    'run',
    name,
    '--to',
    server.url,
    '--seed',
    String(seed),
    '--secret',
    SECRET,
  ]);
  expect(result.stderr).not.toContain('internal error');
  expect(result.code).toBe(0);
  for (const request of server.received)
    expect(request.headers['x-oblic-signature']).toBe(signatureOf(SECRET, request.body));
  return server.received.map((request) => request.body);
}

describe('scenario run: the world a receiver rebuilds from what it got', () => {
  for (const scenario of BUILTIN_SCENARIOS) {
    it(`${scenario.name}: every event is an Oblic event and every id links as the models require`, async () => {
      const bodies = await received(scenario.name);
      expect(bodies).toHaveLength(scenario.steps.filter((step) => 'event' in step).length);
      const events = bodies.map((body) => {
        const parsed = parseEvent(body);
        expect(parsed.ok ? null : parsed.error).toBeNull();
        return JSON.parse(body.toString()) as Event;
      });
      expect(events.map((event) => event.type)).toEqual(
        scenario.steps.flatMap((step) => ('event' in step ? [step.event] : [])),
      );
      const { problems, types } = rebuild(events);
      expect(problems).toEqual([]);
      if (scenario.name === 'everything') expect(types.size).toBe(15);
    });
  }

  it('group: members join and leave through group.updated', async () => {
    const events = (await received('group')).map((body) => JSON.parse(body.toString()) as Event);
    const groups = events.filter((event) => event.type.startsWith('group.'));
    const members = groups.map((event) => (event.payload.contacts as Obj[]).map((member) => member.id));
    const [created, joined, left] = members as [string[], string[], string[]];
    expect(joined).toEqual([...created, joined.at(-1)]);
    expect(left).toEqual(joined.slice(1));
  });

  it('conversation: the edited message is the one deleted, and the conversation is archived before it is deleted', async () => {
    const events = (await received('conversation')).map((body) => JSON.parse(body.toString()) as Event);
    const byType = (type: string) => events.filter((event) => event.type === type);
    const [edited] = byType('message.updated');
    const [deleted] = byType('message.deleted');
    expect(deleted!.payload).toEqual(edited!.payload);
    const created = byType('message.created').find((event) => event.payload.id === edited!.payload.id)!;
    expect(edited!.payload.message).not.toBe(created.payload.message);
    const [archived] = byType('conversation.updated');
    expect(archived!.payload.archived_at).toBeTypeOf('number');
    expect(byType('conversation.deleted')[0]!.payload.archived_at).toBe(archived!.payload.archived_at);
    expect(byType('attachment.created')).toHaveLength(1);
  });
});

describe('planScenario', () => {
  it('plans every built-in as it plans the file `scenario show` prints of it, byte for byte', () => {
    for (const scenario of BUILTIN_SCENARIOS) {
      const file = parseScenario(scenarioFile(scenario), 'show.json');
      const bytes = (s: typeof scenario) =>
        planScenario(s, { seed: 42, startMs: 1_767_225_600_000 }).map((d) => d.body.bytes.toString('base64'));
      expect(bytes(file)).toEqual(bytes(scenario));
    }
  });

  it('returns one delivery per event step with the simulated time before it: waits and the gaps between steps', () => {
    const plan = planScenario(
      {
        name: 'x',
        description: '',
        steps: [
          { wait: '5s' },
          { event: 'contact.created', as: 'a' },
          { wait: '2m' },
          { event: 'contact.updated', expect: '202' },
        ],
      },
      { seed: 1, startMs: 0 },
    );
    expect(plan.map(({ step, expect: want, body }) => ({ step, want, type: body.type }))).toEqual([
      { step: 'a', want: null, type: 'contact.created' },
      { step: 'steps[3]', want: '202', type: 'contact.updated' },
    ]);
    expect(plan[0]!.waitMs).toBe(5000);
    expect(plan[1]!.waitMs).toBeGreaterThan(120_000);
    expect(plan[1]!.waitMs).toBeLessThan(125_000);
    const [created, updated] = plan.map(
      (d) => JSON.parse(d.body.bytes.toString()) as { payload: Record<string, number> },
    );
    expect(created!.payload.created_at).toBe(5);
    expect(updated!.payload.last_active_at).toBe(Math.floor((5000 + plan[1]!.waitMs) / 1000));
  });
});

describe('the world, over random scenarios', () => {
  it('every event it builds is an Oblic event, and a receiver finds every link whole (20 seeded scenarios of 300 steps)', () => {
    const types = BUILTIN_SCENARIOS[3]!.steps.flatMap((step) => ('event' in step ? [step.event] : []));
    for (let seed = 1; seed <= 20; seed++) {
      const rng = createRandom(seed);
      const steps: Step[] = [];
      for (let i = 0; i < 300; i++) {
        // Creations half the time, so there is mostly something to update or delete.
        const pool = rng.chance(0.5) ? types.filter((type) => type.endsWith('.created')) : types;
        steps.push(rng.chance(0.05) ? { wait: `${rng.int(1, 90)}s` } : { event: rng.pick(pool) });
      }
      // A step that needs what the run has not made (or has deleted) is cut: a file with it is refused.
      let plan: PlannedDelivery[] | undefined;
      while (plan === undefined) {
        try {
          plan = planScenario({ name: 'random', description: '', steps }, { seed, startMs: 1_767_225_600_000 });
        } catch (error) {
          const at = /^steps\[(\d+)\]: /.exec((error as Error).message);
          expect((error as Error).message).toMatch(
            /needs a \w+ created earlier in the run|opens the conversation of a contact or group that has none open/,
          );
          steps.splice(Number(at![1]), 1);
        }
      }
      expect(plan.length).toBeGreaterThan(100);
      const events = plan.map((delivery) => {
        const parsed = parseEvent(delivery.body.bytes);
        expect(parsed.ok ? null : parsed.error).toBeNull();
        return JSON.parse(delivery.body.bytes.toString()) as Event;
      });
      expect(rebuild(events).problems).toEqual([]);
    }
  });
});
