import type { IncomingMessage, ServerResponse } from 'node:http';
import { InputError } from '../base/errors.js';
import { readLimited } from '../signing/receive-body.js';

// How the inspector's API reads a request body and writes an answer: JSON both ways.

/** A page request over PAGE_REQUEST_LIMIT: answered 413 with a line that says so, not a reset connection. */
export class RequestTooLarge extends InputError {}

const PAGE_REQUEST_LIMIT = 4 * 1024 * 1024;

/** The request's body up to PAGE_REQUEST_LIMIT; past it the rest is dropped as it arrives, and the 413 sent. */
export function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    readLimited(req, PAGE_REQUEST_LIMIT, (body) => {
      if (body === 'too large')
        reject(new RequestTooLarge('the request is over the 4 MiB the inspector takes; edit a smaller body'));
      else if (body === 'aborted') reject(new InputError('the request ended before its body did'));
      else resolve(body);
    }),
  );
}

export function parseInput(bytes: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8') || '{}');
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new InputError('the request body is not a JSON object');
}

export function reply(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

/** The status for an error thrown while answering: 413 too large, 400 the page's input, 500 a bug. */
export function statusOf(error: unknown): number {
  return error instanceof RequestTooLarge ? 413 : error instanceof InputError ? 400 : 500;
}
