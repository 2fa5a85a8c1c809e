import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Fastify's request: the Node request as `raw`, and the body its content-type parser produced. */
export interface RawCarrier {
  raw: IncomingMessage;
  headers: IncomingHttpHeaders;
  body?: unknown;
}

/** What a handler can pass: a Web `Request`, a Node request (maybe with Express's `body`), or Fastify's request. */
export type ReceivedRequest = Request | (IncomingMessage & { body?: unknown }) | RawCarrier;

type Framework = 'express' | 'fastify' | 'node';

/** Where the signature and the body bytes come from, whatever the framework. */
export type Source =
  | { kind: 'web'; request: Request; signature: string | null; gone: BodyGone | null }
  | {
      kind: 'node';
      stream: IncomingMessage;
      body: unknown;
      framework: Framework;
      signature: string | string[] | undefined;
      /** Something read the body before us: why its bytes are gone, decided only once the signature is. */
      gone: BodyGone | null;
    };

/**
 * A body another parser took. Of what Oblic sends (application/json) that is the app's misuse, a
 * TypeError naming the fix; of anything else it is the sender's doing (Oblic never sends a form), a
 * verdict, so a stranger cannot make the endpoint answer 500.
 */
export type BodyGone = { misuse: TypeError } | { notOblic: string };

/** Who is reading the request: the messages name the function the developer called, and its fix. */
export type Caller = 'verifyRequest' | 'webhooks';

const PARSER_FIX: Record<Caller, Record<Framework, string>> = {
  verifyRequest: {
    express: "mount express.raw({ type: 'application/json' }) on the webhook route instead of express.json()",
    fastify:
      "give the route a content-type parser that keeps the bytes: fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => done(null, body))",
    node: 'call verifyRequest() before any body parser runs (in Koa, pass ctx.req before koa-bodyparser or koa-body)',
  },
  webhooks: {
    express:
      'take express.json() off the webhook route and register the route before any app.use(express.json()) (or mount that only on the routes that need it): webhooks.express() reads the raw body itself',
    fastify: 'register the route with app.register(webhooks.fastify()), which reads the raw body itself',
    node: 'put webhooks.node() before any body parser; in Koa, put webhooks.koa() before @koa/bodyparser, koa-bodyparser or koa-body, or mount the parser only on the routes that need it (with @koa/router, router.post(path, bodyParser(), handler))',
  },
};

const CALL: Record<Caller, string> = {
  verifyRequest: 'verifyRequest()',
  webhooks: 'webhooks.fetch() and webhooks.handle()',
};

/**
 * Finds the signature and the body in what the handler passed. Passing the wrong object is misuse,
 * a TypeError that names the fix for that framework (issue 13, item 12); nothing here reads the body.
 */
export function sourceOf(request: unknown, caller: Caller = 'verifyRequest'): Source {
  if (isWebRequest(request)) {
    const why =
      request.bodyUsed || request.body?.locked === true
        ? `the Request body was already read, so its exact bytes are gone: call ${caller === 'webhooks' ? 'webhooks.fetch(request)' : 'verifyRequest(request)'} before request.json(), .text() or .formData() ` +
          '(in Hono, pass c.req.raw before any c.req.json() or c.req.text())'
        : null;
    const gone = why === null ? null : goneBody(why, request.headers.get('content-type'));
    return { kind: 'web', request, signature: request.headers.get('x-oblic-signature'), gone };
  }
  if (isNodeRequest(request))
    return nodeSource(
      request,
      request.headers,
      request.body,
      typeof request.app === 'function' ? 'express' : 'node',
      caller,
    );
  const carrier = request as { raw?: unknown; req?: unknown; headers?: unknown; body?: unknown } | null;
  if (isNodeRequest(carrier?.raw) && isHeaders(carrier.headers))
    return nodeSource(carrier.raw, carrier.headers, carrier.body, 'fastify', caller);
  if (isWebRequest(carrier?.raw))
    throw new TypeError(
      `this is Hono's c.req: pass c.req.raw (the Web Request) to ${caller === 'webhooks' ? 'webhooks.fetch()' : 'verifyRequest()'}, before any body read`,
    );
  if (isWebRequest((carrier?.req as { raw?: unknown } | undefined)?.raw))
    throw new TypeError(
      `this is Hono's Context c: pass c.req.raw (the Web Request) to ${caller === 'webhooks' ? 'webhooks.fetch()' : 'verifyRequest()'}, before any body read`,
    );
  if (isNodeRequest(carrier?.req))
    throw new TypeError(
      caller === 'webhooks'
        ? "this is Koa's ctx or ctx.request: use app.use(webhooks.koa()), which reads ctx.req itself, before any body parser"
        : "this is Koa's ctx or ctx.request: pass ctx.req (the Node request) to verifyRequest(), before any body parser",
    );
  throw new TypeError(
    `${CALL[caller]} ${caller === 'webhooks' ? 'take' : 'takes'} a Web Request, a Node request (Express's req, Koa's ctx.req) or Fastify's request, got ${describe(request)}`,
  );
}

