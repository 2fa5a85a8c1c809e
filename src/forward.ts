import { Pool } from 'undici';
import { describeError, type DeliveryError, type TargetWords } from './deliver.js';

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

const WORDS: TargetWords = { target: '--forward-to', timeout: '--timeout', receiver: 'your app' };

// RFC 9110 §7.6.1: connection-specific headers are not forwarded; host and length are the transport's.
// Expect is this hop's business too: the listener already answered 100-continue, and undici refuses
// to send it (issue 13, item 7: curl adds it to any upload over 1 MiB, which got 502).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'host', 'content-length']);

/** The headers that are end to end: without the hop-by-hop ones and those the Connection header names. */
export function endToEnd(headers: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  const named = new Set(HOP_BY_HOP);
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'connection') for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  return headers.filter(([name]) => !named.has(name.toLowerCase())).map(([name, value]) => [name, value]);
}

/** Sends each request on to the user's app with the exact body and the original headers (host rewritten). */
export function createForwarder(target: URL, timeoutMs: number, now: () => number = () => performance.now()): Forwarder {
  const pool = new Pool(target.origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000) });
  return {
    async forward(method, headers, body) {
      const started = now();
      try {
        const response = await pool.request({ path: `${target.pathname}${target.search}`, method, headers: endToEnd(headers).flat(), body });
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(chunk as Buffer);
        const answer: Array<[string, string]> = [];
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) for (const v of Array.isArray(value) ? value : [value]) answer.push([name, v]);
        }
        return { status: response.statusCode, ms: now() - started, headers: endToEnd(answer), body: Buffer.concat(chunks), error: null };
      } catch (error) {
        const described = describeError(error, target, timeoutMs, WORDS);
        return { status: null, ms: now() - started, headers: [], body: Buffer.alloc(0), error: { ...described, ...gatewayAnswer(described.code) } };
      }
    },
    close: () => pool.close(),
  };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** `down` only when nothing could be reached (issue 13, item 7); 504 when the app was too slow. */
function gatewayAnswer(code: string): Pick<ForwardError, 'status' | 'label'> {
  if (UNREACHABLE.has(code)) return { status: 502, label: 'down' };
  if (TIMEOUTS.has(code)) return { status: 504, label: 'too slow' };
  if (CLOSED.has(code)) return { status: 502, label: 'closed the connection' };
  if (code.startsWith('HPE_')) return { status: 502, label: 'invalid HTTP' };
  return { status: 502, label: 'failed' };
}
