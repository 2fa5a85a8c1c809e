// Issue 13, items 10-12: verifyRequest bounds what it reads and answers every framework with a verdict
// or a TypeError that names that framework's fix. Real servers on 127.0.0.1 port 0, real frameworks.
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as serveHono } from '@hono/node-server';
import express5 from 'express';
import express4 from 'express4';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventSource } from '../src/samples/bodies.js';
import { verifyRequest, type RequestVerdict } from '../src/signing/verify-request.js';
import { verify } from '../src/signing/verify.js';
import { post } from './helpers/deliver.js';
import { readmeExample, startExample } from './readme-examples.js';

const SECRET = 'library-hardening-secret-1';
const body = createEventSource({ types: ['message.created'], now: 1_780_000_000, seed: 5 })(0).bytes;
const sig = (bytes: Buffer | string, secret = SECRET) => createHmac('sha256', secret).update(bytes).digest('hex');
const MiB = 1024 * 1024;

let closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

/** Closes the server and every connection on it, kept-alive or still mid-body (some tests leave one so). */
function closeServer(server: Pick<Server, 'close' | 'closeAllConnections'>): Promise<unknown> {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  return closed;
}

async function listen(server: Server): Promise<number> {
  closers.push(() => closeServer(server));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A plain node:http server that hands each verdict (or what was thrown) and the request to the test. */
async function nodeServer(options: { maxBody?: number } = {}) {
  const seen: Array<{ result: RequestVerdict | Error; req: IncomingMessage }> = [];
  let notify = () => {};
  const port = await listen(
    createServer(async (req, res) => {
      const result = await verifyRequest(req, { secrets: SECRET, ...options }).catch((error: Error) => error);
      seen.push({ result, req });
      notify();
      res
        .writeHead(
          result instanceof Error ? 500 : result.verified ? 204 : result.reason === 'body_too_large' ? 413 : 401,
        )
        .end();
    }),
  );
  const next = async () => {
    while (seen.length === 0) await new Promise<void>((resolve) => (notify = resolve));
    return seen.shift()!;
  };
  return { port, next };
}

const json = { 'content-type': 'application/json' };

describe('verifyRequest() reads no more than it must (item 10)', () => {
  it('decides a missing or malformed signature from the header, before reading a byte of the body', async () => {
    const server = await nodeServer();
    for (const headers of [json, { ...json, 'x-oblic-signature': 'sha256=abc' }]) {
      void post(server.port, headers, [body]);
      const { result, req } = await server.next();
      expect(result).toMatchObject({
        verified: false,
        reason: headers === json ? 'missing_signature' : 'malformed_signature',
        body: new Uint8Array(0),
      });
      expect(req.readableDidRead).toBe(false);
    }
  });

  it('answers body_too_large for a chunked body over the default 1 MiB while the sender is still sending', async () => {
    const server = await nodeServer();
    // The body is never ended: only a verdict reached before the end answers this request.
    const answer = post(
      server.port,
      { ...json, 'x-oblic-signature': sig('x') },
      [Buffer.alloc(MiB), Buffer.alloc(MiB)],
      false,
    );
    const { result } = await server.next();
    expect(result).toMatchObject({ verified: false, reason: 'body_too_large', body: new Uint8Array(0) });
    expect((result as RequestVerdict).message).toMatch(/over maxBody \(1048576 bytes\)/);
    expect((await answer).status).toBe(413);
  });

  it('refuses a declared content-length over maxBody without reading, and honours a smaller maxBody', async () => {
    const server = await nodeServer({ maxBody: 100 });
    const big = Buffer.alloc(101, 'a');
    void post(server.port, { ...json, 'x-oblic-signature': sig(big), 'content-length': '101' }, [big]);
    const { result, req } = await server.next();
    expect([(result as RequestVerdict).reason, req.readableDidRead]).toEqual(['body_too_large', false]);
    const small = Buffer.alloc(100, 'a');
    expect((await post(server.port, { ...json, 'x-oblic-signature': sig(small) }, [small])).status).toBe(204);
  });

  it('gives body_incomplete, not a rejection, when the sender hangs up mid-body', async () => {
    const server = await nodeServer();
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: '/',
      headers: { ...json, 'x-oblic-signature': sig(body) },
    });
    req.on('error', () => {}); // the test hangs up on purpose
    req.write(body.subarray(0, 10), () => req.destroy());
    const { result } = await server.next();
    expect(result).toMatchObject({ verified: false, reason: 'body_incomplete' });
  });

  it('applies maxBody to bytes a body parser already kept (express.raw with a larger limit)', async () => {
    const app = express5();
    app.post('/webhooks', express5.raw({ type: '*/*', limit: '4mb' }), async (req, res) => {
      const result = await verifyRequest(req, { secrets: SECRET });
      res.status(result.verified ? 204 : 401).json({ reason: result.reason });
    });
    const big = Buffer.alloc(2 * MiB, 'a');
    const answer = await post(await listen(createServer(app)), { ...json, 'x-oblic-signature': sig(big) }, [big]);
    expect(JSON.parse(answer.text)).toEqual({ reason: 'body_too_large' });
  });

  it('on a Web Request: reads nothing without a signature, and stops pulling the stream past maxBody', async () => {
    const unsigned = new Request('http://x/', { method: 'POST', body: new Uint8Array(body) });
    expect((await verifyRequest(unsigned, { secrets: SECRET })).reason).toBe('missing_signature');
    expect(unsigned.bodyUsed).toBe(false);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 32)
          controller.close(); // 2 MiB in all
        else controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const huge = new Request('http://x/', {
      method: 'POST',
      body: stream,
      headers: { 'x-oblic-signature': sig('x') },
      duplex: 'half',
    } as RequestInit);
    const result = await verifyRequest(huge, { secrets: SECRET });
    expect(result.reason).toBe('body_too_large');
    expect(pulled).toBeLessThan(20); // 1 MiB is 16 chunks: the rest was never asked for
  });
});

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
])('%s, the README route (item 11)', (_name, express) => {
  async function app() {
    const handler = express();
    handler.post('/webhooks', express.raw({ type: 'application/json' }), async (req, res) => {
      try {
        const result = await verifyRequest(req, { secrets: [SECRET] });
        res.status(result.verified ? 204 : 401).json({ reason: result.reason });
      } catch (error) {
        res.status(500).json({ thrown: (error as Error).message });
      }
    });
    return listen(createServer(handler));
  }

  it('a text/plain or empty POST, which body-parser skips, is read from the stream and gets a verdict', async () => {
    const port = await app();
    const plain = await post(port, { 'content-type': 'text/plain', 'x-oblic-signature': sig(body) }, [body]);
    expect([plain.status, plain.text]).toEqual([204, '']);
    const empty = await post(port, { 'x-oblic-signature': sig(''), 'content-length': '0' }, []);
    expect(empty.status).toBe(204);
    const unsigned = await post(port, { 'content-length': '0' }, []);
    expect([unsigned.status, JSON.parse(unsigned.text)]).toEqual([401, { reason: 'missing_signature' }]);
    const json4 = await post(port, { ...json, 'x-oblic-signature': sig(body) }, [body]);
    expect(json4.status).toBe(204);
  });

  it('express.json() is still the TypeError that says to mount express.raw()', async () => {
    const handler = express();
    handler.post('/webhooks', express.json(), async (req, res) => {
      const error = await verifyRequest(req, { secrets: SECRET }).then(
        () => null,
        (e: Error) => e,
      );
      res.status(500).send(`${error?.constructor.name}: ${error?.message}`);
    });
    const answer = await post(await listen(createServer(handler)), { ...json, 'x-oblic-signature': sig('{}') }, [
      Buffer.from('{}'),
    ]);
    expect(answer.text).toMatch(
      /^TypeError: req\.body is already parsed.*express\.raw\(\{ type: 'application\/json' \}\)/,
    );
  });

  it('the signature is decided first, and a form a parser took is a verdict: a stranger gets no TypeError', async () => {
    const handler = express();
    handler.use(express.json(), express.urlencoded({ extended: false }));
    handler.post('/webhooks', async (req, res) => {
      const result = await verifyRequest(req, { secrets: SECRET }).catch((e: Error) => e);
      res.send(result instanceof Error ? `${result.constructor.name}` : result.reason);
    });
    const port = await listen(createServer(handler));
    expect((await post(port, json, [Buffer.from('{}')])).text).toBe('missing_signature');
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-oblic-signature': sig('a=b') };
    expect((await post(port, form, [Buffer.from('a=b')])).text).toBe('body_parsed');
    expect((await post(port, { ...json, 'x-oblic-signature': sig('{}') }, [Buffer.from('{}')])).text).toBe('TypeError');
  });
});

