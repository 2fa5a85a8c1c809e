import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseCapture } from '../wire/capture.js';
import type { DeliveryError } from '../wire/deliver.js';
import { InputError } from '../base/errors.js';
import { ACTIONS, EVENT_TYPES, isEventType, RESOURCES, resourceOf, type EventType } from '../oblic/events.js';
import { readSmallFile } from '../base/files.js';
import { summarizeEvent } from '../oblic/summary.js';
import { inspectCapture, type Inspection } from '../wire/verdict.js';
import { createHistory } from './history.js';
import { PAGE_FILES, SECURITY_HEADERS } from './page.js';
import { renderCurl, replayRequest, replayUrl, type HeaderList } from '../wire/request.js';
import { renderCapture } from '../listen/save.js';
import type { RequestRecord } from '../listen/server.js';
import { parseTarget } from '../wire/target.js';
import { plural } from '../base/text.js';

/** One delivery as the inspector keeps it: the listener's record, less what only the terminal needs. */
export type Entry = Pick<
  RequestRecord,
  'seq' | 'receivedAt' | 'method' | 'path' | 'httpVersion' | 'headers' | 'body' | 'inspection'
> & {
  /** What the listener answered; null for a delivery reloaded from --save. */
  status: number | null;
  forward: { status: number | null; ms: number } | null;
};

