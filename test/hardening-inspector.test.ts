import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costOf, createHistory, type Entry } from '../src/inspector/history.js';
import { replayUrl } from '../src/wire/request.js';

const entry = (seq: number, body: Buffer | null): Entry => ({
  seq,
  receivedAt: new Date(0),
  method: 'POST',
  path: '/',
  httpVersion: '1.1',
  headers: [['content-type', 'application/json']],
  body,
  inspection: null,
  status: 200,
  forward: null,
});

describe('createHistory() bounds the inspector in count and in bytes (issue 13, item 28)', () => {
  it('drops the oldest once the bytes are over the limit', () => {
    const cost = costOf(entry(1, Buffer.alloc(1000)));
    const history = createHistory({ count: 100, bytes: 3 * cost });
    for (let seq = 1; seq <= 5; seq++) history.add(entry(seq, Buffer.alloc(1000)));
    expect(history.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(history.find(2)).toBeUndefined();
    expect(history.find(4)?.seq).toBe(4);
  });

  it('drops the oldest once the count is over the limit', () => {
    const history = createHistory({ count: 2, bytes: 1e9 });
    for (let seq = 1; seq <= 4; seq++) history.add(entry(seq, null));
    expect(history.entries.map((e) => e.seq)).toEqual([3, 4]);
  });

  it('keeps the newest delivery even when it alone is over the limit', () => {
    const history = createHistory({ count: 10, bytes: 100 });
    history.add(entry(1, Buffer.alloc(10)));
    history.add(entry(2, Buffer.alloc(5000)));
    expect(history.entries.map((e) => e.seq)).toEqual([2]);
  });

  it('keeps a body of its own, not the larger buffer it was cut from', () => {
    const file = Buffer.alloc(1 << 20, 'x');
    const history = createHistory({ count: 10, bytes: 1e9 });
    history.add(entry(1, file.subarray(100, 110)));
    const kept = history.entries[0]!.body!;
    expect(kept.toString()).toBe('xxxxxxxxxx');
    expect(kept.buffer.byteLength).toBe(10);
  });
});

describe('replayUrl() keeps "copy as curl" on the listener (issue 13, item 27)', () => {
  const listener = new URL('http://127.0.0.1:4242/');

  it('takes only the path and query of any request-target', () => {
    expect(replayUrl(listener, '/hooks?a=1').href).toBe('http://127.0.0.1:4242/hooks?a=1');
    expect(replayUrl(listener, '//evil.example/x').href).toBe('http://127.0.0.1:4242//evil.example/x');
    expect(replayUrl(listener, 'https://evil.example:8443/y?z').href).toBe('http://127.0.0.1:4242/y?z');
    expect(replayUrl(listener, 'http://[').href).toBe('http://127.0.0.1:4242/');
    expect(replayUrl(listener, '*').href).toBe('http://127.0.0.1:4242/*');
    // Found by the property below: an absolute target whose path is `//` once threw "Invalid URL".
    expect(replayUrl(listener, 'http://&//').href).toBe('http://127.0.0.1:4242//');
  });

  it('never throws and never leaves the listener, whatever the request-target', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `//${s}`),
          fc.string().map((s) => `http://${s}`),
        ),
        (target) => {
          expect(replayUrl(listener, target).origin).toBe(listener.origin);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
