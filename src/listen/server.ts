import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InputError } from '../base/errors.js';
import type { Forwarder, ForwardResult } from './forward.js';
import type { Inspection } from '../wire/verdict.js';
import type { NamedSecret } from '../signing/diagnose.js';
import { inspectRequest, reasonOf } from '../wire/verdict-request.js';
import { createBudget } from '../base/budget.js';
import { captureName, renderCapture, writeCapture } from './save.js';

export interface ListenerOptions {
  host: string;
  port: number;
  /** Accept only this path (404 elsewhere). */
  path?: string | undefined;
  maxBody: number;
  secrets: readonly string[];
  otherSecrets?: readonly NamedSecret[];
  /** The answer when not forwarding. */
  status: number;
  delayMs: number;
  rejectInvalid: boolean;
  /** Verify and label each request here (the default); false leaves `inspection` null for the caller to fill. */
  inspect?: boolean;
  forwarder?: Forwarder | undefined;
  saveDir?: string | undefined;
  /** Called once per request before it is answered; a returned promise (output backpressure) holds the answer. */
  onRequest: (record: RequestRecord) => void | Promise<void>;
  /** Called for a connection whose bytes are not a usable HTTP request (it was answered and closed). */
  onClientError?: (info: { code: string; status: number }) => void;
  /** Bytes of bodies held at once (see budget.ts); BODY_BUDGET unless a test asks for less. */
  bodyBudget?: number;
  now?: () => Date;
}

/** 16 MiB of bodies at once: 16 of the largest by default, thousands of the usual few kB (issue 13, item 3). */
const BODY_BUDGET = 16 * 1024 * 1024;

export interface RequestRecord {
  seq: number;
  receivedAt: Date;
  method: string;
  path: string;
  httpVersion: string;
  headers: Array<[string, string]>;
  /** The exact body; null when it was not read (over --max-body, wrong method or path). */
  body: Buffer | null;
  size: number;
  inspection: Inspection | null;
  /** The status answered to the sender. */
  status: number;
  forward: ForwardResult | null;
  savedAs: string | null;
  /** Why the request was not handled as a delivery, if it was not. */
  refusal: string | null;
  /** Why oblic-hooks failed on a delivery it took (a capture it could not write); it was answered 500. */
  failure?: string;
}

export interface Listener {
  url: URL;
  /** Stops accepting, lets requests in flight finish (and their captures be written), then resolves. */
  close(): Promise<void>;
}

interface Answer {
  body: Buffer;
  headers: readonly string[];
}

const JSON_TYPE: readonly string[] = ['content-type', 'application/json'];
const jsonAnswer = (value: unknown): Answer => ({ body: Buffer.from(JSON.stringify(value)), headers: JSON_TYPE });
// The everyday answer, made once: the hot path of a listener under load allocates as little as it can.
const RECEIVED_ANSWER = jsonAnswer({ received: true });

const failedAnswer = (error: unknown): Answer =>
  jsonAnswer({ error: `oblic-hooks failed on this request: ${reasonOf(error)}` });

function refuse(record: RequestRecord, status: number, refusal: string): Answer {
  record.status = status;
  record.refusal = refusal;
  return jsonAnswer({ error: refusal });
}

