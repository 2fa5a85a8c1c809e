// Issue 17: each adapter in its real framework, in this process, with the real framework's types
// (tsc checks that every adapter fits where the framework takes a handler): the raw body read
// right beside other parsers, and misuse answered 500 with the fix named.
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as serveHono } from '@hono/node-server';
import express5 from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooks, type Webhooks } from '../src/receive/adapters.js';
import { createEventSource } from '../src/samples/bodies.js';
import { post } from './helpers/deliver.js';

const SECRET = 'webhooks-frameworks-secret-17';
const sig = (bytes: Buffer | string) => createHmac('sha256', SECRET).update(bytes).digest('hex');
let seeds = 100;
const event = () => createEventSource({ types: ['message.created'], now: 1_780_000_000, seed: ++seeds })(0).bytes;
const json = { 'content-type': 'application/json' };
const signed = (body: Buffer) => ({ ...json, 'x-oblic-signature': sig(body) });

let closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function listening(server: Server): Promise<number> {
  closers.push(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** A webhooks object whose handled events and reported errors the test can read. */
function webhooks(): { webhooks: Webhooks; handled: string[]; errors: unknown[] } {
  const handled: string[] = [];
  const errors: unknown[] = [];
  const hooks = createWebhooks({ secrets: SECRET })
    .on('*', (e) => void handled.push(e.id))
    .onError((error) => void errors.push(error));
  return { webhooks: hooks, handled, errors };
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
])('%s: webhooks.express()', (_name, express) => {
  it('beside express.json() on the other routes, and after express.raw() mounted for the app', async () => {
    const w = webhooks();
    const app = express();
    app.post('/webhooks', w.webhooks.express());
    app.use(express.json());
    app.post('/other', (req, res) => void res.json({ parsed: req.body }));
    const raw = express();
    raw.use(express.raw({ type: '*/*' }));
    raw.post('/webhooks', w.webhooks.express());
    const port = await listening(app.listen(0, '127.0.0.1'));
    const rawPort = await listening(raw.listen(0, '127.0.0.1'));

    const [one, two] = [event(), event()];
    expect((await post(port, signed(one), [one])).status).toBe(204);
    expect((await post(rawPort, signed(two), [two])).status).toBe(204);
    expect(JSON.parse((await post(port, json, [Buffer.from('{"a":1}')], true, '/other')).text)).toEqual({
      parsed: { a: 1 },
    });
    expect(w.handled).toEqual([JSON.parse(one.toString()).id, JSON.parse(two.toString()).id]);
  });

  it('after app.use(express.json()), or with it on the route: 500 naming the fix, and the TypeError to onError', async () => {
    const w = webhooks();
    const app = express();
    app.post('/route', express.json(), w.webhooks.express());
    app.use(express.json());
    app.post('/webhooks', w.webhooks.express());
    const port = await listening(app.listen(0, '127.0.0.1'));
    const body = event();
    for (const path of ['/webhooks', '/route']) {
      const answer = await post(port, signed(body), [body], true, path);
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text).error).toMatch(
        /already parsed.*take express\.json\(\) off the webhook route and register the route before any app\.use\(express\.json\(\)\)/,
      );
    }
    expect(w.errors).toHaveLength(2);
    expect(w.errors[0]).toBeInstanceOf(TypeError);
    expect(w.handled).toEqual([]);
    // The signature is decided first: an unsigned request is a 401 even here, and reports nothing.
    expect((await post(port, json, [body])).status).toBe(401);
    expect(w.errors).toHaveLength(2);
  });

  it('a stranger cannot get a 500 through a form parser mounted for the app: 401, nothing reported', async () => {
    const w = webhooks();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(express.text());
    app.post('/webhooks', w.webhooks.express());
    const port = await listening(app.listen(0, '127.0.0.1'));
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const signature of ['', 'garbage', sig('a=b')]) {
      const answer = await post(port, { ...form, 'x-oblic-signature': signature }, [Buffer.from('a=b')]);
      expect(answer.status).toBe(401);
    }
    const signed64 = await post(port, { ...form, 'x-oblic-signature': sig('a=b') }, [Buffer.from('a=b')]);
    expect(JSON.parse(signed64.text).error).toBe(
      'a body parser took the body (application/x-www-form-urlencoded) before it could be checked; Oblic sends application/json',
    );
    // express.text() keeps the text as it came, so that one is checked: signed, but not an event.
    const text = await post(port, { 'content-type': 'text/plain', 'x-oblic-signature': sig('hi') }, [
      Buffer.from('hi'),
    ]);
    expect(text.status).toBe(400);
    expect(w.errors).toEqual([]);
    const body = event(); // and what Oblic sends still goes through
    expect((await post(port, signed(body), [body])).status).toBe(204);
  });
});