describe('verifyRequest() edge cases get a verdict or a TypeError naming the fix (item 12)', () => {
  it('counts every signature value, strings or not: [hex, 42] is two headers, 42 alone is malformed', () => {
    const hex = sig(body);
    expect(verify({ body, signature: [hex, 42] as unknown as string[], secrets: SECRET })).toMatchObject({
      verified: false,
      reason: 'malformed_signature',
      message: 'the request has 2 x-oblic-signature headers; Oblic sends exactly one',
    });
    expect(verify({ body, signature: 42 as unknown as string, secrets: SECRET }).reason).toBe('malformed_signature');
    expect(verify({ body, signature: [hex], secrets: SECRET }).verified).toBe(true);
  });

  it('secrets missing, not a list, or maxBody not a size: a TypeError that says what to pass', async () => {
    const request = () =>
      new Request('http://x/', { method: 'POST', body: 'x', headers: { 'x-oblic-signature': sig('x') } });
    const secrets = undefined as unknown as string;
    await expect(verifyRequest(request(), { secrets })).rejects.toThrow(
      /^verifyRequest\(request, \{ secrets \}\) needs the endpoint secret.*OBLIC_WEBHOOK_SECRET/,
    );
    await expect(verifyRequest(request(), undefined as unknown as { secrets: string })).rejects.toThrow(TypeError);
    await expect(verifyRequest(request(), { secrets: 42 as unknown as string })).rejects.toThrow(
      /must be a string or an array of strings, got number/,
    );
    // An unset variable beside a set one is skipped: [env.CURRENT, env.PREVIOUS] after a rotation.
    expect((await verifyRequest(request(), { secrets: [undefined, SECRET] })).matchedSecret).toBe(1);
    await expect(verifyRequest(request(), { secrets: [undefined, ''] })).rejects.toThrow(
      /at least one non-empty secret/,
    );
    await expect(verifyRequest(request(), { secrets: SECRET, maxBody: -1 })).rejects.toThrow(
      /maxBody must be a number of bytes/,
    );
  });

  it('a Web Request whose body was already read names the order to call things in', async () => {
    const read = async (headers: Record<string, string>) => {
      const request = new Request('http://x/', { method: 'POST', body: new Uint8Array(body), headers });
      await request.text();
      return request;
    };
    await expect(
      verifyRequest(await read({ ...json, 'x-oblic-signature': sig(body) }), { secrets: SECRET }),
    ).rejects.toThrow(/^the Request body was already read.*c\.req\.raw before any c\.req\.json\(\)/);
    // The signature first, and a form a middleware read is the sender's: verdicts, not a TypeError.
    expect((await verifyRequest(await read(json), { secrets: SECRET })).reason).toBe('missing_signature');
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-oblic-signature': sig(body) };
    expect((await verifyRequest(await read(form), { secrets: SECRET })).reason).toBe('body_parsed');
  });

  it('Koa: ctx.req verifies; ctx.request and ctx are a TypeError telling to pass ctx.req', async () => {
    const app = new Koa();
    app.use(async (ctx) => {
      const pick = { req: ctx.req, request: ctx.request, ctx }[ctx.path.slice(1) as 'req' | 'request' | 'ctx'];
      try {
        const result = await verifyRequest(pick as unknown as IncomingMessage, { secrets: SECRET });
        ctx.status = result.verified ? 204 : 401;
      } catch (error) {
        ctx.status = 500;
        ctx.body = `${(error as Error).constructor.name}: ${(error as Error).message}`;
      }
    });
    const port = await listen(createServer(app.callback()));
    const signed = { ...json, 'x-oblic-signature': sig(body) };
    expect((await post(port, signed, [body], true, '/req')).status).toBe(204);
    for (const path of ['/request', '/ctx'])
      expect((await post(port, signed, [body], true, path)).text).toMatch(
        /^TypeError: this is Koa's ctx or ctx\.request: pass ctx\.req/,
      );
  });

  describe('Fastify', () => {
    async function fastify(keepBytes: boolean): Promise<number> {
      const app: FastifyInstance = Fastify();
      closers.push(() => app.close());
      if (keepBytes)
        app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, bytes, done) =>
          done(null, bytes),
        );
      app.post('/webhooks', async (request, reply) => {
        try {
          const result = await verifyRequest(request, { secrets: SECRET });
          return reply.code(result.verified ? 204 : 401).send();
        } catch (error) {
          return reply.code(500).send(`${(error as Error).constructor.name}: ${(error as Error).message}`);
        }
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return (app.server.address() as AddressInfo).port;
    }

    it("with a parseAs: 'buffer' parser, its request verifies as is", async () => {
      const port = await fastify(true);
      expect((await post(port, { ...json, 'x-oblic-signature': sig(body) }, [body])).status).toBe(204);
      expect((await post(port, { ...json, 'x-oblic-signature': sig('other') }, [body])).status).toBe(401);
    });

    it("with its JSON parser, the advice is Fastify's content-type parser, not express.raw()", async () => {
      const answer = await post(await fastify(false), { ...json, 'x-oblic-signature': sig(body) }, [body]);
      expect(answer.text).toMatch(
        /^TypeError: request\.body is already parsed.*addContentTypeParser\('application\/json', \{ parseAs: 'buffer' \}/,
      );
      expect(answer.text).not.toMatch(/express/);
    });
  });

  it('Hono on @hono/node-server: c.req.raw verifies; after c.req.json(), or passing c.req, a TypeError names c.req.raw', async () => {
    const app = new Hono();
    const attempt = async (run: () => Promise<RequestVerdict>) => {
      try {
        return { status: (await run()).verified ? 204 : 401, text: '' };
      } catch (error) {
        return { status: 500, text: `${(error as Error).constructor.name}: ${(error as Error).message}` };
      }
    };
    app.post('/raw', async (c) => c.json(await attempt(() => verifyRequest(c.req.raw, { secrets: SECRET }))));
    app.post('/after-json', async (c) =>
      c.json(await attempt(async () => (await c.req.json(), verifyRequest(c.req.raw, { secrets: SECRET })))),
    );
    app.post('/wrapper', async (c) =>
      c.json(await attempt(() => verifyRequest(c.req as unknown as Request, { secrets: SECRET }))),
    );
    const server = serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    closers.push(() => closeServer(server as Server));
    await new Promise((resolve) => (server.listening ? resolve(null) : server.once('listening', resolve)));
    const port = (server.address() as AddressInfo).port;
    const signed = { ...json, 'x-oblic-signature': sig(body) };
    const outcome = async (path: string) =>
      JSON.parse((await post(port, signed, [body], true, path)).text) as { status: number; text: string };
    expect(await outcome('/raw')).toEqual({ status: 204, text: '' });
    expect((await outcome('/after-json')).text).toMatch(
      /^TypeError: the Request body was already read.*pass c\.req\.raw before any c\.req\.json\(\)/,
    );
    expect((await outcome('/wrapper')).text).toMatch(/^TypeError: this is Hono's c\.req: pass c\.req\.raw/);
  });
});

describe("the README's verifyRequest example under hostile requests (items 10, 11)", () => {
  it('a text/plain and an empty POST get 401, a signed body over 1 MiB 413 before the sender has finished', async () => {
    const { port, child } = await startExample('hardening-verify-request.mjs', readmeExample('verify-request'), SECRET);
    closers.push(async () => child.kill());
    const at = Number(port);
    expect((await post(at, { 'content-type': 'text/plain', 'x-oblic-signature': sig('other') }, [body])).status).toBe(
      401,
    );
    expect((await post(at, { 'content-length': '0' }, [])).status).toBe(401);
    const huge = await post(
      at,
      { ...json, 'x-oblic-signature': sig('x') },
      [Buffer.alloc(MiB), Buffer.alloc(MiB)],
      false,
    );
    expect(huge.status).toBe(413);
    expect((await post(at, { ...json, 'x-oblic-signature': sig(body) }, [body])).status).toBe(204);
    expect(child.exitCode === null && child.signalCode === null).toBe(true);
  });
});
