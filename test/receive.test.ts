import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createEventSource } from '../src/samples/bodies.js';
import { EVENT_TYPES, type EventType } from '../src/oblic/events.js';
import type { Message, OblicEvent } from '../src/oblic/models.js';
import { parseEvent } from '../src/oblic/parse.js';
import { verifyRequest } from '../src/signing/verify-request.js';
import { anyEventSchema, eventSchema } from '../src/oblic/schema.js';
import { runCli } from './helpers/cli.js';
import { readmeExample, startExample } from './readme-examples.js';

const SECRET = 'receive-test-secret-8080';
const sample = (type: EventType) => createEventSource({ types: [type], now: 1_780_000_000, seed: 3 })(0).bytes;
const sig = (body: Buffer | string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

describe('types', () => {
  it('narrowing on type gives the payload its model', () => {
    const check = (event: OblicEvent) => {
      if (event.type === 'message.created') {
        expectTypeOf(event.payload).toEqualTypeOf<Message>();
        expectTypeOf(event.payload.contact.username).toBeString();
        expectTypeOf(event.payload.read_at).toEqualTypeOf<number | null>();
      }
      if (event.type === 'group.deleted')
        expectTypeOf(event.payload.contacts[0]!.display_name).toEqualTypeOf<string | null>();
      // @ts-expect-error: a contact event has no message text
      if (event.type === 'contact.created') void event.payload.message;
    };
    expect(typeof check).toBe('function');
  });
});

describe('parseEvent()', () => {
  it.each(EVENT_TYPES.map((t) => t.type))('accepts every sample %s: the factory and the models agree', (type) => {
    const result = parseEvent(sample(type));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.type).toBe(type);
  });

  it.each([
    ['not JSON', '{nope', 'invalid_json', null],
    ['an array', '[]', 'not_an_object', null],
    ['a short id', '{"id":"abc","type":"message.created","payload":{}}', 'invalid_id', 'id'],
    ['an unknown type', '{"id":"a056V7R7NmNRjl70","type":"payment.succeeded","payload":{}}', 'unknown_type', 'type'],
    // Not a type Oblic may add: no type, a number, no dot.
    ['no type', '{"id":"a056V7R7NmNRjl70","payload":{}}', 'invalid_type', 'type'],
    ['a number as type', '{"id":"a056V7R7NmNRjl70","type":42,"payload":{}}', 'invalid_type', 'type'],
    ['a type without a dot', '{"id":"a056V7R7NmNRjl70","type":"message","payload":{}}', 'invalid_type', 'type'],
  ])('rejects %s with a typed error', (_name, body, code, path) => {
    const result = parseEvent(body);
    expect(result).toMatchObject({ ok: false, error: { code, path } });
  });

  it('names the path of a missing or mistyped payload field', () => {
    const event = JSON.parse(sample('message.created').toString());
    event.payload.contact.created_at = 'yesterday';
    expect(parseEvent(JSON.stringify(event))).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', path: 'payload.contact.created_at' },
    });
    event.payload.contact.created_at = 692233200;
    delete event.payload.attachments;
    expect(parseEvent(event)).toMatchObject({
      ok: false,
      error: { path: 'payload.attachments', message: 'payload.attachments is missing' },
    });
  });

  it('lets fields Oblic may add later through', () => {
    const event = JSON.parse(sample('contact.created').toString());
    event.payload.pronouns = 'they/them';
    expect(parseEvent(event).ok).toBe(true);
  });
});

