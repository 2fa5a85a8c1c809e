import { describe, expect, it } from 'vitest';
import { bareCapture, parseCapture } from '../src/wire/capture.js';
import { diagnose } from '../src/signing/diagnose.js';
import { inspectCapture } from '../src/wire/verdict.js';
import { sign } from '../src/signing/sign.js';
import { verify } from '../src/signing/verify.js';

// Vectors computed with `printf %s "$BODY" | openssl dgst -sha256 -hmac KEY` (and -sha1, -binary | base64).
const SECRET = 'whsec_test_secret';
const BODY = '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"id":"SIuAFUNKdSYHZF2w"}}';
const SIG = '1b6ce12a8d6f8c67abe552a6340c5da31d7b6ad2fc5831cf1bf346b928bad024';
const SIG_ROTATED = '716c204fb03dd7adced202c63135c7fc9ed7d59c5a2eda8509d181a5eaa833a1'; // secret rotated_secret_2
const SIG_SHA1 = '74a869b2b236d0edcc01e5ea3e579e757c45f993';
const SIG_BASE64 = 'G2zhKo1vjGer5VKmNAxdox17atL8WDHPG/NGuSi60CQ=';
const BINARY = Buffer.from([0xff, 0xfe, 0x00, ...Buffer.from('binary'), 0x80]);
const BINARY_SIG = '70f40bff070d13f11857a910c4dcca3de513da3727c22abe21bb0b200cfbe2f9'; // secret s3cr3t

function flipNibble(hex: string, at: number): string {
  const c = hex[at]!;
  return hex.slice(0, at) + (c === '0' ? '1' : '0') + hex.slice(at + 1);
}

describe('verify()', () => {
  it('verifies the openssl vectors, for Buffer, Uint8Array and string bodies', () => {
    expect(verify({ body: Buffer.from(BODY), signature: SIG, secrets: SECRET })).toMatchObject({
      verified: true,
      reason: null,
      matchedSecret: 0,
    });
    expect(verify({ body: new Uint8Array(Buffer.from(BODY)), signature: SIG, secrets: [SECRET] }).verified).toBe(true);
    expect(verify({ body: BODY, signature: SIG, secrets: SECRET }).verified).toBe(true);
    expect(verify({ body: BINARY, signature: BINARY_SIG, secrets: 's3cr3t' }).verified).toBe(true);
  });

  it('accepts upper-case hex and surrounding whitespace', () => {
    expect(verify({ body: BODY, signature: ` ${SIG.toUpperCase()}\r\n`, secrets: SECRET }).verified).toBe(true);
  });

  it('says which of several secrets matched (rotation)', () => {
    expect(verify({ body: BODY, signature: SIG_ROTATED, secrets: [SECRET, 'rotated_secret_2'] }).matchedSecret).toBe(1);
  });

  it.each([0, 31, 63])('rejects a signature one nibble off at position %i', (at) => {
    expect(verify({ body: BODY, signature: flipNibble(SIG, at), secrets: SECRET })).toMatchObject({
      verified: false,
      reason: 'mismatch',
    });
  });

  it('rejects the right signature for another body: one byte more, or empty', () => {
    expect(verify({ body: `${BODY} `, signature: SIG, secrets: SECRET }).reason).toBe('mismatch');
    expect(verify({ body: '', signature: SIG, secrets: SECRET }).reason).toBe('mismatch');
  });

  it.each([
    ['empty', '', /is empty/],
    ['63 digits', SIG.slice(1), /63 hex digits/],
    ['65 digits', `${SIG}0`, /65 hex digits/],
    ['non-hex', `${SIG.slice(0, 63)}g`, /not all hex/],
    ['a NUL', `${SIG.slice(0, 32)}\0${SIG.slice(33)}`, /not all hex/],
    ['10 kB', 'a'.repeat(10_000), /10000 hex digits/],
    ['a prefix', `sha256=${SIG}`, /not all hex/],
    ['base64', SIG_BASE64, /not all hex/],
  ])('calls a value with %s malformed, and never verifies it', (_name, signature, message) => {
    const verdict = verify({ body: BODY, signature, secrets: SECRET });
    expect(verdict).toMatchObject({ verified: false, reason: 'malformed_signature' });
    expect(verdict.message).toMatch(message);
  });

  it('calls duplicate headers malformed even when one of them is right', () => {
    expect(verify({ body: BODY, signature: [SIG, flipNibble(SIG, 3)], secrets: SECRET }).reason).toBe(
      'malformed_signature',
    );
  });

  it('reports a missing signature as a verdict, whatever shape "missing" takes', () => {
    for (const signature of [undefined, null, []]) {
      expect(verify({ body: BODY, signature, secrets: SECRET }).reason).toBe('missing_signature');
    }
    // A value that is not text is a header all the same, and not a signature (issue 13, item 12).
    expect(verify({ body: BODY, signature: [42 as unknown as string], secrets: SECRET }).reason).toBe(
      'malformed_signature',
    );
  });

  it('throws a TypeError for misuse: a parsed body, no secret', () => {
    expect(() => verify({ body: JSON.parse(BODY) as string, signature: SIG, secrets: SECRET })).toThrow(/raw bytes/);
    expect(() => verify({ body: BODY, signature: SIG, secrets: [] })).toThrow(TypeError);
    expect(() => verify({ body: BODY, signature: SIG, secrets: '' })).toThrow(TypeError);
  });

  it('never reveals the expected signature in its message', () => {
    const verdict = verify({ body: BODY, signature: flipNibble(SIG, 0), secrets: SECRET });
    expect(verdict.message).not.toContain(SIG);
  });
});

