import { InputError, isOblicHooksError } from '../base/errors.js';
import { plural } from '../base/text.js';
import { decodeChunked, looksLikeRequestLine, parseHttpHead, truncated } from './http1.js';

/** A captured request, with the body exactly as it was received. */
export interface Capture {
  format: 'http' | 'json' | 'body';
  method: string | null;
  path: string | null;
  /** Header names as captured (case kept), in order; duplicates stay separate. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** Anything odd about the capture that is worth saying (bytes after the body, …). */
  notes: string[];
}

/** What a command takes besides a capture, said after "not a capture" (verify: a bare body with --signature). */
export interface CaptureOptions {
  otherwise?: string;
}

/**
 * How many first bytes decide whether input can be a capture at all (`looksLikeCapture`): room for
 * a request line as long as a whole head the listener accepts (16 KiB), and more.
 */
export const CAPTURE_PROBE = 64 * 1024;

/**
 * Reads a capture: a raw HTTP/1.1 request (as `nc -l` prints it or `listen --save` stores it) or the
 * JSON object `listen --json` prints. Anything else is an InputError saying what was expected.
 */
export function parseCapture(data: Buffer, options: CaptureOptions = {}): Capture {
  if (data.length === 0)
    throw new InputError('the capture is empty (0 bytes): give a capture file, or pipe one in on standard input');
  const first = firstNonSpace(data);
  if (first === 0x7b /* { */) {
    const json = parseJsonCapture(data);
    if (json) return json;
  }
  if (looksLikeRequestLine(data)) return parseHttpCapture(data);
  throw notACapture(options);
}

/**
 * Every capture in the data: one, or one per line of a `listen --json` log (NDJSON). An error in a
 * line names the line.
 */
export function parseCaptures(data: Buffer, options: CaptureOptions = {}): Capture[] {
  const lines = jsonLines(data);
  if (lines === null) return [parseCapture(data, options)];
  const captures: Capture[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      captures.push(parseCapture(Buffer.from(line, 'utf8'), options));
    } catch (error) {
      throw isOblicHooksError(error) ? new InputError(`line ${i + 1}: ${error.message}`) : error;
    }
  });
  return captures;
}

/**
 * Whether input that starts with these bytes (its first CAPTURE_PROBE) can be a capture: a JSON
 * object or an HTTP request line. Decided before the rest is read, so that a 2 GB file of zeros is
 * refused at once (issue 13, item 9).
 */
export function looksLikeCapture(start: Buffer): boolean {
  const head = start.subarray(0, CAPTURE_PROBE);
  return firstNonSpace(head) === 0x7b || looksLikeRequestLine(head);
}

export function notACapture(options: CaptureOptions = {}): InputError {
  return new InputError(
    'not a capture: expected an HTTP request ("POST /path HTTP/1.1", headers, blank line, body) or a `listen --json` line' +
      (options.otherwise ? `; ${options.otherwise}` : ''),
  );
}

/** The lines of a `listen --json` log, or null when the data is not several lines that each hold an object. */
function jsonLines(data: Buffer): string[] | null {
  if (firstNonSpace(data) !== 0x7b) return null;
  const lines = data.toString('utf8').split('\n');
  const filled = lines.filter((line) => line.trim() !== '');
  return filled.length > 1 && filled.every((line) => line.trim().startsWith('{')) ? lines : null;
}

/** The bare body and a signature given on the command line. */
export function bareCapture(body: Buffer, signature: string): Capture {
  return { format: 'body', method: null, path: null, headers: [['x-oblic-signature', signature]], body, notes: [] };
}

function firstNonSpace(data: Buffer): number | undefined {
  for (let i = 0; i < Math.min(data.length, 4096); i++) {
    const byte = data[i]!;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
  }
  return undefined;
}

export function parseHttpCapture(data: Buffer): Capture {
  const head = parseHttpHead(data);
  const rest = data.subarray(head.bodyStart);
  const capture: Capture = {
    format: 'http',
    method: head.method,
    path: head.path,
    headers: head.headers,
    body: rest,
    notes: [],
  };
  if (head.framing.kind === 'chunked') {
    const { body, consumed } = decodeChunked(rest);
    capture.body = body;
    if (consumed < rest.length)
      capture.notes.push(`${plural(rest.length - consumed, 'byte')} after the chunked body ignored`);
  } else if (head.framing.kind === 'length') {
    const { length } = head.framing;
    if (length > rest.length) throw truncated(length, rest.length);
    capture.body = rest.subarray(0, length);
    if (length < rest.length)
      capture.notes.push(`${plural(rest.length - length, 'byte')} after the Content-Length body ignored`);
  }
  return capture;
}

interface JsonCaptureShape {
  method?: unknown;
  path?: unknown;
  headers?: unknown;
  body?: unknown;
  body_base64?: unknown;
}

/** The object `listen --json` prints: headers as an object, `body` (UTF-8 text) or `body_base64`. */
function parseJsonCapture(data: Buffer): Capture | undefined {
  let value: unknown;
  const text = data.toString('utf8').trim();
  try {
    value = JSON.parse(text);
  } catch {
    if (jsonLines(data) !== null)
      throw new InputError('the input holds several `listen --json` lines, not one capture');
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const shape = value as JsonCaptureShape;
  if (shape.headers === null || typeof shape.headers !== 'object' || Array.isArray(shape.headers)) return undefined;
  if (typeof shape.body !== 'string' && typeof shape.body_base64 !== 'string') return undefined;
  const headers: Array<[string, string]> = [];
  for (const [name, raw] of Object.entries(shape.headers as Record<string, unknown>)) {
    for (const v of Array.isArray(raw) ? raw : [raw]) if (typeof v === 'string') headers.push([name, v]);
  }
  const body =
    typeof shape.body_base64 === 'string'
      ? Buffer.from(shape.body_base64, 'base64')
      : Buffer.from(shape.body as string, 'utf8');
  return {
    format: 'json',
    method: typeof shape.method === 'string' ? shape.method : null,
    path: typeof shape.path === 'string' ? shape.path : null,
    headers,
    body,
    notes: [],
  };
}
