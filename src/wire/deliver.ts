import { openAgent } from './node-http.js';
import {
  type DeliveryError,
  type DeliveryResult,
  monotonicMs,
  type Transport,
  type TransportOptions,
} from './attempt.js';
import type { OutgoingRequest } from './request.js';
import type { TlsOptions } from './tls.js';

export type { DeliveryError, DeliveryResult } from './attempt.js';

export interface DelivererOptions {
  /** Connections kept open to the target (the pool size). */
  connections: number;
  timeoutMs: number;
  /** Further attempts after a network error or a 5xx. */
  retries: number;
  /** How many deliveries the run makes, when known: a short run to an http: target goes through node:http. */
  deliveries?: number;
  /** What error messages name (the flags, what should be listening): send's words by default. */
  words?: TargetWords;
  /** How an https: target's certificate is checked (--ca, --insecure); Node's defaults when absent. */
  tls?: TlsOptions;
  /** Backoff before retry n (1-based); injectable so tests need not wait. */
  backoffMs?: (attempt: number) => number;
  now?: () => number;
}

export interface Deliverer {
  deliver(request: OutgoingRequest, readBody?: number): Promise<DeliveryResult>;
  close(): Promise<void>;
  /** Aborts what is in flight (Ctrl-C) rather than waiting for it as `close` does. */
  destroy(): Promise<void>;
}

/**
 * Runs of at most this many deliveries go through node:http, longer ones through undici's Pool.
 * undici's parser is WebAssembly, compiled in every process: a single `send` took 2.39× `node -e 0`
 * through undici and 1.77× through node:http (21 alternating runs, medians). undici's dispatch is
 * the cheaper one per delivery; whole runs (process included) through node:http against undici
 * with its baseline parser took 0.88× for 1,000 deliveries 64 in flight, 1.01× for 1,000 one at a
 * time, and 1.25× for 3,000 64 in flight against undici as it is (5 to 7 alternating runs).
 */
export const NODE_HTTP_RUN = 1000;

/**
 * The one place that chooses how a run is delivered: node:http for a short run to an http: target
 * (its count known), undici's Pool for the rest (https keeps undici's TLS set-up).
 */
export function chooseTransport(origin: URL, deliveries: number | undefined): 'node:http' | 'undici' {
  return origin.protocol === 'http:' && deliveries !== undefined && deliveries <= NODE_HTTP_RUN
    ? 'node:http'
    : 'undici';
}

/** Exponential backoff with "equal jitter": half the step is fixed, half random; 250 ms, 500 ms, 1 s… capped at 8 s. */
export function defaultBackoff(attempt: number): number {
  const step = Math.min(8000, 250 * 2 ** (attempt - 1));
  return step / 2 + Math.random() * (step / 2);
}

/**
 * Deliveries to one origin, through the transport `chooseTransport` gives the run; redirects are
 * never followed (a 3xx is reported as it is). undici loads only when chosen.
 */
export function createDeliverer(origin: URL, options: DelivererOptions): Deliverer {
  const transportOptions: TransportOptions = {
    connections: options.connections,
    timeoutMs: options.timeoutMs,
    now: options.now ?? monotonicMs,
    describe: (error, url) => describeError(error, url, options.timeoutMs, options.words),
    ...(options.tls ? { tls: options.tls } : {}),
  };
  let transport: Transport | undefined =
    chooseTransport(origin, options.deliveries) === 'node:http' ? openAgent(origin, transportOptions) : undefined;
  const ready: Promise<Transport> = transport
    ? Promise.resolve(transport)
    : import('./pool.js').then(({ openPool }) => {
        transport = openPool(origin, transportOptions);
        return transport;
      });
  const attempt = (request: OutgoingRequest, readBody: number): Promise<DeliveryResult> =>
    transport ? transport.attempt(request, readBody) : ready.then((opened) => opened.attempt(request, readBody));
  const backoff = options.backoffMs ?? defaultBackoff;

  async function withRetries(request: OutgoingRequest, readBody: number): Promise<DeliveryResult> {
    let result = await attempt(request, readBody);
    for (let n = 1; n <= options.retries && shouldRetry(result); n++) {
      await new Promise((resolve) => setTimeout(resolve, backoff(n)));
      result = { ...(await attempt(request, readBody)), attempts: n + 1 };
    }
    return result;
  }

  return {
    // Without retries, the attempt's own promise: no async layer around it for each of 20,000 sends.
    deliver: (request, readBody = 0) =>
      options.retries === 0 ? attempt(request, readBody) : withRetries(request, readBody),
    close: () => ready.then((opened) => opened.close()),
    destroy: () => ready.then((opened) => opened.destroy()),
  };
}

function shouldRetry(result: DeliveryResult): boolean {
  return result.error !== null || (result.status !== null && result.status >= 500);
}

/** What a message names: the flags that set the target and the timeout, and what should be listening there. */
export interface TargetWords {
  target: string;
  timeout: string;
  receiver: string;
}

const SEND_WORDS: TargetWords = { target: '--to', timeout: '--timeout', receiver: '`oblic-hooks listen` or your app' };

/** Maps what undici and the OS say to one line naming the problem and the fix (in `words`: send's by default). */
export function describeError(
  error: unknown,
  url: URL,
  timeoutMs: number,
  words: TargetWords = SEND_WORDS,
): DeliveryError {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  // undici's HTTPParserError carries no code for some llhttp errors (a server that answers
  // "NOT HTTP"), so its name says what it is.
  const code = err.code ?? err.cause?.code ?? (err.name === 'HTTPParserError' ? 'HPE_INVALID' : 'ERROR');
  const where = url.origin;
  switch (code) {
    case 'ECONNREFUSED':
      return {
        code,
        fatal: true,
        message: `nothing is listening at ${url.href}; start ${words.receiver}, or point ${words.target} at it`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, fatal: true, message: `cannot resolve the host "${url.hostname}"; check ${words.target}` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { code, fatal: true, message: `cannot reach ${where} (${code}); check ${words.target}` };
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code, fatal: true, message: `connecting to ${where} timed out; check ${words.target}` };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return {
        code,
        fatal: false,
        message: `no complete response from ${url.href} within ${timeoutMs} ms; raise ${words.timeout} or make the app answer sooner`,
      };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { code, fatal: false, message: `${where} closed the connection before answering (${code})` };
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return {
        code,
        fatal: true,
        message: `TLS failed with ${where}; is it plain http? try ${where.replace(/^https:/, 'http:')}`,
      };
    default:
      if (code.startsWith('ERR_TLS') || code.includes('CERT')) {
        // A development server's own certificate: Node trusts it when told where it is.
        const own = ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'];
        const trust = own.includes(code)
          ? '; to trust it, pass --ca <its certificate file> (or --insecure, for a loopback target only)'
          : '';
        return { code, fatal: true, message: `TLS failed with ${where}: ${err.message}${trust}` };
      }
      if (code.startsWith('HPE_') || code === 'UND_ERR_INFO') {
        return { code, fatal: false, message: `${where} sent a response that is not valid HTTP (${code})` };
      }
      return { code, fatal: false, message: `delivery to ${url.href} failed: ${err.message || code}` };
  }
}
