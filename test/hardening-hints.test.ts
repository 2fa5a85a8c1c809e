import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCapture } from '../src/wire/capture.js';
import { diagnose, type DiagnoseInput, type Hint } from '../src/signing/diagnose.js';
import { inspectCapture } from '../src/wire/verdict.js';

// Fixed vectors: every expected MAC is computed here with node:crypto from these secrets and bodies.
const SECRET = 'whsec_hints_fixed_secret';
const BODY = '{"id":"a056V7R7NmNRjl70","type":"message.created","payload":{"id":"SIuAFUNKdSYHZF2w","message":"hello"}}';
const mac = (algorithm: string, body: string | Buffer, secret = SECRET, encoding: 'hex' | 'base64' = 'hex') =>
  createHmac(algorithm, secret).update(body).digest(encoding);
const codes = (hints: Hint[]) => hints.map((h) => h.code);
// No time budget unless a test sets one: what is tried must not depend on how busy the machine is.
const run = (input: Partial<DiagnoseInput> & Pick<DiagnoseInput, 'body'>) =>
  diagnose({ signatures: [], headers: [], secrets: [SECRET], ...input, budget: { ms: Infinity, ...input.budget } });
const skippedOf = (hints: Hint[]) => hints.find((h) => h.code === 'hints_skipped')?.message;

