import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createBudget } from '../base/budget.js';
import { InputError } from '../base/errors.js';
import { createAnswerWriter } from './answers.js';
import { readLimited } from '../signing/receive-body.js';
import {
  answerDelay,
  type Answer,
  checkPolicy,
  deliver,
  failedAnswer,
  failRecord,
  type ListenPolicy,
  refuseTooLarge,
  refuseUnread,
} from './pipeline.js';
import type { RequestRecord } from './record.js';
import { createRepeats } from './repeats.js';

export type { RequestRecord } from './record.js';

/**
 * The listener's HTTP: it reads each request (bounded in size, in time and in the bytes of bodies
 * held at once) and writes the answer the pipeline gives (pipeline.ts), which decides everything else.
 */
export interface ListenerOptions extends ListenPolicy {
  host: string;
  port: number;
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

export interface Listener {
  url: URL;
  /** Stops accepting, lets requests in flight finish (and their captures be written), then resolves. */
  close(): Promise<void>;
}

/** Starts the local listener. A port in use is an InputError naming the fix. */
export async function startListener(given: ListenerOptions): Promise<Listener> {
  checkPolicy(given);
  // Repeats are marked where requests are inspected: here by default, else by whoever inspects them.
  const options: ListenerOptions =
    given.repeats === undefined && given.inspect !== false
      ? { ...given, repeats: createRepeats(given.secrets) }
      : given;
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
  const budget = createBudget(options.bodyBudget ?? BODY_BUDGET);
  const answers = createAnswerWriter(() => closing, settled);
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
    answers.arrived(req.socket, res);
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
      answers.write(res, req.socket, status, body);
    };
    let handed = false; // to onRequest: shown and counted
    // A failure of ours still answers, and the listener goes on.
    const fail = (error: unknown) => (handed ? answer(500, failedAnswer(error)) : finish(failRecord(record, error)));
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
      duplicateOf: null, // set with the inspection: made here, so every record has one shape
    };
    /** Hands the record to onRequest (which may hold the answer, as output backpressure does), then answers. */
    const finish = (body: Answer) => {
      handed = true;
      let shown: void | Promise<void>;
      try {
        shown = options.onRequest(record);
      } catch (error) {
        return answer(500, failedAnswer(error));
      }
      const wait = answerDelay(shown, options);
      if (wait === null) return answer(record.status, body);
      wait.then(() => answer(record.status, body), fail);
    };
    try {
      const refused = refuseUnread(record, options, closing);
      if (refused !== null) {
        if (refused.allow !== undefined) res.setHeader('allow', refused.allow);
        return finish(refused);
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
      readLimited(
        req,
        options.maxBody,
        (body) => {
          if (body === 'aborted') return void (release(), settled()); // the sender went away: nothing to answer
          try {
            if (body === 'too large') return finish(refuseTooLarge(record, options));
            record.body = body;
            record.size = body.length;
            const delivered = deliver(record, body, options);
            if (delivered instanceof Promise) delivered.then(finish, fail);
            else finish(delivered);
          } catch (error) {
            fail(error);
          }
        },
        { length: Number(req.headers['content-length']) },
      );
    });
  }

  await listen(server, options);
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

function listen(server: Server, { host, port }: { host: string; port: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new InputError(
            `port ${port} on ${host} is in use; pass --port with another port, or --port 0 for a free one`,
          ),
        );
      else if (error.code === 'EACCES')
        reject(new InputError(`not allowed to listen on port ${port}; use a port above 1023`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(new InputError(`cannot listen on ${host}: no such address on this machine`));
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
}

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
