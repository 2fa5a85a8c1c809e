import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import { Attempt, timedOut, type Transport, type TransportOptions } from './attempt.js';
import { connectOptions, type TlsOptions } from './tls.js';

/**
 * undici's Pool, loaded on its own, for `send` (which only dispatches). undici's index loads all of
 * undici (fetch, web streams, WebSocket, the cache, the mocks): about 65 ms of a `send`'s start-up
 * here, against about 21 ms for the Pool and what it needs. undici has no "exports" map, so its files
 * may be required directly; the version is pinned, and a test checks that this is the very class
 * undici exports. Only `dispatch` is there: `request` and the other helpers are added to the
 * prototype by undici's index, which `--forward-to` loads.
 */
export const Pool: typeof UndiciPool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js');
export type Pool = UndiciPool;

/** The transport for long runs: one undici Pool for the origin; redirects are never followed. */
export function openPool(origin: URL, options: TransportOptions): Transport {
  const pool = new Pool(origin.origin, {
    connections: options.connections,
    pipelining: 1,
    // Each attempt keeps its own deadline (src/wire/attempt.ts) instead of undici's coarse timeouts.
    headersTimeout: 0,
    bodyTimeout: 0,
    connectTimeout: Math.min(options.timeoutMs, 10_000),
    ...tlsConnect(origin, options.tls),
  });

  /**
   * One attempt, through undici's dispatch API with a handler of our own: the body is read (or
   * dropped) as it arrives, with no response stream and no promise per chunk. A bare load script
   * ran 15% faster this way than with `pool.request` and `body.dump()`.
   */
  return {
    attempt: (request, readBody) =>
      new Promise((resolve) => {
        let controller: Dispatcher.DispatchController | undefined;
        const attempt = new Attempt(options, request, readBody, resolve, (error) => controller?.abort(error));
        const handler: Dispatcher.DispatchHandler = {
          // Its presence also tells undici this is a handler of the current API.
          onRequestStart(requestController) {
            controller = requestController;
            // The deadline passed while it waited for a connection.
            if (attempt.settled) requestController.abort(timedOut('UND_ERR_HEADERS_TIMEOUT'));
          },
          onResponseStart: (_controller, statusCode, headers) => attempt.respond(statusCode, headers),
          onResponseData(dataController, chunk) {
            if (attempt.data(chunk)) dataController.abort(new Error('response body read far enough'));
          },
          onResponseEnd: () => attempt.settle(null),
          onResponseError: (_controller, error) => attempt.settle(error),
        };
        try {
          pool.dispatch(
            {
              path: `${request.url.pathname}${request.url.search}`,
              method: 'POST',
              headers: request.headers.flat(),
              body: request.body,
            },
            handler,
          );
        } catch (error) {
          attempt.settle(error);
        }
      }),
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}

/** `{ connect }` for undici when an https: target's certificate is checked otherwise than by default. */
export function tlsConnect(
  origin: URL,
  tls: TlsOptions | undefined,
): { connect?: { ca?: string[]; rejectUnauthorized?: boolean } } {
  const connect = connectOptions(origin, tls);
  return connect ? { connect } : {};
}