const http = (head: string[], body: Buffer | string, eol = '\r\n') =>
  Buffer.concat([Buffer.from(head.join(eol) + eol + eol, 'latin1'), Buffer.from(body)]);

describe('parseCapture()', () => {
  it('reads a raw request with CRLF, taking exactly Content-Length bytes', () => {
    const capture = parseCapture(
      http(
        ['POST /hooks HTTP/1.1', 'Host: x', `Content-Length: ${BODY.length}`, `X-Oblic-Signature: ${SIG}`],
        `${BODY}\r\nleftover`,
      ),
    );
    expect(capture).toMatchObject({ format: 'http', method: 'POST', path: '/hooks' });
    expect(capture.body.toString()).toBe(BODY);
    expect(capture.notes).toEqual(['10 bytes after the Content-Length body ignored']);
    expect(inspectCapture(capture, [SECRET]).verdict.verified).toBe(true); // header name matched case-insensitively
  });

  it('reads bare LF heads and takes the rest of the file without Content-Length', () => {
    const capture = parseCapture(http(['POST / HTTP/1.1', `x-oblic-signature: ${SIG}`], BODY, '\n'));
    expect(capture.body.toString()).toBe(BODY);
  });

  it('decodes chunked bodies, with extensions and trailers', () => {
    const chunked = `5;ext=1\r\n${BODY.slice(0, 5)}\r\n${(BODY.length - 5).toString(16)}\r\n${BODY.slice(5)}\r\n0\r\nx-trailer: 1\r\n\r\n`;
    const capture = parseCapture(
      http(['POST / HTTP/1.1', 'Transfer-Encoding: chunked', `x-oblic-signature: ${SIG}`], chunked),
    );
    expect(capture.body.toString()).toBe(BODY);
    expect(inspectCapture(capture, [SECRET]).verdict.verified).toBe(true);
  });

  it('keeps a non-UTF-8 body byte for byte', () => {
    const capture = parseCapture(
      http(['POST / HTTP/1.1', `Content-Length: ${BINARY.length}`, `x-oblic-signature: ${BINARY_SIG}`], BINARY),
    );
    expect(capture.body.equals(BINARY)).toBe(true);
    expect(inspectCapture(capture, ['s3cr3t']).verdict.verified).toBe(true);
  });

  it('joins folded header lines', () => {
    const capture = parseCapture(http(['POST / HTTP/1.1', 'x-note: a', '  b'], ''));
    expect(capture.headers).toEqual([['x-note', 'a b']]);
  });

  it('reads a `listen --json` line, with body or body_base64', () => {
    const line = {
      received_at: '2026-11-29T10:00:00Z',
      method: 'POST',
      path: '/',
      headers: { 'x-oblic-signature': SIG },
      body: BODY,
      verified: true,
    };
    expect(inspectCapture(parseCapture(Buffer.from(JSON.stringify(line))), [SECRET]).verdict.verified).toBe(true);
    const binary = {
      method: 'POST',
      path: '/',
      headers: { 'x-oblic-signature': [BINARY_SIG] },
      body_base64: BINARY.toString('base64'),
    };
    expect(inspectCapture(parseCapture(Buffer.from(JSON.stringify(binary))), ['s3cr3t']).verdict.verified).toBe(true);
  });

  it.each([
    [
      'a Content-Length larger than the file',
      http(['POST / HTTP/1.1', 'Content-Length: 500'], BODY),
      /truncated: Content-Length says 500 bytes but only 86 follow/,
    ],
    [
      'a truncated chunked body',
      http(['POST / HTTP/1.1', 'Transfer-Encoding: chunked'], '40\r\nshort'),
      /chunked body is truncated/,
    ],
    ['an invalid chunk size', http(['POST / HTTP/1.1', 'Transfer-Encoding: chunked'], 'zz\r\n'), /invalid chunk size/],
    [
      'two Content-Lengths',
      http(['POST / HTTP/1.1', 'Content-Length: 1', 'Content-Length: 2'], 'ab'),
      /not one whole number/,
    ],
    ['a header line without a colon', http(['POST / HTTP/1.1', 'garbage'], ''), /line 2 .* is not a header/],
    // The advice for a bare body is the command's (verify's --signature; replay has none): issue 13, item 25.
    ['a bare JSON body', Buffer.from(BODY), /^not a capture: expected an HTTP request .* or a `listen --json` line$/],
    ['random bytes', Buffer.from([0x00, 0x01, 0xff, 0x10]), /not a capture/],
    ['an empty file', Buffer.alloc(0), /the capture is empty \(0 bytes\)/],
    [
      'several NDJSON lines',
      Buffer.from(`{"headers":{},"body":""}\n{"headers":{},"body":""}\n`),
      /several `listen --json` lines/,
    ],
  ])('refuses %s with an InputError that says what is wrong', (_name, data, message) => {
    expect(() => parseCapture(data)).toThrow(message);
  });
});

