import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../base/errors.js';
import { plural } from '../base/text.js';
import { ACTIONS, EVENT_TYPES, RESOURCES } from '../oblic/events.js';
import { replayUrl } from '../wire/request.js';
import type { RequestRecord } from '../listen/server.js';
import { parseInput, readAll, reply, statusOf } from './api-io.js';
import { captureOf, detailOf, matches, summaryOf } from './delivery-json.js';
import { createEventStream } from './event-stream.js';
import { createHistory, type Entry } from './history.js';
import { createPageActions, type SendOptions } from './page-actions.js';
import { PAGE_FILES, SECURITY_HEADERS } from './page.js';
import { reload } from './reload.js';

// The inspector's HTTP server (listen --ui): who may ask (loopback, the right Host, the page's
// token), and the routes, each answered by the module named for it.

export interface InspectorOptions extends SendOptions {
  port: number;
  /** Deliveries kept at most, and bytes they may hold (the oldest go first). */
  history: { count: number; bytes: number };
  saveDir?: string | undefined;
}

export interface Inspector {
  url: URL;
  add(record: RequestRecord): void;
  close(): Promise<void>;
}

/** Starts the inspector on loopback only. A port in use is an InputError naming the fix. */
export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const token = randomBytes(24).toString('base64url');
  const history = createHistory(options.history);
  if (options.saveDir) await reload(options.saveDir, options.history.count, options.secrets, history.add);
  const entries = history.entries;
  let nextSeq = entries.at(-1)?.seq ?? 0;
  const dropped = droppedMessage(options.history);
  const actions = createPageActions(options, history.find, dropped);
  const stream = createEventStream();
  // What varies per run, and what the server knows, reaches the page as JSON, never pasted into its
  // markup or script (issue 13, item 26).
  const config = {
    token,
    listener: options.listenerUrl.href,
    forwardTo: options.forwardTo?.href ?? '',
    dropped,
    resources: RESOURCES,
    actions: ACTIONS,
    eventTypes: EVENT_TYPES.map((info) => info.type),
  };
  let port = options.port;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((error: unknown) => reply(res, statusOf(error), { error: (error as Error).message }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a page from another site that resolves to 127.0.0.1 still says its own Host.
    if (!allowedHosts().includes(req.headers.host ?? '')) return reply(res, 403, { error: 'unknown Host' });
    const url = replayUrl(new URL(`http://${req.headers.host}`), req.url ?? '/');
    if (req.method === 'POST') {
      const origin = req.headers.origin;
      const sameOrigin = origin === undefined || allowedHosts().some((host) => origin === `http://${host}`);
      if (
        !sameOrigin ||
        req.headers['x-oblic-hooks-token'] !== token ||
        !/^application\/json/.test(req.headers['content-type'] ?? '')
      ) {
        return reply(res, 403, {
          error: 'forbidden: state-changing requests need the page token, the same origin and JSON',
        });
      }
      const input = parseInput(await readAll(req));
      if (url.pathname === '/api/replay') return reply(res, 200, await actions.replay(input));
      if (url.pathname === '/api/send') return reply(res, 200, await actions.sendSample(input));
      return reply(res, 404, { error: 'no such action' });
    }
    if (req.method !== 'GET') return reply(res, 405, { error: 'GET or POST only' });
    const file = PAGE_FILES.get(url.pathname);
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
      return void res.end(file.body);
    }
    if (url.pathname === '/api/config') return reply(res, 200, config);
    if (url.pathname === '/api/deliveries') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const found = q === '' ? entries : entries.filter((e) => matches(e, q));
      return reply(res, 200, found.map(summaryOf).reverse());
    }
    if (url.pathname === '/api/events') return stream.open(res);
    const match = /^\/api\/deliveries\/(\d+)(\/capture)?$/.exec(url.pathname);
    const entry = match ? history.find(Number(match[1])) : undefined;
    if (!entry) return reply(res, 404, { error: match ? dropped : 'no such page' });
    if (match?.[2]) {
      res.writeHead(200, {
        'content-type': 'message/http',
        'content-disposition': `attachment; filename="delivery-${entry.seq}.http"`,
      });
      return void res.end(captureOf(entry));
    }
    return reply(res, 200, detailOf(entry, options.listenerUrl));
  }

  function add(record: RequestRecord): void {
    const entry: Entry = {
      ...record,
      seq: ++nextSeq,
      forward: record.forward ? { status: record.forward.status, ms: record.forward.ms } : null,
    };
    history.add(entry);
    stream.publish(summaryOf(entry));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new InputError(`--ui-port ${options.port} is in use; pass another, or 0 for a free one`)
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: new URL(`http://127.0.0.1:${port}/`),
    add,
    close: () =>
      new Promise<void>((resolve) => {
        stream.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Said when the page asks for a delivery the history has let go (issue 13, item 28); MiB, as --ui-history-size takes it. */
function droppedMessage(limits: { count: number; bytes: number }): string {
  const mib = +(limits.bytes / 1024 ** 2).toFixed(1);
  return `this delivery is no longer held: the inspector keeps the newest ${plural(limits.count, 'delivery', 'deliveries')}, at most ${mib} MiB in all`;
}