describe('JSON Schemas', () => {
  it('describe every model with exactly the contract fields (written out again here)', () => {
    const schema = anyEventSchema() as { oneOf: unknown[]; $defs: Record<string, { required: string[] }> };
    expect(schema.oneOf).toHaveLength(15);
    expect(schema.$defs.attachment!.required).toEqual([
      'id',
      'message_id',
      'filename',
      'file_url',
      'file_type',
      'file_size',
      'created_at',
    ]);
    expect(schema.$defs.conversation!.required).toEqual([
      'id',
      'contact_id',
      'group_id',
      'pinned_message_id',
      'is_pinned',
      'is_muted',
      'last_active_at',
      'last_opened_at',
      'created_at',
      'archived_at',
    ]);
    expect(eventSchema('group.updated')).toMatchObject({
      properties: { type: { const: 'group.updated' }, payload: { $ref: '#/$defs/group' } },
    });
  });

  it('oblic-hooks schema prints it, and suggests the nearest type on a typo', async () => {
    const ok = await runCli(['schema', 'message.created']);
    expect(JSON.parse(ok.stdout)).toEqual(eventSchema('message.created'));
    const typo = await runCli(['schema', 'mesage.created']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('oblic-hooks: unknown event type "mesage.created"; did you mean message.created?\n');
  });
});

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});
async function serve(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const post = (url: string, body: Buffer | string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('verifyRequest()', () => {
  const body = sample('message.created');

  it('in Express with express.raw(): valid, tampered, missing header', async () => {
    const app = express();
    app.post('/hooks', express.raw({ type: 'application/json' }), async (req, res) => {
      const result = await verifyRequest(req, { secrets: SECRET });
      res.status(result.verified ? 200 : 401).json({ reason: result.reason, type: result.event?.type ?? null });
    });
    const url = `${await serve(createServer(app))}/hooks`;
    expect(await (await post(url, body, { 'x-oblic-signature': sig(body) })).json()).toEqual({
      reason: null,
      type: 'message.created',
    });
    const tampered = await post(url, Buffer.concat([body, Buffer.from(' ')]), { 'x-oblic-signature': sig(body) });
    expect([tampered.status, ((await tampered.json()) as { reason: string }).reason]).toEqual([401, 'mismatch']);
    const missing = await post(url, body, {});
    expect([missing.status, ((await missing.json()) as { reason: string }).reason]).toEqual([401, 'missing_signature']);
  });

  it('in Express with express.json(): says clearly that a parsed body cannot be checked', async () => {
    const app = express();
    app.post('/hooks', express.json(), async (req, res) => {
      try {
        await verifyRequest(req, { secrets: SECRET });
        res.sendStatus(200);
      } catch (error) {
        res.status(500).send((error as Error).message);
      }
    });
    const response = await post(`${await serve(createServer(app))}/hooks`, body, { 'x-oblic-signature': sig(body) });
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(
      /^req\.body is already parsed.*express\.raw\(\{ type: 'application\/json' \}\)/,
    );
  });

  it('on a plain node:http request, reading the raw body itself', async () => {
    const url = await serve(
      createServer(async (req, res) => {
        const result = await verifyRequest(req, { secrets: ['old-secret-1111', SECRET] });
        res
          .writeHead(result.verified ? 200 : 401)
          .end(JSON.stringify({ matched: result.matchedSecret, reason: result.reason }));
      }),
    );
    expect(await (await post(url, body, { 'x-oblic-signature': sig(body) })).json()).toEqual({
      matched: 1,
      reason: null,
    });
    expect((await post(url, body, { 'x-oblic-signature': sig(body, 'wrong') })).status).toBe(401);
  });

  it('on a Web Request', async () => {
    const request = (b: Buffer, headers: Record<string, string>) =>
      new Request('http://x/hooks', { method: 'POST', headers, body: new Uint8Array(b) });
    const ok = await verifyRequest(request(body, { 'x-oblic-signature': sig(body) }), { secrets: SECRET });
    expect(ok).toMatchObject({ verified: true, matchedSecret: 0, event: { type: 'message.created' } });
    const upper = await verifyRequest(request(body, { 'x-oblic-signature': ` ${sig(body).toUpperCase()} ` }), {
      secrets: SECRET,
    });
    expect(upper.verified).toBe(true);
    const tampered = await verifyRequest(
      request(Buffer.concat([body, Buffer.from('\n')]), { 'x-oblic-signature': sig(body) }),
      { secrets: SECRET },
    );
    expect(tampered.reason).toBe('mismatch');
    expect((await verifyRequest(request(body, {}), { secrets: SECRET })).reason).toBe('missing_signature');
    await expect(verifyRequest(request(body, {}), { secrets: [] })).rejects.toThrow(TypeError);
  });
});

// The createWebhooks examples, one per framework, run in webhooks-examples.test.ts.
describe("the README's verifyRequest example, run as written", () => {
  it('a signed send gets 2xx, a wrongly signed one 401, and check finds no failure', async () => {
    const { port, child } = await startExample('verify-request.mjs', readmeExample('verify-request'), SECRET);
    try {
      const good = await runCli(['send', 'message.created', '--to', `${port}/webhooks`, '--json'], {
        env: { OBLIC_WEBHOOK_SECRET: SECRET },
      });
      expect(good.code).toBe(0);
      const bad = await runCli(['send', 'message.created', '--to', `${port}/webhooks`, '--json'], {
        env: { OBLIC_WEBHOOK_SECRET: 'not-the-secret' },
      });
      expect(JSON.parse(bad.stdout).status).toBe(401);
      expect(await failedProbes(`${port}/webhooks`)).toEqual([]);
    } finally {
      child.kill();
    }
  });
});

/** The probes `oblic-hooks check` fails at `target` (warnings aside), with the examples' secret. */
async function failedProbes(target: string): Promise<string[]> {
  const run = await runCli(['check', target, '--json'], { env: { OBLIC_WEBHOOK_SECRET: SECRET } });
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind: string; id: string; verdict: string });
  expect(lines.filter((line) => line.kind === 'probe')).toHaveLength(13);
  return lines.filter((line) => line.verdict === 'fail' || line.verdict === 'warn').map((line) => line.id);
}