describe('diagnose(): hints for what usually went wrong', () => {
  const hintsFor = (
    body: Buffer | string,
    signatures: string[],
    secrets = [SECRET],
    headers: Array<[string, string]> = [],
  ) => diagnose({ body: Buffer.from(body), signatures, headers, secrets }).map((h) => h.code);

  it.each([
    ['a trailing LF added after signing', `${BODY}\n`, 'trailing_newline_added'],
    ['a trailing CRLF added after signing', `${BODY}\r\n`, 'trailing_newline_added'],
    ['re-serialized with 2 spaces', JSON.stringify(JSON.parse(BODY), null, 2), 'reserialized'],
    ['re-serialized with 4 spaces', JSON.stringify(JSON.parse(BODY), null, 4), 'reserialized'],
    ['a BOM added', `\ufeff${BODY}`, 'bom'],
  ])('finds %s', (_name, body, code) => {
    expect(hintsFor(body, [SIG])).toContain(code);
  });

  it('finds a newline the capture lost, line endings converted, and compact re-serialization', () => {
    const crlf = 'line one\r\nline two\r\n';
    const lf = 'line one\nline two\n';
    const signedCrlf = diagnose({
      body: Buffer.from(lf),
      signatures: [signatureOf(crlf)],
      headers: [],
      secrets: [SECRET],
    });
    expect(signedCrlf.map((h) => h.code)).toContain('line_endings');
    const lost = diagnose({
      body: Buffer.from('abc'),
      signatures: [signatureOf('abc\n')],
      headers: [],
      secrets: [SECRET],
    });
    expect(lost.map((h) => h.code)).toContain('trailing_newline_removed');
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const compact = diagnose({ body: Buffer.from(pretty), signatures: [SIG], headers: [], secrets: [SECRET] });
    expect(compact[0]!.message).toMatch(/compact JSON.*verify the raw body as received/);
  });

  it('finds a secret with whitespace around it', () => {
    expect(hintsFor(BODY, [SIG], [`${SECRET}\n`])).toContain('secret_whitespace');
  });

  it('finds a prefix, base64 and another hash', () => {
    expect(hintsFor(BODY, [`sha256=${SIG}`])).toContain('prefix');
    expect(hintsFor(BODY, [SIG_BASE64])).toContain('base64');
    expect(hintsFor(BODY, [SIG_SHA1])).toEqual(expect.arrayContaining(['other_length', 'other_hash']));
  });

  it('finds the signature under another header name, and the one good header of two', () => {
    expect(hintsFor(BODY, [], [SECRET], [['X-Hub-Signature-256', `sha256=${SIG}`]])).toContain('other_header+prefix');
    expect(hintsFor(BODY, [SIG, flipNibble(SIG, 9)])).toContain('duplicate_header');
  });

  it('finds a signature made with another secret the user has (the development secret)', () => {
    const hints = diagnose({
      body: Buffer.from(BODY),
      signatures: [SIG],
      headers: [],
      secrets: ['wrong'],
      otherSecrets: [{ label: 'the local development secret', secret: SECRET }],
    });
    expect(hints.map((h) => h.message)).toContain(
      'it matches with the local development secret instead of the secret you gave',
    );
  });

  it('finds nothing for a signature that is simply wrong, and never prints a signature', () => {
    const hints = diagnose({
      body: Buffer.from(BODY),
      signatures: [flipNibble(SIG, 5)],
      headers: [],
      secrets: [SECRET],
    });
    expect(hints).toEqual([]);
    const some = diagnose({ body: Buffer.from(`${BODY}\n`), signatures: [SIG], headers: [], secrets: [SECRET] });
    expect(JSON.stringify(some)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('leaves the verdict failed: hints explain, they never pass', () => {
    const inspection = inspectCapture(bareCapture(Buffer.from(`${BODY}\n`), SIG), [SECRET]);
    expect(inspection.verdict.verified).toBe(false);
    expect(inspection.hints.length).toBeGreaterThan(0);
  });
});

/** Fixtures only: sign() itself is held to the openssl vectors in signature.test.ts. */
function signatureOf(body: string): string {
  return sign(SECRET, body);
}
