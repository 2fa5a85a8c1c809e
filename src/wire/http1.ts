import { InputError } from '../base/errors.js';
import { printable } from '../base/text.js';

// HTTP/1.1 request framing (RFC 9112) for captures: the head, how the body is delimited, chunked
// decoding. Shared by the capture reader (capture.ts) and the streaming check of large files.

const HEAD_LIMIT = 1024 * 1024;

const REQUEST_LINE = /^([A-Z][A-Z0-9!#$%&'*+.^_`|~-]*) (\S+) HTTP\/(\d)\.(\d)$/;

/** Every value of a header, looked up case-insensitively. */
export function headerValues(capture: { headers: ReadonlyArray<readonly [string, string]> }, name: string): string[] {
  const wanted = name.toLowerCase();
  return capture.headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
}

export function looksLikeRequestLine(data: Buffer): boolean {
  const end = data.indexOf(0x0a);
  const line = data
    .subarray(0, end === -1 ? Math.min(data.length, 8192) : end)
    .toString('latin1')
    .replace(/\r$/, '');
  return REQUEST_LINE.test(line);
}

/** How the body after a head is delimited (RFC 9112 §6). */
export type Framing = { kind: 'chunked' } | { kind: 'length'; length: number } | { kind: 'rest' };

export interface HttpHead {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  /** Offset of the first body byte. */
  bodyStart: number;
  framing: Framing;
}

/** The request line and headers up to the first empty line (CRLF or bare LF), and how the body is framed. */
export function parseHttpHead(data: Buffer): HttpHead {
  const { headEnd, bodyStart } = findHeadEnd(data);
  const lines = data.subarray(0, headEnd).toString('latin1').split(/\r?\n/);
  const match = REQUEST_LINE.exec(lines[0]!);
  if (!match) throw new InputError('not a capture: the first line is not an HTTP request line ("POST /path HTTP/1.1")');
  const headers: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^[ \t]/.test(line) && headers.length > 0) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous header's value
      headers[headers.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new InputError(`line ${i + 1} of the capture's head is not a header ("Name: value")`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const head = { headers };
  const encoding = headerValues(head, 'transfer-encoding').join(',').toLowerCase();
  const lengths = headerValues(head, 'content-length');
  let framing: Framing = { kind: 'rest' };
  if (encoding.includes('chunked')) {
    framing = { kind: 'chunked' };
  } else if (lengths.length > 0) {
    const distinct = [...new Set(lengths.map((v) => v.trim()))];
    if (distinct.length > 1 || !/^\d+$/.test(distinct[0]!)) {
      throw new InputError(
        `the capture's Content-Length is not one whole number (${printable(lengths.join(', '), 80)})`,
      );
    }
    framing = { kind: 'length', length: Number(distinct[0]) };
  }
  return { method: match[1]!, path: match[2]!, headers, bodyStart, framing };
}

export function truncated(length: number, available: number): InputError {
  return new InputError(
    `the capture is truncated: Content-Length says ${length} bytes but only ${available} follow the head`,
  );
}

function findHeadEnd(data: Buffer): { headEnd: number; bodyStart: number } {
  const limit = Math.min(data.length, HEAD_LIMIT);
  for (let i = 0; i < limit; i++) {
    if (data[i] !== 0x0a) continue;
    if (data[i + 1] === 0x0a) return { headEnd: i, bodyStart: i + 2 };
    if (data[i + 1] === 0x0d && data[i + 2] === 0x0a) return { headEnd: i, bodyStart: i + 3 };
  }
  // A head with no body and no final blank line: everything is head.
  if (data.length <= HEAD_LIMIT) return { headEnd: data.length, bodyStart: data.length };
  throw new InputError('the capture has no end of headers (an empty line) in its first MiB');
}

/** RFC 9112 §7.1: size in hex (extensions ignored), CRLF, data, CRLF … a zero-size chunk, trailers. */
export function decodeChunked(data: Buffer): { body: Buffer; consumed: number } {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf(0x0a, at);
    if (lineEnd === -1) throw new InputError('the chunked body is truncated (a chunk size line is missing)');
    const sizeText = data.subarray(at, lineEnd).toString('latin1').replace(/\r$/, '').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText))
      throw new InputError(`the chunked body has an invalid chunk size "${printable(sizeText, 20)}"`);
    const size = parseInt(sizeText, 16);
    at = lineEnd + 1;
    if (size === 0) {
      // Skip trailers up to the empty line; a missing final CRLF is tolerated.
      for (;;) {
        const end = data.indexOf(0x0a, at);
        if (end === -1) return { body: Buffer.concat(chunks), consumed: data.length };
        const line = data.subarray(at, end).toString('latin1').replace(/\r$/, '');
        at = end + 1;
        if (line === '') return { body: Buffer.concat(chunks), consumed: at };
      }
    }
    if (at + size > data.length)
      throw new InputError(`the chunked body is truncated: a chunk of ${size} bytes has only ${data.length - at}`);
    chunks.push(data.subarray(at, at + size));
    at += size;
    if (data[at] === 0x0d) at += 1;
    if (data[at] !== 0x0a) throw new InputError('the chunked body is malformed: a chunk is not followed by CRLF');
    at += 1;
  }
}
