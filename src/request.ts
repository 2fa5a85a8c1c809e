import { InputError } from './errors.js';
import { sign } from './signature.js';

export const SIGNATURE_HEADER = 'x-oblic-signature';

export interface OutgoingRequest {
  url: URL;
  /** Lower-case names, in the order they go out; `host` and `content-length` are added by the transport. */
  headers: Record<string, string>;
  body: Buffer;
  /** The signature computed over `body`, whatever `headers` says after -H overrides. */
  signature: string;
}

/** A header as `-H "Name: value"` gives it; an empty value removes the header, as with curl. */
export interface HeaderOverride {
  name: string;
  value: string;
}

const TRANSPORT_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'host', 'keep-alive', 'upgrade']);
/** What undici sends in a header value: HTAB, visible ASCII, space and obs-text (RFC 9110 §5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** `-H "Name: value"`, checked up front so that undici never refuses it at delivery (issue 13, item 20). */
export function parseHeader(raw: string): HeaderOverride {
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
    throw new InputError(`-H "${raw}" is not "Name: value"; e.g. -H "x-request-id: 42"`);
  }
  if (TRANSPORT_HEADERS.has(name)) throw new InputError(`-H ${name} cannot be set: the HTTP client writes it from the request itself`);
  if (name === 'expect') throw new InputError('-H expect cannot be set: the HTTP client sends the body at once and never waits for 100 Continue');
  const value = raw.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new InputError(`-H "${name}" has a line break or NUL in its value`);
  if (!FIELD_VALUE.test(value)) {
    throw new InputError(`-H "${name}" has a control character or a character beyond Latin-1 in its value; percent-encode or base64 it`);
  }
  return { name, value };
}

/** The delivery Oblic would make: the body as is, `content-type`, and its signature. */
export function buildRequest(url: URL, body: Buffer, secret: string, overrides: readonly HeaderOverride[] = []): OutgoingRequest {
  const signature = sign(secret, body);
  const headers: Record<string, string> = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature };
  for (const { name, value } of overrides) {
    if (value === '') delete headers[name];
    else headers[name] = value;
  }
  return { url, headers, body, signature };
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
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${request.body.length}`,
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), request.body]);
}

/**
 * A curl command that sends the same bytes: curl's own Accept, User-Agent and Expect are removed.
 * Bytes, not a string: the body goes into the command exactly as it is (UTF-8 or not), quoted.
 */
export function renderCurl(request: OutgoingRequest): Buffer {
  const parts = [
    'curl',
    '--request POST',
    shellQuote(request.url.href),
    ...Object.entries(request.headers).map(([name, value]) => `--header ${shellQuote(`${name}: ${value}`)}`),
    "--header 'accept:' --header 'user-agent:' --header 'expect:'",
    '--data-binary ',
  ];
  const quotedBody = Buffer.concat([Buffer.from("'"), ...splitQuotes(request.body), Buffer.from("'")]);
  return Buffer.concat([Buffer.from(parts.join(' \\\n  '), 'latin1'), quotedBody]);
}

/** The body with each single quote (0x27) written as '\'' so it survives inside single quotes. */
function splitQuotes(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf(0x27); at !== -1; at = body.indexOf(0x27, from)) {
    out.push(body.subarray(from, at), Buffer.from("'\\''"));
    from = at + 1;
  }
  out.push(body.subarray(from));
  return out;
}

/** POSIX single quotes keep every byte as it is; only the quote itself needs care. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A captured request sent again: the same body bytes and headers, with its original signature, or
 * re-signed when a secret is given. Transport headers are the new connection's own.
 */
export function replayRequest(url: URL, headers: ReadonlyArray<readonly [string, string]>, body: Buffer, secret?: string): OutgoingRequest {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(key) || key === 'expect') continue;
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
  }
  if (secret !== undefined) out[SIGNATURE_HEADER] = sign(secret, body);
  return { url, headers: out, body, signature: out[SIGNATURE_HEADER] ?? '' };
}
