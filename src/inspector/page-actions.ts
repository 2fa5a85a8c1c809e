import { InputError } from '../base/errors.js';
import { type EventType, isEventType } from '../oblic/events.js';
import type { DeliveryError } from '../wire/deliver.js';
import { type OutgoingRequest, replayRequest } from '../wire/request.js';
import { parseTarget } from '../wire/target.js';
import type { Entry } from './history.js';

// What the page's buttons do: replay a delivery (as it came, re-signed, or with an edited body) and
// send a fresh sample event. Both answer { status, ms, error, url } in the page's own words.

export interface SendOptions {
  secrets: readonly string[];
  listenerUrl: URL;
  forwardTo?: URL | undefined;
  /** Sends one request (replay, edited replay, sample); injected so the core stays testable. */
  send: (request: OutgoingRequest) => Promise<{ status: number | null; ms: number; error: DeliveryError | null }>;
  /** Builds a fresh sample event of a type. */
  sample: (type: EventType) => Buffer;
}

/** What the page shows after a send: the answer's status (null: none), or why there was none. */
export interface PageAnswer {
  status: number | null;
  ms: number;
  error: string | null;
  /** Where it went. */
  url: string;
  /** The signature sent, for a replay. */
  signature?: string;
}

export interface PageActions {
  /** POST /api/replay: { seq, url?, body?, resign? }. */
  replay(input: Record<string, unknown>): Promise<PageAnswer>;
  /** POST /api/send: { type, url? }. */
  sendSample(input: Record<string, unknown>): Promise<PageAnswer>;
}

/** `find` looks a delivery up in the history; `dropped` is said when it is no longer there. */
export function createPageActions(
  options: SendOptions,
  find: (seq: number) => Entry | undefined,
  dropped: string,
): PageActions {
  async function sendFromPage(request: OutgoingRequest) {
    const result = await options.send(request);
    return { ...result, error: result.error && inPageTerms(result.error) };
  }

  return {
    async replay(input) {
      const entry = typeof input.seq === 'number' ? find(input.seq) : undefined;
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
      return {
        ...(await sendFromPage(request)),
        signature: request.signature,
        url: target.href,
      };
    },

    async sendSample(input) {
      if (typeof input.type !== 'string' || !isEventType(input.type)) throw new InputError('unknown event type');
      const target =
        typeof input.url === 'string' && input.url.trim() !== '' ? parseTarget(input.url) : options.listenerUrl;
      const body = options.sample(input.type);
      const request = replayRequest(target, [['content-type', 'application/json']], body, options.secrets[0]);
      return { ...(await sendFromPage(request)), url: target.href };
    },
  };
}

/**
 * Advice for the page, whose URL field stands for --to and which has no --timeout: a fix naming a
 * flag is reworded (issue 13, item 29). The wording is made in wire/deliver.ts's describeError,
 * whose TargetWords fill flag names into fixed sentences ("point --to at it", "raise --timeout or
 * …"); the page's sentences have another shape, so they are put here rather than there.
 */
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
