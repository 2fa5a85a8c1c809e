import type { TlsOptions } from './tls.js';
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
  /** How an https: target's certificate is checked (--ca, --insecure). */
  tls?: TlsOptions;
}

/**
 * An attempt under way, and the bookkeeping every transport shares so that both give the very same
 * results: the attempt's own deadline (undici's timeouts tick on a coarse timer wheel: 500 ms came
 * out as 1 s, 1.5 s as 2 s, issue 13, item 15), the first `readBody` bytes of the body, and one
 * result however it ends. The transport tells it what it learns, in that order; `onDeadline` is told
 * to abort the request once the deadline has settled it. A class, not an object of closures: a load
 * run makes one per delivery, and the object of closures (and a getter) cost 20,000 deliveries at 64
 * in flight 1.25× and 1.29× the CPU of before the split, most of it in the garbage collector; the
 * class costs 1.02× (9 alternating runs).
 */
export class Attempt {
  private done = false;
  private status: number | null = null;
  private headers: DeliveryResult['headers'] = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly started: number;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly options: TransportOptions,
    private readonly request: OutgoingRequest,
    private readonly readBody: number,
    private readonly resolve: (result: DeliveryResult) => void,
    onDeadline: (error: Error) => void,
  ) {
    this.started = options.now();
    this.deadline = setTimeout(() => {
      const error = timedOut(this.status === null ? 'UND_ERR_HEADERS_TIMEOUT' : 'UND_ERR_BODY_TIMEOUT');
      this.settle(error);
      onDeadline(error);
    }, options.timeoutMs);
  }

  get settled(): boolean {
    return this.done;
  }

  /** The status line and headers have arrived. */
  respond(status: number, headers: DeliveryResult['headers']): void {
    this.status = status;
    this.headers = headers;
  }

  /** A piece of the body; true once enough is kept, and the rest is to be dropped with its connection. */
  data(chunk: Buffer): boolean {
    if (this.readBody <= 0 || this.done) return false;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < this.readBody) return false;
    this.settle(null); // enough to show
    return true;
  }

  /** The attempt is over: `null` when the response ended, else what went wrong. Only the first call counts. */
  settle(error: unknown): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.deadline);
    const ms = this.options.now() - this.started;
    if (error !== null)
      this.resolve({
        status: null,
        ms,
        headers: {},
        body: null,
        error: this.options.describe(error, this.request.url),
        attempts: 1,
      });
    else
      this.resolve({
        status: this.status,
        ms,
        headers: this.headers,
        body: this.readBody > 0 ? Buffer.concat(this.chunks, this.size).subarray(0, this.readBody) : null,
        error: null,
        attempts: 1,
      });
  }
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
