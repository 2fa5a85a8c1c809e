import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pinToOrigin } from '../src/inspector.js';
describe('pinToOrigin() keeps "copy as curl" on the listener (issue 13, item 27)', () => {
  const listener = new URL('http://127.0.0.1:4242/');

  it('takes only the path and query of any request-target', () => {
    expect(pinToOrigin(listener, '/hooks?a=1').href).toBe('http://127.0.0.1:4242/hooks?a=1');
    expect(pinToOrigin(listener, '//evil.example/x').href).toBe('http://127.0.0.1:4242//evil.example/x');
    expect(pinToOrigin(listener, 'https://evil.example:8443/y?z').href).toBe('http://127.0.0.1:4242/y?z');
    expect(pinToOrigin(listener, 'http://[').href).toBe('http://127.0.0.1:4242/');
    expect(pinToOrigin(listener, '*').href).toBe('http://127.0.0.1:4242/*');
  });

  it('never throws and never leaves the listener, whatever the request-target', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `//${s}`), fc.string().map((s) => `http://${s}`)), (target) => {
        expect(pinToOrigin(listener, target).origin).toBe(listener.origin);
      }),
      { numRuns: 2000 },
    );
  });
});