function nodeSource(
  stream: IncomingMessage,
  headers: IncomingHttpHeaders,
  body: unknown,
  framework: Framework,
  caller: Caller,
): Source {
  const preparsed = isUnparsed(body, stream) ? undefined : body;
  const signature = headers['x-oblic-signature'];
  let why: string | null = null;
  if (preparsed === undefined && (stream.readableEnded || stream.readableDidRead)) {
    why = `the request body was already read by something else, so its exact bytes are gone: ${PARSER_FIX[caller][framework]}`;
  } else if (preparsed !== undefined && !(preparsed instanceof Uint8Array) && typeof preparsed !== 'string') {
    why =
      `${framework === 'fastify' ? 'request' : 'req'}.body is already parsed, so its signature cannot be checked: the signature covers the exact bytes Oblic sent. ` +
      `To fix it, ${PARSER_FIX[caller][framework]}.`;
  }
  if (why === null) return { kind: 'node', stream, body: preparsed, framework, signature, gone: null };
  return { kind: 'node', stream, body: undefined, framework, signature, gone: goneBody(why, headers['content-type']) };
}

/** Misuse if the body taken was what Oblic sends; else the sender's doing (see BodyGone). */
function goneBody(why: string, contentType: string | null | undefined): BodyGone {
  const type = contentType ?? '';
  return JSON_TYPE.test(type) ? { misuse: new TypeError(why) } : { notOblic: type || 'no content type' };
}

/** application/json or a +json type: what Oblic sends, so a parser that took it is the app's mistake. */
const JSON_TYPE = /^\s*application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * No body yet: undefined (Express 5, plain Node), or Express 4's `{}`, which body-parser 1.x sets on
 * every request it skips (a text/plain or empty POST) while leaving the stream unread (issue 13, item 11).
 */
function isUnparsed(body: unknown, stream: IncomingMessage): boolean {
  if (body === undefined) return true;
  const empty =
    typeof body === 'object' &&
    body !== null &&
    Object.getPrototypeOf(body) === Object.prototype &&
    Object.keys(body).length === 0;
  return empty && !stream.readableEnded && !stream.readableDidRead;
}

function isWebRequest(request: unknown): request is Request {
  const candidate = request as Partial<Request> | null;
  return typeof candidate?.arrayBuffer === 'function' && typeof candidate.headers?.get === 'function';
}

function isNodeRequest(request: unknown): request is IncomingMessage & { body?: unknown; app?: unknown } {
  const candidate = request as Partial<IncomingMessage> | null;
  return typeof candidate?.on === 'function' && typeof candidate.pause === 'function' && isHeaders(candidate.headers);
}

function isHeaders(headers: unknown): headers is IncomingHttpHeaders {
  return typeof headers === 'object' && headers !== null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name: unknown = value.constructor?.name;
  return typeof name === 'string' && name !== '' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
}