/** Starts the local listener. A port in use is an InputError naming the fix. */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  if (options.rejectInvalid && options.inspect === false)
    throw new TypeError('rejectInvalid needs the listener to inspect requests');
  const now = options.now ?? (() => new Date());
  let seq = 0;
  let closing = false;
  // Requests taken but not yet answered; close() waits for none.
  let inFlight = 0;
  let whenIdle: (() => void) | undefined;
  const settled = () => {
    inFlight -= 1;
    if (inFlight === 0) whenIdle?.();
  };
  // Answers made in one turn of the event loop are written together at its end. Under load this
  // halves the cost of a request: the sender is woken once per burst instead of once per answer
  // (measured with wrk on two cores: 12k → 25k requests/s).
  const budget = createBudget(options.bodyBudget ?? BODY_BUDGET);
  let answers: Array<() => void> = [];
  // The newest request on each connection. While stopping, its answer closes the connection and
  // earlier ones do not, so a request pipelined behind another is answered too (issue 13, item 4).
  const newest = new WeakMap<Socket, ServerResponse>();
  const answerAll = () => {
    const batch = answers;
    answers = [];
    for (const answer of batch) answer();
  };
  const server: Server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      inFlight += 1;
      handle(req, res);
    },
  );
  // A client that half-closes after its request (nc, `socket.end(request)`) still wants the answer
  // (RFC 9112 §9.6). Without this Node aborts such a request on the FIN, and an answer that takes
  // time (--delay, --forward-to) is lost. Undocumented, but read by Node's server and used by spdy.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const code = error.code ?? 'ERROR';
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    if (socket.writable && code !== 'ECONNRESET')
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
    socket.destroy();
    options.onClientError?.({ code, status });
  });

  /**
   * One request, synchronously from its last byte to its queued answer in the everyday case; only
   * forwarding, saving, a --delay or output backpressure make it wait.
   */
  function handle(req: IncomingMessage, res: ServerResponse): void {
    res.on('error', () => undefined);
    if (closing && !req.socket.writable) return settled(); // after its connection's last answer: it cannot be answered, so it is not counted
    newest.set(req.socket, res);
    let queued = false;
    let held = 0; // bytes of the budget this request holds
    const release = () => {
      budget.release(held);
      held = 0;
    };
    const answer = (status: number, body: Answer) => {
      if (queued) return;
      queued = true;
      release();
      queue(res, status, body, req.socket);
    };
    let handed = false; // to onRequest: shown and counted
    // A failure of ours (a bug, a capture that cannot be written) still answers, and the listener
    // goes on; a request not yet shown is shown and counted with it (issue 13, item 6).
    const fail = (error: unknown) => {
      if (handed) return answer(500, failedAnswer(error));
      record.status = 500;
      record.failure = reasonOf(error);
      finish(failedAnswer(error));
    };
    const record: RequestRecord = {
      seq: ++seq,
      receivedAt: now(),
      method: req.method ?? '',
      path: req.url ?? '',
      httpVersion: req.httpVersion,
      headers: pairs(req.rawHeaders),
      body: null,
      size: Number(req.headers['content-length'] ?? 0) || 0,
      inspection: null,
      status: options.status,
      forward: null,
      savedAs: null,
      refusal: null,
    };
    /** Hands the record to onRequest (which may hold the answer, as output backpressure does), then answers. */
    const finish = (body: Answer) => {
      handed = true;
      let held: void | Promise<void>;
      try {
        held = options.onRequest(record);
      } catch (error) {
        return answer(500, failedAnswer(error));
      }
      if (!held && options.delayMs === 0) return answer(record.status, body);
      Promise.resolve(held)
        .then(() => options.delayMs > 0 && new Promise((resolve) => setTimeout(resolve, options.delayMs)))
        .then(() => answer(record.status, body), fail);
    };
    try {
      // Counted as refused; the body is not read (issue 13, item 4).
      if (closing) return finish(refuse(record, 503, 'the listener is stopping; send it again to a running one'));
      if (record.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return finish(refuse(record, 405, `${record.method} is not allowed; Oblic delivers with POST`));
      }
      if (options.path !== undefined && pathOf(record.path) !== options.path) {
        return finish(refuse(record, 404, `nothing at ${pathOf(record.path)}; this listener takes ${options.path}`));
      }
      if (record.size > options.maxBody) {
        return finish(refuse(record, 413, `the body of ${record.size} bytes is over --max-body (${options.maxBody})`));
      }
    } catch (error) {
      return fail(error);
    }
    // A chunked body's size is known only once read: it is counted at the most it may be.
    const reserve =
      req.headers['content-length'] !== undefined
        ? record.size
        : req.headers['transfer-encoding'] !== undefined
          ? options.maxBody
          : 0;
    budget.take(reserve, () => {
      held = reserve;
      if (req.socket.destroyed) return void (release(), settled()); // it went away while it waited
      read();
    });
    function read(): void {
      readBody(req, options.maxBody, (body) => {
        if (body === 'aborted') return void (release(), settled()); // the sender went away: nothing to answer
        try {
          if (body === 'too large')
            return finish(refuse(record, 413, `the body is over --max-body (${options.maxBody} bytes)`));
          record.body = body;
          record.size = body.length;
          if (options.inspect !== false) {
            record.inspection = inspectRequest(
              { method: record.method, path: record.path, headers: record.headers, body },
              options.secrets,
              options.otherSecrets,
            );
          }
          if (options.rejectInvalid && record.inspection && !record.inspection.verdict.verified) {
            return finish(refuse(record, 401, `rejected: ${record.inspection.verdict.message}`));
          }
          if (!options.forwarder && options.saveDir === undefined) return finish(RECEIVED_ANSWER);
          forwardAndSave(record, body).then(finish, fail);
        } catch (error) {
          fail(error);
        }
      });
    }
  }

  async function forwardAndSave(record: RequestRecord, body: Buffer): Promise<Answer> {
    let answer = RECEIVED_ANSWER;
    if (options.forwarder) {
      record.forward = await options.forwarder.forward(record.method, record.headers, body);
      const { error } = record.forward;
      record.status = error ? error.status : (record.forward.status ?? 502);
      answer = error
        ? jsonAnswer({ error: `oblic-hooks could not forward this to the app: ${error.message}` })
        : { body: record.forward.body, headers: record.forward.headers.flat() };
    }
    if (options.saveDir !== undefined) {
      const event = record.inspection?.event;
      const name = captureName(record.receivedAt, record.seq, event?.type ?? null, event?.id ?? null);
      record.savedAs = await writeCapture(options.saveDir, name, renderCapture(record, body));
    }
    return answer;
  }

  function queue(res: ServerResponse, status: number, answer: Answer, socket: Socket): void {
    answers.push(() => {
      try {
        if ((closing && newest.get(socket) === res) || status === 413) res.setHeader('connection', 'close');
        const body = hasNoBody(status) ? null : status === 205 ? EMPTY : answer.body;
        res.writeHead(
          status,
          body === null ? [...answer.headers] : [...answer.headers, 'content-length', String(body.length)],
        );
        res.end(body ?? undefined);
      } catch {
        res.destroy(); // an answer Node refuses to write (a forwarded header it finds invalid)
      } finally {
        settled();
      }
    });
    if (answers.length === 1) setImmediate(answerAll);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new InputError(
            `port ${options.port} on ${options.host} is in use; pass --port with another port, or --port 0 for a free one`,
          ),
        );
      else if (error.code === 'EACCES')
        reject(new InputError(`not allowed to listen on port ${options.port}; use a port above 1023`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new InputError(`cannot listen on ${options.host}: no such address on this machine`));
      else reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: new URL(`http://${host}:${port}${options.path ?? '/'}`),
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests may still arrive on keep-alive connections while we wait; each answer now closes
      // its connection, and no new connection is accepted, so this ends.
      while (inFlight > 0) await new Promise<void>((resolve) => (whenIdle = resolve));
      server.closeAllConnections(); // everything left is idle or has been answered
      await closed;
    },
  };
}

