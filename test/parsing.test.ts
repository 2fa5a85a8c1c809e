import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/cli/units.js';
import { resolveEventTypes, suggestEventType } from '../src/oblic/events.js';
import { parseHeader } from '../src/wire/request.js';
import { applyAssignment, parseAssignment } from '../src/samples/set-path.js';
import { parseTarget } from '../src/wire/target.js';
import { formatCount, nearest, printable } from '../src/base/text.js';

describe('parseTarget()', () => {
  it.each([
    ['localhost', 'http://localhost:4242/'],
    ['3000', 'http://localhost:3000/'],
    [':3000', 'http://localhost:3000/'],
    ['3000/webhooks?x=1', 'http://localhost:3000/webhooks?x=1'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['localhost/hooks', 'http://localhost:4242/hooks'],
    ['http://localhost', 'http://localhost/'],
    ['https://example.test:8443/a/b?c=d', 'https://example.test:8443/a/b?c=d'],
    ['[::1]:3000/x', 'http://[::1]:3000/x'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseTarget(input).href).toBe(expected);
  });

  it.each([
    ['', /empty/],
    ['ftp://host/', /only http and https/],
    ['http://', /not a URL/],
    ['http://user:pw@localhost/', /credentials/],
    ['local host', /not a URL/],
  ])('rejects %j', (input, message) => {
    expect(() => parseTarget(input)).toThrow(message);
  });
});

describe('--set', () => {
  const event = () => ({ id: 'x', payload: { message: 'a', attachments: [{ filename: 'f' }], read_at: null } });

  it('parses JSON values and falls back to the text', () => {
    expect(parseAssignment('payload.read_at=42').value).toBe(42);
    expect(parseAssignment('payload.read_at=null').value).toBeNull();
    expect(parseAssignment('a="42"').value).toBe('42');
    expect(parseAssignment('payload.message=hi there').value).toBe('hi there');
    expect(parseAssignment('payload.message=a=b').value).toBe('a=b');
    expect(parseAssignment('payload.message=').value).toBe('');
  });

  it('sets nested fields, array elements and new fields', () => {
    const target = event();
    applyAssignment(target, parseAssignment('payload.attachments.0.filename=g.pdf'));
    applyAssignment(target, parseAssignment('payload.extra={"a":1}'));
    applyAssignment(target, parseAssignment('payload.attachments.1={"filename":"h"}'));
    expect(target.payload.attachments).toEqual([{ filename: 'g.pdf' }, { filename: 'h' }]);
    expect((target.payload as Record<string, unknown>).extra).toEqual({ a: 1 });
  });

  it.each([
    ['payload.message', /not path=value/],
    ['=x', /not path=value/],
    ['payload..message=x', /empty step/],
    ['payload.nothing.deeper=x', /payload.nothing does not exist/],
    ['payload.read_at.x=1', /payload.read_at is null/],
    ['payload.attachments.7=1', /array of 1/],
  ])('rejects %s with a message that says why', (raw, message) => {
    expect(() => applyAssignment(event(), parseAssignment(raw))).toThrow(message);
  });
});

describe('event types', () => {
  it('resolves names, globs, resources, all and comma lists without repeats', () => {
    expect(resolveEventTypes(['message.*'])).toEqual(['message.created', 'message.updated', 'message.deleted']);
    expect(resolveEventTypes(['*.deleted']).length).toBe(5);
    expect(resolveEventTypes(['group'])).toEqual(['group.created', 'group.updated', 'group.deleted']);
    expect(resolveEventTypes(['all']).length).toBe(15);
    expect(resolveEventTypes(['contact.created,contact.*'])).toEqual([
      'contact.created',
      'contact.updated',
      'contact.deleted',
    ]);
  });

  it('suggests the nearest type on a typo and nothing for a different word', () => {
    expect(suggestEventType('mesage.created')).toBe('message.created');
    expect(suggestEventType('messages.update')).toBe('message.updated');
    expect(suggestEventType('payment.succeeded')).toBeUndefined();
    expect(() => resolveEventTypes(['conversaton.deleted'])).toThrow(/did you mean conversation.deleted\?/);
  });
});

describe('parseHeader() and parseDuration()', () => {
  it('reads headers, lower-cases the name and refuses transport headers', () => {
    expect(parseHeader('X-Request-Id: 42')).toEqual({ name: 'x-request-id', value: '42' });
    expect(parseHeader('x-oblic-signature:')).toEqual({ name: 'x-oblic-signature', value: '' });
    expect(() => parseHeader('no colon')).toThrow(/Name: value/);
    expect(() => parseHeader('content-length: 3')).toThrow(/cannot be set/);
  });

  it('reads durations', () => {
    expect(parseDuration('250', '--timeout')).toBe(250);
    expect(parseDuration('10s', '--timeout')).toBe(10_000);
    expect(parseDuration('1.5m', '--timeout')).toBe(90_000);
    expect(() => parseDuration('soon', '--timeout')).toThrow(/not a duration/);
  });
});

describe('formatCount()', () => {
  it('groups thousands as en-US does, without loading ICU', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999.6, 1_234_567, 20_000_000, -1234, -999]) {
      expect(formatCount(n)).toBe(Math.round(n).toLocaleString('en-US'));
    }
  });
});

describe('printable', () => {
  it('escapes controls, line separators and bidirectional overrides, each readable as what it is', () => {
    expect(printable('a\x1b[31mb\x00c')).toBe('a\\x1b[31mb\\x00c');
    expect(printable('x\u2028y')).toBe('x\\u2028y'); // not \x2028, which reads as \x20 then "28"
    expect(printable('ok \u202egnp.exe')).toBe('ok \\u202egnp.exe'); // "Trojan Source"
    expect(printable('\u2066i\u2069')).toBe('\\u2066i\\u2069');
    expect(printable('é 👋 日本')).toBe('é 👋 日本');
  });
});

describe('nearest', () => {
  it('suggests a name within a typo of the input, and nothing for another word', () => {
    expect(nearest('signatrues', ['deliveries', 'signatures'])).toBe('signatures');
    expect(nearest('mesage.created', ['message.created', 'contact.created'])).toBe('message.created');
    expect(nearest('banana', ['deliveries', 'signatures'])).toBeUndefined();
  });
});
