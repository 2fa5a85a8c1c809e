import type { EventType } from '../oblic/events.js';
import type { OblicEvent } from '../oblic/models.js';
import type { ReceivedRequest } from '../signing/receive-source.js';
import {
  readOptions,
  verifyChecked,
  type RequestFailureReason,
  type VerifyRequestOptions,
} from '../signing/verify-request.js';
import { createMemoryStore, type IdempotencyStore } from './idempotency.js';
import { createInFlight } from './in-flight.js';
import { typesOf, type EventOf, type EventPattern } from './patterns.js';

export interface WebhooksOptions {
  /**
   * The endpoint's secret, or several while rotating. An unset one (undefined or '') is skipped, so
   * `[process.env.OBLIC_WEBHOOK_SECRET]` type-checks; with none left, createWebhooks throws a TypeError.
   */
  secrets: VerifyRequestOptions['secrets'];
  /** The largest body read, in bytes (default 1 MiB); a longer one is answered 413 without reading on. */
  maxBody?: number;
  /**
   * Where the ids of handled events are kept, so a retried delivery does not run the handlers twice.
   * Default: the last 10,000 ids in this process's memory (see createMemoryStore). `false` turns it off.
   */
  idempotency?: IdempotencyStore | false;
  /**
   * How long, in ms, a duplicate waits for the first delivery of its event while that one is still
   * being handled (default 30,000, an assumption: Oblic publishes no timeout). Past it the first
   * counts as lost, and the duplicate runs the handlers itself.
   */
  duplicateWait?: number;
}

/** A handler gets the verified, typed event; what it returns (or resolves to) is ignored, a throw is a 500. */
export type WebhookHandler<E extends OblicEvent = OblicEvent> = (event: E) => unknown;

/** Called when a handler throws, the store fails, or the endpoint is misused (then `event` is null). */
export type WebhookErrorHandler = (error: unknown, event: OblicEvent | null) => unknown;

/** Why a delivery got its answer: one word for logs and tests. */
export type WebhookOutcome =
  | 'handled'
  | 'duplicate'
  | 'unhandled_type'
  | 'unknown_type'
  | RequestFailureReason
  | 'invalid_event'
  | 'method_not_allowed'
  | 'handler_failed'
  | 'store_failed'
  | 'misuse';

/** The answer for one delivery, whatever the framework: adapters write it as it is. */
export interface WebhookAnswer {
  status: number;
  outcome: WebhookOutcome;
  headers: Record<string, string>;
  /** The response body: null for a 2xx, else the JSON text `{"error":"…"}`. */
  body: string | null;
  /** The verified event, when there is one. */
  event: OblicEvent | null;
}

interface Registration {
  types: Set<EventType>;
  handler: WebhookHandler<never>;
}