export interface InspectorOptions {
  port: number;
  /** Deliveries kept at most, and bytes they may hold (the oldest go first). */
  history: { count: number; bytes: number };
  secrets: readonly string[];
  listenerUrl: URL;
  forwardTo?: URL | undefined;
  saveDir?: string | undefined;
  /** Sends one request (replay, edited replay, sample); injected so the core stays testable. */
  send: (
    url: URL,
    headers: HeaderList,
    body: Buffer,
  ) => Promise<{ status: number | null; ms: number; error: DeliveryError | null }>;
  /** Builds a fresh sample event of a type. */
  sample: (type: EventType) => Buffer;
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
  const streams = new Set<ServerResponse>();
  let port = options.port;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((error: unknown) =>
      reply(res, error instanceof RequestTooLarge ? 413 : error instanceof InputError ? 400 : 500, {
        error: (error as Error).message,
      }),
    );
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
      if (url.pathname === '/api/replay') return reply(res, 200, await replay(input));
      if (url.pathname === '/api/send') return reply(res, 200, await sendSample(input));
      return reply(res, 404, { error: 'no such action' });
    }
    if (req.method !== 'GET') return reply(res, 405, { error: 'GET or POST only' });
    const file = PAGE_FILES.get(url.pathname);
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
      return void res.end(file.body);
    }
    // What varies per run, and what the server knows (the event types), reaches the page as JSON,
    // never pasted into its markup or script (issue 13, item 26).
    if (url.pathname === '/api/config') {
      return reply(res, 200, {
        token,
        listener: options.listenerUrl.href,
        forwardTo: options.forwardTo?.href ?? '',
        dropped,
        resources: RESOURCES,
        actions: ACTIONS,
        eventTypes: EVENT_TYPES.map((info) => info.type),
      });
    }
    if (url.pathname === '/api/deliveries') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const found = q === '' ? entries : entries.filter((e) => matches(e, q));
      return reply(res, 200, found.map(summaryOf).reverse());
    }
    if (url.pathname === '/api/events') return openStream(res);
    const match = /^\/api\/deliveries\/(\d+)(\/capture)?$/.exec(url.pathname);
    const entry = match ? history.find(Number(match[1])) : undefined;
    if (!entry) return reply(res, 404, { error: match ? dropped : 'no such page' });
    if (match?.[2]) {
      res.writeHead(200, {
        'content-type': 'message/http',
        'content-disposition': `attachment; filename="delivery-${entry.seq}.http"`,
      });
      return void res.end(renderCapture(entry, entry.body ?? Buffer.alloc(0)));
    }
    return reply(res, 200, detailOf(entry, options.listenerUrl));
  }

  function openStream(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  }

  async function replay(input: Record<string, unknown>) {
    const entry = typeof input.seq === 'number' ? history.find(input.seq) : undefined;
    if (!entry) throw new InputError(dropped);
    if (entry.body === null)
      throw new InputError('this delivery has no body to replay: it was refused before its body was read');
    const target =
      typeof input.url === 'string' && input.url.trim() !== '' ? parseTarget(input.url) : options.forwardTo;
    if (!target) throw new InputError('type a URL to replay to: this listener forwards nowhere');
    const edited = typeof input.body === 'string';
    const body = edited ? Buffer.from(input.body as string, 'utf8') : entry.body;
    const request = replayRequest(
      target,
      entry.headers,
      body,
      edited || input.resign === true ? options.secrets[0] : undefined,
    );
    return { ...(await sendFromPage(target, request.headers, body)), signature: request.signature, url: target.href };
  }

  async function sendSample(input: Record<string, unknown>) {
    if (typeof input.type !== 'string' || !isEventType(input.type)) throw new InputError('unknown event type');
    const target =
      typeof input.url === 'string' && input.url.trim() !== '' ? parseTarget(input.url) : options.listenerUrl;
    const body = options.sample(input.type);
    const request = replayRequest(target, [['content-type', 'application/json']], body, options.secrets[0]);
    return { ...(await sendFromPage(target, request.headers, body)), url: target.href };
  }

  async function sendFromPage(target: URL, headers: HeaderList, body: Buffer) {
    const result = await options.send(target, headers, body);
    return { ...result, error: result.error && inPageTerms(result.error) };
  }

  function add(record: RequestRecord): void {
    const entry: Entry = {
      ...record,
      seq: ++nextSeq,
      forward: record.forward ? { status: record.forward.status, ms: record.forward.ms } : null,
    };
    history.add(entry);
    const data = `data: ${JSON.stringify(summaryOf(entry))}\n\n`;
    for (const stream of streams) stream.write(data);
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
        for (const stream of streams) stream.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Advice for the page, whose URL field stands for --to and which has no --timeout: a fix naming a flag is reworded (issue 13, item 29). */
const PAGE_FIXES: Record<string, string> = {
  ECONNREFUSED: 'start your app, or change the URL',
  UND_ERR_HEADERS_TIMEOUT: 'make the app answer sooner',
  UND_ERR_BODY_TIMEOUT: 'make the app answer sooner',
};

function inPageTerms(error: DeliveryError): string {
  const at = error.message.lastIndexOf('; ');
  if (at === -1 || !/(^|[\s`(])--[a-z]/.test(error.message.slice(at))) return error.message;
  return `${error.message.slice(0, at)}; ${PAGE_FIXES[error.code] ?? 'check the URL'}`;
}

/** Said when the page asks for a delivery the history has let go (issue 13, item 28); MiB, as --ui-history-size takes it. */
function droppedMessage(limits: { count: number; bytes: number }): string {
  const mib = +(limits.bytes / 1024 ** 2).toFixed(1);
  return `this delivery is no longer held: the inspector keeps the newest ${plural(limits.count, 'delivery', 'deliveries')}, at most ${mib} MiB in all`;
}

function parseInput(bytes: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8') || '{}');
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new InputError('the request body is not a JSON object');
}

function reply(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

/** A page request over PAGE_REQUEST_LIMIT: answered 413 with a line that says so, not a reset connection. */
class RequestTooLarge extends InputError {}

const PAGE_REQUEST_LIMIT = 4 * 1024 * 1024;

/** The request's body up to PAGE_REQUEST_LIMIT; past it the rest is read and dropped, so the 413 can be sent. */
function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= PAGE_REQUEST_LIMIT) chunks.push(chunk);
    });
    req.on('end', () =>
      size > PAGE_REQUEST_LIMIT
        ? reject(new RequestTooLarge('the request is over the 4 MiB the inspector takes; edit a smaller body'))
        : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function badgeOf(inspection: Inspection | null): string {
  if (!inspection) return 'none';
  if (inspection.verdict.verified) return 'verified';
  return inspection.verdict.reason === 'missing_signature' ? 'unsigned' : 'invalid';
}

/** A row of the list. */
export function summaryOf(entry: Entry) {
  const event = entry.inspection?.event ?? null;
  const resource = event && isEventType(event.type) ? resourceOf(event.type) : null;
  return {
    seq: entry.seq,
    time: entry.receivedAt.toISOString(),
    method: entry.method,
    path: entry.path,
    type: event?.type ?? null,
    id: event?.id ?? null,
    resource,
    badge: badgeOf(entry.inspection),
    status: entry.status,
    appStatus: entry.forward?.status ?? null,
    size: entry.body?.length ?? 0,
  };
}

/** Everything the detail view shows. */
function detailOf(entry: Entry, listener: URL) {
  const body = entry.body ?? Buffer.alloc(0);
  const text = isUtf8(body) ? body.toString('utf8') : null;
  let summary = '';
  try {
    const parsed = JSON.parse(text ?? '') as { type?: unknown; payload?: unknown };
    if (typeof parsed.type === 'string') summary = summarizeEvent(parsed.type, parsed.payload);
  } catch {
    // not JSON: no summary
  }
  return {
    ...summaryOf(entry),
    headers: entry.headers,
    body: text,
    bodyBase64: text === null ? body.toString('base64') : null,
    raw: renderCapture(entry, body).toString('latin1'),
    verdict: entry.inspection?.verdict ?? null,
    hints: entry.inspection?.hints ?? [],
    summary,
    curl: renderCurl(replayRequest(replayUrl(listener, entry.path), entry.headers, body)).toString('utf8'),
  };
}

/** The largest capture reloaded; a larger file is skipped like one that does not parse. */
const RELOAD_FILE_LIMIT = 16 * 1024 * 1024;

/** Yesterday's deliveries: the newest `limit` captures of the --save directory, checked again, oldest first, each to `keep`. */
async function reload(
  dir: string,
  limit: number,
  secrets: readonly string[],
  keep: (entry: Entry) => void,
): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir))
      .filter((name) => name.endsWith('.http'))
      .sort()
      .slice(-limit);
  } catch {
    return;
  }
  for (const [i, name] of names.entries()) {
    try {
      // readSmallFile: a FIFO named *.http is skipped at once instead of blocking start-up (issue 13, item 23).
      const capture = parseCapture((await readSmallFile(join(dir, name), { limit: RELOAD_FILE_LIMIT })).bytes);
      const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z/.exec(name);
      const receivedAt = stamp
        ? new Date(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}.${stamp[7]}Z`)
        : new Date(0);
      keep({
        seq: i + 1,
        receivedAt,
        method: capture.method ?? 'POST',
        path: capture.path ?? '/',
        httpVersion: '1.1',
        headers: capture.headers,
        body: capture.body,
        inspection: inspectCapture(capture, secrets),
        status: null,
        forward: null,
      });
    } catch {
      // a capture that no longer parses is skipped, not fatal
    }
  }
}

/** Free-text search over the id, the type and the body. */
function matches(entry: Entry, q: string): boolean {
  const event = entry.inspection?.event;
  return [event?.id ?? '', event?.type ?? '', entry.body?.toString('utf8') ?? ''].some((text) =>
    text.toLowerCase().includes(q),
  );
}
