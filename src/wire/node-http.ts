import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { Attempt, type DeliveryResult, type Transport, type TransportOptions } from './attempt.js';
import type { OutgoingRequest } from './request.js';

/**
 * The transport for short runs: node:http with a keep-alive Agent. undici's HTTP parser is
 * WebAssembly, and compiling it cost a single `send` more than the delivery itself; Node's own
 * parser is compiled in. The requests are the same bytes undici writes (request line, host,
 * connection: keep-alive, the headers in order, content-length, the body), its refusals of a header
 * are made here with its words, and what Node reports is turned into what undici reports in the same
 * case, so that results and messages do not depend on the transport (test/deliverers.test.ts).
 */
export function openAgent(origin: URL, options: TransportOptions): Transport {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  // undici connects to an IPv6 address without its brackets, and writes the host as the URL has it.
  const host = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
  const port = Number(origin.port) || 80;
  const connectTimeoutMs = Math.min(options.timeoutMs, 10_000);
  const inFlight = new Set<{ request: ClientRequest; done: Promise<unknown> }>();

  function attempt(request: OutgoingRequest, readBody: number): Promise<DeliveryResult> {
    let req: ClientRequest | undefined;
    const done = new Promise<DeliveryResult>((resolve) => {
      const pending = new Attempt(options, request, readBody, resolve, (error) => req?.destroy(error));
      const headers = wireHeaders(origin, request);
      if (headers instanceof Error) return pending.settle(headers);
      req = httpRequest({
        agent,
        host,
        port,
        method: 'POST',
        path: `${request.url.pathname}${request.url.search}`,
        headers,
      });
      watch(req, pending, connectTimeoutMs < options.timeoutMs ? connectTimeoutMs : 0);
      req.end(request.body);
    });
    if (req === undefined) return done;
    const entry = { request: req, done };
    inFlight.add(entry);
    return done.finally(() => inFlight.delete(entry));
  }

  return {
    attempt,
    close: async () => {
      await Promise.all([...inFlight].map((entry) => entry.done));
      agent.destroy();
    },
    destroy: async () => {
      for (const entry of inFlight) entry.request.destroy();
      agent.destroy();
    },
  };
}

/** Follows one request to its end, feeding the attempt; a connect that takes too long fails it as undici's would. */
function watch(req: ClientRequest, attempt: Attempt, connectTimeoutMs: number): void {
  req.on('error', (error: NodeJS.ErrnoException) => attempt.settle(asUndici(error)));
  // undici never sends `expect: 100-continue`, so it takes a 100 as a bad response (client-h1.js).
  req.on('continue', () => req.destroy(undiciError('UND_ERR_SOCKET', 'SocketError', 'bad response')));
  // Nor does it ask for an upgrade: a 101 is a bad upgrade. Node hands over the socket to whoever listens.
  req.on('upgrade', (_res, socket) => {
    socket.destroy();
    attempt.settle(undiciError('UND_ERR_SOCKET', 'SocketError', 'bad upgrade'));
  });
  if (connectTimeoutMs > 0)
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => req.destroy(undiciError('UND_ERR_CONNECT_TIMEOUT', 'ConnectTimeoutError', 'Connect Timeout Error')),
        connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
  req.on('response', (res: IncomingMessage) => {
    attempt.respond(res.statusCode!, headersOf(res.rawHeaders));
    res.on('data', (chunk: Buffer) => {
      if (attempt.data(chunk)) res.destroy(); // enough to show; the rest is dropped with its connection
    });
    res.on('end', () => attempt.settle(null));
    res.on('error', (error: NodeJS.ErrnoException) => attempt.settle(cutShort(error, req, res)));
  });
}

/**
 * What undici says where Node says something else. Node's "socket hang up" is a connection the
 * server closed before answering (undici: "other side closed"). A response that is not HTTP comes
 * from the parser both use, llhttp, whose errors undici raises without a code.
 */
function asUndici(error: NodeJS.ErrnoException): unknown {
  if (error.code === 'ECONNRESET' && error.syscall === undefined)
    return undiciError('UND_ERR_SOCKET', 'SocketError', 'other side closed');
  if (error.code?.startsWith('HPE_')) return Object.assign(new Error(error.message), { name: 'HTTPParserError' });
  return error;
}

/**
 * An answer that ended before its body did (Node: "aborted"). undici calls it the other side
 * closing when the connection was to stay open; when the server meant to close it, the body was to
 * run to its content-length (a mismatch), or it was chunked and its parser finds it unfinished.
 */
function cutShort(error: NodeJS.ErrnoException, req: ClientRequest, res: IncomingMessage): unknown {
  if (error.code !== 'ECONNRESET' || error.message !== 'aborted') return asUndici(error);
  if (req.shouldKeepAlive) return undiciError('UND_ERR_SOCKET', 'SocketError', 'other side closed');
  if (res.headers['content-length'] !== undefined)
    return undiciError(
      'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
      'ResponseContentLengthMismatchError',
      'Response body length does not match content-length header',
    );
  return Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { name: 'HTTPParserError' });
}

function undiciError(code: string, name: string, message: string): Error {
  return Object.assign(new Error(message), { name, code });
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** What undici refuses in a header value (core/util.js headerCharRegex). */
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * The header lines in undici's order and spelling, as a raw list Node writes as it is; or the error
 * undici would have thrown for a header it refuses (a replayed capture may carry one).
 */
function wireHeaders(origin: URL, request: OutgoingRequest): string[] | Error {
  const lines = ['host', origin.host, 'connection', 'keep-alive'];
  for (const [name, value] of request.headers) {
    if (!TOKEN.test(name.toLowerCase()))
      return undiciError('UND_ERR_INVALID_ARG', 'InvalidArgumentError', 'invalid header key');
    if (NOT_FIELD_VALUE.test(value))
      return undiciError('UND_ERR_INVALID_ARG', 'InvalidArgumentError', `invalid ${name} header`);
    lines.push(name, value);
  }
  lines.push('content-length', String(request.body.length));
  return lines;
}

/** Response headers as undici gives them (core/util.js parseHeaders): lower-case names, a repeated one as a list. */
function headersOf(raw: string[]): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const seen = Object.hasOwn(headers, name) ? headers[name] : undefined;
    if (seen === undefined)
      Object.defineProperty(headers, name, { value, enumerable: true, configurable: true, writable: true });
    else if (typeof seen === 'string') headers[name] = [seen, value];
    else seen.push(value);
  }
  return headers;
}
