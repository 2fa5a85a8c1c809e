import { Pool } from 'undici';
import { describeError, type DeliveryError, type TargetWords } from '../wire/deliver.js';
import { tlsConnect } from '../wire/pool.js';
import type { TlsOptions } from '../wire/tls.js';

export interface ForwardResult {
  /** The app's status; null when it gave none. */
  status: number | null;
  ms: number;
  headers: Array<[string, string]>;
  body: Buffer;
  error: ForwardError | null;
}

/** Why a forward failed, with the listener's own answer for it and a few words for the row. */
export interface ForwardError extends DeliveryError {
  status: 502 | 504;
  label: string;
}

export interface Forwarder {
  forward(method: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Promise<ForwardResult>;
  close(): Promise<void>;
}

export interface ForwarderOptions {
  /** The whole forward, from connecting to the last byte of the app's answer (listen --forward-timeout). */
  timeoutMs: number;
  /** The largest answer body passed back (listen --max-body); beyond it the sender gets 502. */
  maxBody: number;
  /** How an https: app's certificate is checked (--ca, --insecure). */
  tls?: TlsOptions;
  now?: () => number;
}

const WORDS: TargetWords = { target: '--forward-to', timeout: '--forward-timeout', receiver: 'your app' };

// RFC 9110 §7.6.1: connection-specific headers are not forwarded; host and length are the transport's.
// Expect is this hop's business too: the listener already answered 100-continue, and undici refuses
// to send it (issue 13, item 7: curl adds it to any upload over 1 MiB, which got 502).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'host',
  'content-length',
]);

/** The headers that are end to end: without the hop-by-hop ones and those the Connection header names. */
function endToEnd(headers: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  const named = new Set(HOP_BY_HOP);
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'connection')
      for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  return headers.filter(([name]) => !named.has(name.toLowerCase())).map(([name, value]) => [name, value]);
}

/**
 * Sends each request on to the user's app with the exact body and the original headers (host
 * rewritten). The app's answer is read whole, up to `maxBody`, within one deadline (issue 13, item
 * 8): the sender then gets either the app's complete answer or the listener's own 502 or 504, never
 * a status followed by a cut-off body.
 */
export function createForwarder(target: URL, options: ForwarderOptions): Forwarder {
  const { timeoutMs } = options;
  const now = options.now ?? (() => performance.now());
  // undici's own limit cuts the connection at the first byte past maxBody, so no more is ever held.
  // Its per-phase timeouts are off: the one deadline below covers every phase.
  const pool = new Pool(target.origin, {
    connectTimeout: Math.min(timeoutMs, 10_000),
    headersTimeout: 0,
    bodyTimeout: 0,
    maxResponseSize: options.maxBody,
    ...tlsConnect(target, options.tls),
  });
  return {
    async forward(method, headers, body) {
      const started = now();
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(timedOut(timeoutMs)), timeoutMs);
      let status: number | null = null;
      try {
        const response = await pool.request({
          path: `${target.pathname}${target.search}`,
          method,
          headers: endToEnd(headers).flat(),
          body,
          signal: deadline.signal,
        });
        status = response.statusCode;
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(chunk as Buffer);
        const answer: Array<[string, string]> = [];
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) for (const v of Array.isArray(value) ? value : [value]) answer.push([name, v]);
        }
        return { status, ms: now() - started, headers: endToEnd(answer), body: Buffer.concat(chunks), error: null };
      } catch (error) {
        return {
          status,
          ms: now() - started,
          headers: [],
          body: Buffer.alloc(0),
          error: describeFailure(error, target, options),
        };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.close(),
  };
}

function describeFailure(error: unknown, target: URL, options: ForwarderOptions): ForwardError {
  const described: DeliveryError =
    (error as { code?: unknown }).code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE'
      ? {
          code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE',
          fatal: false,
          message: `the answer from ${target.href} is over ${options.maxBody} bytes; raise --max-body to pass it on`,
        }
      : describeError(error, target, options.timeoutMs, WORDS);
  return { ...described, ...gatewayAnswer(described.code) };
}

/** The error the deadline aborts with; ETIMEDOUT, as Node and got name a timeout of their own. */
function timedOut(ms: number): Error {
  return Object.assign(new Error(`no complete answer within ${ms} ms`), { code: 'ETIMEDOUT' });
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** `down` only when nothing could be reached (issue 13, item 7); 504 when the app was too slow. */
function gatewayAnswer(code: string): Pick<ForwardError, 'status' | 'label'> {
  if (UNREACHABLE.has(code)) return { status: 502, label: 'down' };
  if (code === 'ETIMEDOUT') return { status: 504, label: 'too slow' }; // the deadline: undici's own timeouts are off
  if (CLOSED.has(code)) return { status: 502, label: 'closed the connection' };
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return { status: 502, label: 'answer too large' };
  if (code.startsWith('HPE_')) return { status: 502, label: 'invalid HTTP' };
  return { status: 502, label: 'failed' };
}