/** `{"id":"x","type":"message.created","payload":[[[…]]]}`, `depth` levels deep (issue 13, item 1). */
function nested(depth: number): Buffer {
  return Buffer.from(`{"id":"x","type":"message.created","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

describe('diagnose() never throws on a body it cannot re-serialize (issue 13, item 1)', () => {
  it('a 100,000-level nested JSON body gets its other hints, and says which it skipped', () => {
    const signed = nested(100_000);
    const body = Buffer.concat([signed, Buffer.from('\n')]);
    const hints = run({ body, signatures: [mac('sha256', signed)] });
    expect(codes(hints)).toContain('trailing_newline_added');
    expect(skippedOf(hints)).toMatch(/a variant of the body could not be built \(Maximum call stack size exceeded\)/);
  });

  it('inspectCapture() of such a capture is a failed verdict with an event label, not an exception', () => {
    const body = nested(100_000);
    const head = `POST /hooks HTTP/1.1\r\ncontent-type: application/json\r\nx-oblic-signature: ${'ab'.repeat(32)}\r\ncontent-length: ${body.length}\r\n\r\n`;
    const inspection = inspectCapture(parseCapture(Buffer.concat([Buffer.from(head), body])), [SECRET]);
    expect(inspection.verdict).toMatchObject({ verified: false, reason: 'mismatch' });
    expect(inspection.event).toEqual({ id: 'x', type: 'message.created' });
    expect(codes(inspection.hints)).toEqual(['hints_skipped']);
  });
});

describe('diagnose() bounds its work whatever the request holds (issue 13, item 2)', () => {
  const md5Headers = (count: number, at: number, value: string): Array<[string, string]> =>
    Array.from({ length: count }, (_, i): [string, string] => [
      `x-${i}-sig`,
      i === at ? value : i.toString(16).padStart(32, '0'),
    ]);

  it('reads only a few of 300 signature-like headers, still finds a match among them, and says it skipped the rest', () => {
    const hints = run({ body: Buffer.from(BODY), headers: md5Headers(300, 5, mac('md5', BODY)) });
    expect(codes(hints)).toContain('other_header+other_hash');
    expect(skippedOf(hints)).toBe(
      'not every hint was tried: only the first 8 of the 300 signature-like headers were read',
    );
  });

  it('reads only a few of 183 duplicate x-oblic-signature values', () => {
    const signatures = Array.from({ length: 183 }, (_, i) => i.toString(16).padStart(64, '0'));
    expect(skippedOf(run({ body: Buffer.from(BODY), signatures }))).toMatch(
      /only 8 of the 183 different x-oblic-signature values were read/,
    );
  });

  it('hashes each body variant once per secret and algorithm, however many candidates share it', () => {
    // One line and no JSON: the variants are the body, without its newline, with CRLF, with a BOM.
    const body = `${'x'.repeat(1000)}\n`;
    const signed = `\xef\xbb\xbf${body}`; // the last variant tried, through the last header read
    const budget = { bytes: 5 * body.length }; // one pass over the four variants; eight passes would be 32
    const input = {
      body: Buffer.from(body, 'latin1'),
      headers: md5Headers(8, 7, mac('md5', Buffer.from(signed, 'latin1'))),
    };
    expect(codes(run({ ...input, budget }))).toEqual(['other_header+other_hash+bom']);
    // Less than one pass, and the last variant is not reached.
    expect(codes(run({ ...input, budget: { bytes: 3 * body.length } }))).toEqual(['hints_skipped']);
  });

  it('stops at the byte budget and says so', () => {
    const hints = run({ body: Buffer.from(`${BODY}\n`), signatures: [mac('sha256', BODY)], budget: { bytes: 500 } });
    expect(skippedOf(hints)).toBe('not every hint was tried: the hint budget of 500 B hashed ran out');
  });

  it('stops at the time budget and says so (a clock that jumps 1 s a reading)', () => {
    let now = 0;
    const hints = run({
      body: Buffer.from(`${BODY}\n`),
      signatures: [mac('sha256', BODY)],
      budget: { ms: 200, now: () => (now += 1000) },
    });
    expect(codes(hints)).toEqual(['hints_skipped']);
    expect(skippedOf(hints)).toMatch(/the hint budget of 200 ms ran out/);
  });

  it('says that a body over 1 MiB gets only the hints for the body as it is', () => {
    const body = Buffer.alloc(1024 * 1024 + 1, 'a');
    const hints = run({
      body,
      signatures: [mac('sha256', body, 'another secret')],
      otherSecrets: [{ label: 'the local development secret', secret: 'another secret' }],
    });
    expect(codes(hints)).toEqual(['other_secret', 'hints_skipped']);
    expect(skippedOf(hints)).toMatch(/the body is over 1 MiB, so only the body as it is was tried/);
  });
});

describe('hints compose prefix × encoding × algorithm, and body changes (issue 13, item 18)', () => {
  const body = Buffer.from(BODY);

  it.each([
    ['sha1=<40 hex> (GitHub legacy X-Hub-Signature)', `sha1=${mac('sha1', BODY)}`, 'prefix+other_hash'],
    ['sha512=<128 hex>', `sha512=${mac('sha512', BODY)}`, 'prefix+other_hash'],
    ['sha256=<base64>', `sha256=${mac('sha256', BODY, SECRET, 'base64')}`, 'prefix+base64'],
    ['base64 of an HMAC-SHA1', mac('sha1', BODY, SECRET, 'base64'), 'base64+other_hash'],
    [
      'md5:<base64url>',
      `md5:${createHmac('md5', SECRET).update(BODY).digest('base64url')}`,
      'prefix+base64+other_hash',
    ],
  ])('finds %s in x-oblic-signature', (_name, value, code) => {
    expect(codes(run({ body, signatures: [value] }))).toContain(code);
  });

  it('finds X-Hub-Signature: sha1=… sent instead of x-oblic-signature, and says all three parts', () => {
    const hints = run({ body, headers: [['X-Hub-Signature', `sha1=${mac('sha1', BODY)}`]] });
    expect(hints).toEqual([
      {
        code: 'other_header+prefix+other_hash',
        message:
          'it matches the value of the X-Hub-Signature header: the signature was sent under another name than x-oblic-signature, ' +
          'without the "sha1=" prefix (Oblic sends the bare hex digest), as an HMAC-SHA-1 (Oblic uses HMAC-SHA256)',
      },
    ]);
  });

  it('says a prefixed digest of another size is another hash even when it does not match', () => {
    const hints = run({ body, signatures: [`sha1=${mac('sha1', BODY, 'not it')}`] });
    expect(hints.map((h) => h.message)).toEqual([
      'the value has 40 hex digits after its prefix, the size of a SHA1 digest; Oblic signs with HMAC-SHA256 (64 hex digits)',
    ]);
  });

  it('finds a compact re-serialization and a lost trailing newline together', () => {
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const hints = run({ body: Buffer.from(pretty), signatures: [mac('sha256', `${BODY}\n`)] });
    expect(codes(hints)).toEqual(['reserialized+trailing_newline_removed']);
    expect(hints[0]!.message).toMatch(/re-serialized as compact JSON with a trailing newline/);
  });

  it('finds a 2-space re-serialization with a newline, signed under another header with a prefix', () => {
    const signed = `${JSON.stringify(JSON.parse(BODY), null, 2)}\n`;
    const hints = run({ body, headers: [['X-Hub-Signature-256', `sha256=${mac('sha256', signed)}`]] });
    expect(codes(hints)).toEqual(['other_header+prefix+reserialized+trailing_newline_removed']);
  });
});