const LARGE_BODY = 64 * 1024;

/**
 * Reads the body up to `limit` bytes, in one pass. Past the limit the rest is read and dropped (not
 * destroyed: the socket must stay up to carry the 413), and the answer closes the connection.
 */
function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | 'too large' | 'aborted') => void): void {
  const chunks: Buffer[] = [];
  // A large body of known length is copied into its place as it comes: no second copy at the end,
  // and each chunk is garbage at once (issue 13, item 3: 300 bodies of 1 MiB).
  const length = Number(req.headers['content-length']);
  const whole = length >= LARGE_BODY && length <= limit ? Buffer.allocUnsafeSlow(length) : null;
  let size = 0;
  let over = false;
  let ended = false;
  const end = (body: Buffer | 'too large' | 'aborted') => {
    if (ended) return;
    ended = true;
    done(body);
  };
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
      end('too large');
    } else if (whole !== null && size <= whole.length) {
      chunk.copy(whole, size - chunk.length);
    } else {
      chunks.push(chunk);
    }
  });
  req.on('end', () =>
    end(over ? 'too large' : whole !== null && size === whole.length ? whole : Buffer.concat(chunks, size)),
  );
  req.on('error', () => end('aborted'));
  req.on('close', () => {
    if (!req.complete) end('aborted');
  });
}

/**
 * A 1xx, 204 or 304 answer has no body, so it has no Content-Length either (RFC 9110 §8.6, §15.3.5,
 * §15.4.5): `--status 204` used to announce 17 bytes it did not send (issue 13, item 14). A 205 has
 * no content and says so with `Content-Length: 0` (§15.3.6), which keeps the connection usable.
 */
function hasNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

const EMPTY = Buffer.alloc(0);

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}
