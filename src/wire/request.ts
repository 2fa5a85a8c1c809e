import { isUtf8 } from 'node:buffer';
import { InputError } from '../base/errors.js';
import { sign } from '../signing/sign.js';
import { shellQuote } from '../base/text.js';

export const SIGNATURE_HEADER = 'x-oblic-signature';

/** Header name/value pairs in the order they go out; a name may repeat (a replayed capture keeps its duplicates). */
export type HeaderList = Array<[string, string]>;

export interface OutgoingRequest {
  url: URL;
  /** `host` and `content-length` are added by the transport. */
  headers: HeaderList;
  body: Buffer;
  /** The signature computed over `body`, whatever `headers` says after -H overrides. */
  signature: string;
}

/** A header as `-H "Name: value"` gives it; an empty value removes the header, as with curl. */
export interface HeaderOverride {
  name: string;
  value: string;
}

const TRANSPORT_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
  'keep-alive',
  'upgrade',
]);
/** What undici sends in a header value: HTAB, visible ASCII, space and obs-text (RFC 9110 §5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** `-H "Name: value"`, checked up front so that undici never refuses it at delivery (issue 13, item 20). */
export function parseHeader(raw: string): HeaderOverride {
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
    throw new InputError(`-H "${raw}" is not "Name: value"; e.g. -H "x-request-id: 42"`);
  }
  if (TRANSPORT_HEADERS.has(name))
    throw new InputError(`-H ${name} cannot be set: the HTTP client writes it from the request itself`);
  if (name === 'expect')
    throw new InputError(
      '-H expect cannot be set: the HTTP client sends the body at once and never waits for 100 Continue',
    );
  const value = raw.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new InputError(`-H "${name}" has a line break or NUL in its value`);
  if (!FIELD_VALUE.test(value)) {
    throw new InputError(
      `-H "${name}" has a control character or a character beyond Latin-1 in its value; percent-encode or base64 it`,
    );
  }
  return { name, value };
}

/** The delivery Oblic would make: the body as is, `content-type`, and its signature. */
export function buildRequest(
  url: URL,
  body: Buffer,
  secret: string,
  overrides: readonly HeaderOverride[] = [],
): OutgoingRequest {
  const signature = sign(secret, body);
  const headers = new Map([
    ['content-type', 'application/json'],
    [SIGNATURE_HEADER, signature],
  ]);
  for (const { name, value } of overrides) {
    if (value === '') headers.delete(name);
    else headers.set(name, value);
  }
  return { url, headers: [...headers], body, signature };
}

function requestTarget(url: URL): string {
  return `${url.pathname}${url.search}`;
}

/**
 * The request exactly as it goes on the wire (the head undici writes, then the body), so that
 * `send --dry-run > req.http` is a capture that `verify` and `replay` read.
 */
export function renderHttp(request: OutgoingRequest): Buffer {
  const lines = [
    `POST ${requestTarget(request.url)} HTTP/1.1`,
    `host: ${request.url.host}`,
    'connection: keep-alive',
    ...request.headers.map(([name, value]) => `${name}: ${value}`),
    `content-length: ${request.body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), request.body]);
}

/**
 * A curl command that sends the same bytes: curl's own Accept, User-Agent and Expect are removed.
 * The body is piped in from `printf`, whose escapes carry every byte, NUL included, as printed
 * (issue 13, item 21: a NUL inside shell quotes was lost); text stays readable.
 */
export function renderCurl(request: OutgoingRequest): Buffer {
  const parts = [
    'curl -sS --request POST',
    shellQuote(request.url.href),
    ...request.headers.map(([name, value]) => `--header ${shellQuote(`${name}: ${value}`)}`),
    "--header 'accept:' --header 'user-agent:' --header 'expect:'",
    '--data-binary @-',
  ];
  // The format is ASCII and UTF-8 text; header values go out as Latin-1 bytes, as undici sends them.
  return Buffer.concat([
    Buffer.from(`printf '${printfFormat(request.body)}' | \\\n  `, 'utf8'),
    Buffer.from(parts.join(' \\\n  '), 'latin1'),
  ]);
}

/**
 * The body as a printf format inside single quotes: printable ASCII and UTF-8 text as they are,
 * `%` and `\` doubled, the quote closed and reopened, and every other byte (controls, C1, U+2028/9,
 * bytes that are not UTF-8) a three-digit octal escape, which POSIX printf turns back into that byte.
 */
function printfFormat(body: Buffer): string {
  let out = '';
  for (let at = 0; at < body.length; ) {
    const byte = body[at]!;
    if (byte >= 0x80) {
      const length = utf8Length(body, at);
      if (length > 0) {
        out += body.toString('utf8', at, at + length);
        at += length;
        continue;
      }
    }
    out += formatByte(byte);
    at += 1;
  }
  return out;
}

function formatByte(byte: number): string {
  if (byte === 0x25) return '%%';
  if (byte === 0x5c) return '\\\\';
  if (byte === 0x27) return `'\\''`;
  if (byte === 0x0a) return '\\n';
  if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  return `\\${byte.toString(8).padStart(3, '0')}`;
}

/** The length of the UTF-8 character at `at` when it is one that prints (not C1, not U+2028/9), else 0. */
function utf8Length(body: Buffer, at: number): number {
  const lead = body[at]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length === 0 || at + length > body.length || !isUtf8(body.subarray(at, at + length))) return 0;
  const code = body.toString('utf8', at, at + length).codePointAt(0)!;
  return code <= 0x9f || code === 0x2028 || code === 0x2029 ? 0 : length;
}

/**
 * A captured request sent again: the same body bytes and headers, in their order with duplicates
 * kept and names as captured (issue 13, item 25), with its original signature, or re-signed when a
 * secret is given. Transport headers are the new connection's own.
 */
export function replayRequest(
  url: URL,
  headers: ReadonlyArray<readonly [string, string]>,
  body: Buffer,
  secret?: string,
): OutgoingRequest {
  const out: HeaderList = [];
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(key) || key === 'expect') continue;
    if (secret !== undefined && key === SIGNATURE_HEADER) continue;
    out.push([name, value]);
  }
  if (secret !== undefined) out.push([SIGNATURE_HEADER, sign(secret, body)]);
  const signature = out.find(([name]) => name.toLowerCase() === SIGNATURE_HEADER)?.[1] ?? '';
  return { url, headers: out, body, signature };
}

/**
 * Where a captured request goes again: `target`'s origin with the captured path and query. An
 * absolute-form request-target (`http://host/path`) gives only its path and query, and any other
 * target is taken as a path, so the URL shown is always the one sent to (issue 13, item 25), "copy as
 * curl" for `//evil.example/x` stays on the listener, and no request-target (`http://[`) throws (item 27).
 */
export function replayUrl(target: URL, capturedPath: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(capturedPath)) {
    const absolute = URL.canParse(capturedPath) ? new URL(capturedPath) : null;
    // Joined as text: resolved against the origin, a path of `//` would be read as a host.
    return new URL(`${target.origin}${absolute ? `${absolute.pathname}${absolute.search}` : '/'}`);
  }
  return new URL(`${target.origin}${capturedPath.startsWith('/') ? '' : '/'}${capturedPath}`);
}
