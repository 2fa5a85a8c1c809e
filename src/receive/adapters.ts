import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCore, type WebhookAnswer, type WebhooksCore, type WebhooksOptions } from './webhooks.js';

// The frameworks' own types are not imported: they are dev dependencies, for the tests only. Each
// shape below is the part of a framework's object an adapter uses, and the framework's real type
// is assignable to it (test/webhooks-types.test.ts checks that against the real packages).

/** A Node `(req, res)` handler, with connect's optional `next`. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** The part of Koa's context the adapter uses. */
export interface KoaContextLike {
  req: IncomingMessage;
  path: string;
  status: number;
  body: unknown;
  set(field: string, value: string): void;
}

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLike {
  removeAllContentTypeParsers(): unknown;
  addContentTypeParser(
    type: string,
    parser: (request: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): unknown;
  post(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

export interface FastifyRequestLike {
  raw: IncomingMessage;
  headers: IncomingMessage['headers'];
  body?: unknown;
  method: string;
}

export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(body?: unknown): unknown;
}

export interface Webhooks extends WebhooksCore {
  /** A Web handler: `export const POST = webhooks.fetch` (Next.js), Hono's `(c) => webhooks.fetch(c.req.raw)`, Bun, Deno, Workers. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Express 4 and 5: `app.post('/webhooks', webhooks.express())`, before any app.use(express.json()). */
  express(): NodeHandler;
  /** Plain node:http: `createServer(webhooks.node())`; with `path`, other paths get 404 (or `next()`). */
  node(options?: { path?: string }): NodeHandler;
  /** Koa: `app.use(webhooks.koa({ path: '/webhooks' }))`, before any body parser; other paths go to `next()`. */
  koa(options?: { path?: string }): (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<unknown>;
  /** Fastify: `app.register(webhooks.fastify({ path: '/webhooks' }))`, a plugin that reads the raw body for its route. */
  fastify(options?: {
    path?: string;
  }): (instance: FastifyLike, options: unknown, done: (error?: Error) => void) => void;
}

/**
 * Typed handlers for Oblic's events and a correct endpoint for every common framework: each adapter
 * reads the raw body itself (the signature covers the exact bytes), verifies it, and answers as
 * `oblic-hooks check` grades. See the README, "Receiving Oblic webhooks in your app".
 */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  const { core, misuse } = createCore(options);
  const serveNode = (given: string | undefined): NodeHandler => {
    const path = routePath(given);
    return (req, res, next) => {
      if (path !== undefined && pathOf(req.url) !== path) {
        if (next) return next();
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: `no webhook endpoint here; it is at ${path}` }));
        return;
      }
      core.handle(req).then((answer) => writeNode(res, answer));
    };
  };
  const adapters = {
    fetch: async (request: Request): Promise<Response> => {
      const answer = await core.handle(request);
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    },
    express: () => serveNode(undefined),
    node: (given: { path?: string } = {}) => serveNode(given.path),
    koa: (given: { path?: string } = {}) => {
      const path = routePath(given.path);
      return async (ctx: KoaContextLike, next: () => Promise<unknown>) => {
        if (path !== undefined && pathOf(ctx.path) !== path) return next();
        const answer = await core.handle(ctx.req);
        ctx.status = answer.status;
        for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value);
        if (answer.body !== null) ctx.body = answer.body;
      };
    },
    fastify: (given: { path?: string } = {}) => {
      // Checked, but kept as given: Fastify's router decides about a trailing slash.
      const path = given.path ?? '/webhooks';
      routePath(path);
      return (instance: FastifyLike, options: unknown, done: (error?: Error) => void) => {
        if (typeof instance.addContentTypeParser !== 'function') {
          // Mounted as a route handler, app.post('/webhooks', webhooks.fastify()): (request, reply).
          const answer = misuse(
            new TypeError(
              "webhooks.fastify() is a plugin, not a route handler: app.register(webhooks.fastify({ path: '/webhooks' }))",
            ),
          );
          return void (options as FastifyReplyLike).code(answer.status).headers(answer.headers).send(answer.body);
        }
        // Inside the plugin's own context only: the app's JSON parser stays as it is elsewhere. The
        // parser leaves the body unread, so handle() checks the header first and streams the rest.
        instance.removeAllContentTypeParsers();
        instance.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
        const route = async (request: FastifyRequestLike, reply: FastifyReplyLike) => {
          const answer = await core.handle(request);
          return reply
            .code(answer.status)
            .headers(answer.headers)
            .send(answer.body ?? undefined);
        };
        // One route: a trailing slash is the app's router setting (ignoreTrailingSlash), not ours.
        instance.post(path, route);
        done();
      };
    },
  };
  return Object.assign(core, adapters);
}

/** The path an adapter answers, as given, checked, and without a trailing slash. */
function routePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new TypeError(`the path must start with "/", e.g. "/webhooks"; got ${JSON.stringify(path)}`);
  return pathOf(path);
}

/** The path of a request URL without its query, and without a trailing slash (as Express and koa-router match). */
function pathOf(url: string | undefined): string {
  const whole = url ?? '/';
  const query = whole.indexOf('?');
  const path = query === -1 ? whole : whole.slice(0, query);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function writeNode(res: ServerResponse, answer: WebhookAnswer): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}