export interface WebhooksCore {
  on<P extends EventPattern>(pattern: P | readonly P[], handler: WebhookHandler<EventOf<P>>): this;
  off<P extends EventPattern>(pattern: P | readonly P[], handler: WebhookHandler<EventOf<P>>): this;
  onError(handler: WebhookErrorHandler): this;
  handle(request: ReceivedRequest): Promise<WebhookAnswer>;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/**
 * The framework-free part of createWebhooks: the handlers, and `handle`, which turns a request into
 * an answer. Nothing the sender does throws here; every path ends in a status (the README's table).
 */
export function createCore(options: WebhooksOptions): {
  core: WebhooksCore;
  misuse: (error: unknown) => WebhookAnswer;
} {
  const checked = readOptions(options, 'createWebhooks');
  const store = readStore(options?.idempotency);
  const registrations: Registration[] = [];
  const errorHandlers: WebhookErrorHandler[] = [];
  // A delivery whose event is being handled right now: a duplicate arriving meanwhile waits for it.
  const once = createInFlight<WebhookAnswer>(checkedWait(options?.duplicateWait));

  const report = (error: unknown, event: OblicEvent | null) => {
    if (errorHandlers.length === 0) {
      // Nobody listens: a failure must still show somewhere, as Express and octokit log theirs.
      if (event) console.error(`oblic-hooks: a handler of ${event.type} (event ${event.id}) failed:`, error);
      else console.error(`oblic-hooks: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    // An onError that throws is a bug of its own: both errors go to console.error rather than vanish.
    const lost = (thrown: unknown) => console.error('oblic-hooks: onError threw', thrown, 'while reporting', error);
    for (const handler of errorHandlers) {
      try {
        Promise.resolve(handler(error, event)).catch(lost);
      } catch (thrown) {
        lost(thrown);
      }
    }
  };

  const runOnce = async (event: OblicEvent, handlers: WebhookHandler<never>[]): Promise<WebhookAnswer> => {
    if (store) {
      try {
        if (await store.has(event.id)) return answer(204, 'duplicate', event);
      } catch (error) {
        report(error, event);
        return failed(500, 'store_failed', 'the idempotency store failed; retry the delivery later', event);
      }
    }
    for (const handler of handlers) {
      try {
        await (handler as WebhookHandler)(event);
      } catch (error) {
        report(error, event);
        return failed(500, 'handler_failed', `the handler of ${event.type} failed; retry the delivery later`, event);
      }
    }
    if (store) {
      try {
        await store.add(event.id);
      } catch (error) {
        report(error, event); // handled all the same: a 500 would run the handlers again
      }
    }
    return answer(204, 'handled', event);
  };

  const dispatch = async (event: OblicEvent): Promise<WebhookAnswer> => {
    const handlers = registrations.filter((r) => r.types.has(event.type)).map((r) => r.handler);
    if (handlers.length === 0) return answer(204, 'unhandled_type', event);
    const { result, joined } = await once(event.id, () => runOnce(event, handlers));
    return joined && result.status < 300 ? answer(204, 'duplicate', event) : result;
  };

  const core: WebhooksCore = {
    on(pattern, handler) {
      const types = patternTypes(pattern, 'on');
      if (typeof handler !== 'function')
        throw new TypeError('webhooks.on(pattern, handler) needs a function as handler');
      registrations.push({ types: new Set(types), handler: handler as WebhookHandler<never> });
      return this;
    },
    off(pattern, handler) {
      // Undoes one on(): the latest registration of this handler for any of these types.
      const types = patternTypes(pattern, 'off');
      const index = registrations.findLastIndex((r) => r.handler === handler && types.some((t) => r.types.has(t)));
      const registration = registrations[index];
      if (registration) {
        for (const type of types) registration.types.delete(type);
        if (registration.types.size === 0) registrations.splice(index, 1);
      }
      return this;
    },
    onError(handler) {
      if (typeof handler !== 'function') throw new TypeError('webhooks.onError(handler) needs a function');
      errorHandlers.push(handler);
      return this;
    },
    async handle(request) {
      try {
        const method = (request as { method?: unknown }).method;
        if (typeof method === 'string' && method.toUpperCase() !== 'POST') {
          return {
            ...failed(405, 'method_not_allowed', 'Oblic delivers webhooks with POST', null),
            headers: { ...JSON_TYPE, allow: 'POST' },
          };
        }
        const verdict = await verifyChecked(request, checked, 'webhooks');
        if (!verdict.verified) {
          const status = verdict.reason === 'body_too_large' ? 413 : verdict.reason === 'body_incomplete' ? 400 : 401;
          return failed(status, verdict.reason ?? 'mismatch', verdict.message, null);
        }
        if (verdict.event === null) {
          // A type this version does not know is one Oblic may add: 204, so it is not retried or disabled.
          if (verdict.eventError?.code === 'unknown_type') return answer(204, 'unknown_type', null);
          return failed(400, 'invalid_event', verdict.eventError?.message ?? 'the body is not an Oblic event', null);
        }
        return await dispatch(verdict.event);
      } catch (error) {
        // Only misuse gets here (verifyRequest's TypeErrors: a parsed body, the wrong object).
        return misuse(error);
      }
    },
  };
  /** Misuse: reported, and answered 500 with its message, which names the fix. */
  const misuse = (error: unknown): WebhookAnswer => {
    report(error, null);
    const message = error instanceof Error ? error.message : 'the webhook endpoint is misconfigured';
    return failed(500, 'misuse', message, null);
  };
  return { core, misuse };
}

function patternTypes(pattern: unknown, method: 'on' | 'off'): EventType[] {
  const patterns: unknown[] = Array.isArray(pattern) ? pattern : [pattern];
  if (patterns.length === 0) throw new TypeError(`webhooks.${method}([]) needs at least one event type or pattern`);
  return [...new Set(patterns.flatMap((p) => typesOf(p, method)))];
}

const DUPLICATE_WAIT = 30_000;

function checkedWait(given: unknown): number {
  if (given === undefined) return DUPLICATE_WAIT;
  if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 0 || given > 2 ** 31 - 1)
    throw new TypeError(
      `createWebhooks({ duplicateWait }) takes a number of ms, e.g. ${DUPLICATE_WAIT}; got ${typeof given === 'number' ? given : `${JSON.stringify(given) ?? String(given)} (${typeof given})`}`,
    );
  return given;
}

function readStore(given: unknown): IdempotencyStore | null {
  if (given === false) return null;
  if (given === undefined) return createMemoryStore();
  const store = given as Partial<IdempotencyStore> | null;
  if (typeof store?.has !== 'function' || typeof store.add !== 'function') {
    throw new TypeError(
      'createWebhooks({ idempotency }) takes a store with has(id) and add(id), or false to turn it off',
    );
  }
  return store as IdempotencyStore;
}

function answer(status: number, outcome: WebhookOutcome, event: OblicEvent | null): WebhookAnswer {
  return { status, outcome, headers: {}, body: null, event };
}

function failed(status: number, outcome: WebhookOutcome, error: string, event: OblicEvent | null): WebhookAnswer {
  return { status, outcome, headers: { ...JSON_TYPE }, body: JSON.stringify({ error }), event };
}
