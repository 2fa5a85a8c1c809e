import type { RequestRecord } from '../../src/listen/record.js';

// What must run built: a worker thread runs JavaScript files, so the tests drive listen's verifying
// thread from src/ with the bundle's worker (dist/bundle/worker.js, which npm test builds first).
export const BUILT_WORKER = new URL('../../dist/bundle/worker.js', import.meta.url);

/** A request as the listener records it before it is verified: POST /, answered 200. */
export function recordOf(seq: number, body: Buffer, headers: Array<[string, string]> = []): RequestRecord {
  return {
    seq,
    receivedAt: new Date(),
    method: 'POST',
    path: '/',
    httpVersion: '1.1',
    headers,
    body,
    size: body.length,
    inspection: null,
    status: 200,
    forward: null,
    savedAs: null,
    refusal: null,
  };
}
