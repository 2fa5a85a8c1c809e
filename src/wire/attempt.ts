import type { OutgoingRequest } from './request.js';

export interface DeliveryError {
  /** The system or undici code: ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, … */
  code: string;
  /** One line a person can act on. */
  message: string;
  /** Whether every further delivery to this target would fail the same way (nothing there at all). */
  fatal: boolean;
}

export interface DeliveryResult {
  status: number | null;
  ms: number;
  headers: Record<string, string | string[] | undefined>;
  /** The first `readBody` bytes of the response body, when asked for. */
  body: Buffer | null;
  error: DeliveryError | null;
  attempts: number;
}

/**
 * One way to reach the target: undici's Pool (src/wire/pool.ts) or node:http (src/wire/node-http.ts).
 * It makes single attempts; the deliverer around it chooses it and adds the retries.
 */
export interface Transport {
  attempt(request: OutgoingRequest, readBody: number): Promise<DeliveryResult>;
  /** Waits for what is in flight, then closes the connections. */
  close(): Promise<void>;
  /** Aborts what is in flight (Ctrl-C). */
  destroy(): Promise<void>;
}

export interface TransportOptions {
  /** Connections kept open to the target. */
  connections: number;
  timeoutMs: number;
  now: () => number;
  /** Words what went wrong in an attempt (the error as undici would have thrown it). */
  describe: (error: unknown, url: URL) => DeliveryError;
}

/** An attempt under way: what the transport tells it, in the order it learns it. */
export interface Attempt {
  readonly settled: boolean;
  /** The status line and headers have arrived. */
  respond(status: number, headers: DeliveryResult['headers']): void;
  /** A piece of the body; true once enough is kept, and the rest is to be dropped with its connection. */
  data(chunk: Buffer): boolean;
  /** The attempt is over: `null` when the response ended, else what went wrong. Only the first call counts. */
  settle(error: unknown): void;
}

/**
 * The bookkeeping every transport shares, so that both give the very same results: the attempt's own
 * deadline (undici's timeouts tick on a coarse timer wheel: 500 ms came out as 1 s, 1.5 s as 2 s,
 * issue 13, item 15), the first `readBody` bytes of the body, and one result however it ends.
 * `onDeadline` is told to abort the request once the deadline has settled it.
 */
export function startAttempt(
  options: TransportOptions,
  request: OutgoingRequest,
  readBody: number,
  resolve: (result: DeliveryResult) => void,
  onDeadline: (error: Error) => void,
): Attempt {
  const started = options.now();
  let status: number | null = null;
  let headers: DeliveryResult['headers'] = {};
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const deadline = setTimeout(() => {
    const error = timedOut(status === null ? 'UND_ERR_HEADERS_TIMEOUT' : 'UND_ERR_BODY_TIMEOUT');
    settle(error);
    onDeadline(error);
  }, options.timeoutMs);
  function settle(error: unknown): void {
    if (settled) return;
    settled = true;
    clearTimeout(deadline);
    const ms = options.now() - started;
    if (error !== null)
      resolve({
        status: null,
        ms,
        headers: {},
        body: null,
        error: options.describe(error, request.url),
        attempts: 1,
      });
    else
      resolve({
        status,
        ms,
        headers,
        body: readBody > 0 ? Buffer.concat(chunks, size).subarray(0, readBody) : null,
        error: null,
        attempts: 1,
      });
  }
  return {
    get settled() {
      return settled;
    },
    respond(statusCode, responseHeaders) {
      status = statusCode;
      headers = responseHeaders;
    },
    data(chunk) {
      if (readBody <= 0 || settled) return false;
      chunks.push(chunk);
      size += chunk.length;
      if (size < readBody) return false;
      settle(null); // enough to show
      return true;
    },
    settle,
  };
}

/**
 * Milliseconds on a monotonic clock, as `performance.now()` gives them: its first call loads
 * perf_hooks, about 1.3 ms of a single `send` (first call timed in `node -e`, six runs).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** What undici's own timeouts would have thrown, so that the error is worded the same. */
export function timedOut(code: 'UND_ERR_HEADERS_TIMEOUT' | 'UND_ERR_BODY_TIMEOUT'): Error {
  return Object.assign(new Error('the deadline passed'), { code });
}