describe('Fastify: webhooks.fastify()', () => {
  it("its route reads the raw body (any content type, or none) while the app's JSON parser stays", async () => {
    const w = webhooks();
    const app = Fastify();
    app.register(w.webhooks.fastify({ path: '/hooks/oblic' }));
    app.post('/other', async (request) => ({ parsed: request.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = await listening(app.server);

    const body = event();
    expect((await post(port, signed(body), [body], true, '/hooks/oblic')).status).toBe(204);
    const untyped = event();
    expect((await post(port, { 'x-oblic-signature': sig(untyped) }, [untyped], true, '/hooks/oblic')).status).toBe(204);
    expect(
      (await post(port, { 'content-type': 'text/plain', 'x-oblic-signature': sig('x') }, [body], true, '/hooks/oblic'))
        .status,
    ).toBe(401);
    expect(JSON.parse((await post(port, json, [Buffer.from('{"a":1}')], true, '/other')).text)).toEqual({
      parsed: { a: 1 },
    });
    expect(w.handled).toHaveLength(2);
  });

  it('mounted as a route handler instead of registered: 500 saying to register it, and onError', async () => {
    const w = webhooks();
    const app = Fastify();
    app.post('/webhooks', w.webhooks.fastify() as unknown as () => void);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const body = event();
    const answer = await post(await listening(app.server), signed(body), [body]);
    expect([answer.status, JSON.parse(answer.text).error]).toEqual([
      500,
      "webhooks.fastify() is a plugin, not a route handler: app.register(webhooks.fastify({ path: '/webhooks' }))",
    ]);
    expect(w.errors[0]).toBeInstanceOf(TypeError);
  });

  it('a path given with a trailing slash is answered as given', async () => {
    const app = Fastify();
    app.register(createWebhooks({ secrets: SECRET }).fastify({ path: '/hooks/' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const body = event();
    expect((await post(await listening(app.server), signed(body), [body], true, '/hooks/')).status).toBe(204);
  });

  it("413 past maxBody while the body still arrives, whatever the app's bodyLimit", async () => {
    const hooks = createWebhooks({ secrets: SECRET, maxBody: 1000 });
    const app = Fastify({ bodyLimit: 10 * 1024 * 1024 });
    app.register(hooks.fastify());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = await listening(app.server);
    const answer = await post(port, { ...json, 'x-oblic-signature': sig('x') }, [Buffer.alloc(64 * 1024)], false);
    expect(answer.status).toBe(413);

    // And the other way: the app's bodyLimit is not the webhook route's.
    const small = Fastify({ bodyLimit: 100 });
    small.register(createWebhooks({ secrets: SECRET }).fastify());
    await small.listen({ port: 0, host: '127.0.0.1' });
    const body = event();
    expect(body.length).toBeGreaterThan(100);
    expect((await post(await listening(small.server), signed(body), [body])).status).toBe(204);
  });
});

describe('Koa: webhooks.koa()', () => {
  it('answers its path and hands every other one to next()', async () => {
    const w = webhooks();
    const app = new Koa();
    app.use(w.webhooks.koa({ path: '/webhooks' }));
    app.use((ctx) => {
      ctx.body = { next: ctx.path };
    });
    const port = await listening(app.listen(0, '127.0.0.1'));
    const body = event();
    expect((await post(port, signed(body), [body])).status).toBe(204);
    expect(JSON.parse((await post(port, json, [body], true, '/elsewhere')).text)).toEqual({ next: '/elsewhere' });
    const get = await post(port, {}, [], true, '/webhooks', 'GET');
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    expect(w.handled).toHaveLength(1);
  });

  it('after a body parser read ctx.req: 500 naming the order to put them in', async () => {
    const w = webhooks();
    const app = new Koa();
    app.use(async (ctx, next) => {
      // What koa-bodyparser does: read the whole stream before the next middleware.
      for await (const _chunk of ctx.req);
      await next();
    });
    app.use(w.webhooks.koa());
    const port = await listening(app.listen(0, '127.0.0.1'));
    const body = event();
    const answer = await post(port, signed(body), [body]);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text).error).toMatch(
      /already read by something else.*in Koa, put webhooks\.koa\(\) before @koa\/bodyparser/,
    );
    expect(w.errors[0]).toBeInstanceOf(TypeError);
  });
});

describe('Hono: webhooks.fetch(c.req.raw)', () => {
  it('verifies c.req.raw; after c.req.json(), or given c.req itself, 500 naming c.req.raw', async () => {
    const w = webhooks();
    const app = new Hono();
    app.post('/webhooks', (c) => w.webhooks.fetch(c.req.raw));
    app.post('/read-first', async (c) => {
      await c.req.json();
      return w.webhooks.fetch(c.req.raw);
    });
    app.post('/wrapper', (c) => w.webhooks.fetch(c.req as unknown as Request));
    app.post('/context', (c) => w.webhooks.fetch(c as unknown as Request));
    // A middleware that reads forms for the app: a stranger's unsigned form is still a 401.
    app.use('/forms-read/*', async (c, next) => {
      if (c.req.header('content-type')?.includes('form')) await c.req.parseBody();
      await next();
    });
    app.post('/forms-read/webhooks', (c) => w.webhooks.fetch(c.req.raw));
    const port = await listening(serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
    const body = event();
    expect((await post(port, signed(body), [body])).status).toBe(204);
    const readFirst = await post(port, signed(body), [body], true, '/read-first');
    expect([readFirst.status, JSON.parse(readFirst.text).error]).toEqual([
      500,
      expect.stringMatching(/already read.*webhooks\.fetch\(request\) before request\.json\(\).*c\.req\.raw/),
    ]);
    const wrapper = await post(port, signed(body), [body], true, '/wrapper');
    expect(JSON.parse(wrapper.text).error).toMatch(
      /^this is Hono's c\.req: pass c\.req\.raw .* to webhooks\.fetch\(\)/,
    );
    const context = await post(port, signed(body), [body], true, '/context');
    expect(JSON.parse(context.text).error).toMatch(
      /^this is Hono's Context c: pass c\.req\.raw .* to webhooks\.fetch\(\)/,
    );
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const signature of [undefined, 'zz', sig('a=1')]) {
      const headers = signature === undefined ? form : { ...form, 'x-oblic-signature': signature };
      expect((await post(port, headers, [Buffer.from('a=1')], true, '/forms-read/webhooks')).status).toBe(401);
    }
    expect(w.errors).toHaveLength(3); // /read-first, /wrapper and /context only
    expect(w.handled).toHaveLength(1);
  });
});
