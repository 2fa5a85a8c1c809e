import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sign, signStream } from '../src/signing/sign.js';

// Computed independently with `printf … | openssl dgst -sha256 -hmac KEY`.
const VECTORS = [
  {
    secret: "It's a Secret to Everybody",
    body: Buffer.from('Hello, World!'),
    hex: '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
  },
  {
    secret: "It's a Secret to Everybody",
    body: Buffer.from('Hello, World!\n'),
    hex: '8fde2e970f9163923fb1cb61bb945626ff2b4091d87e622ee3ad600160592325',
  },
  {
    secret: 'oblicdev_test',
    body: Buffer.alloc(0),
    hex: 'dbd4b5f5e44909db42eb83e7277227c1ce0868420f59965dfe91d59fe17fce78',
  },
  {
    secret: 'whsec ünïcode key',
    body: Buffer.from(
      '{"id":"a056V7R7NmNRjl70","type":"message.updated","payload":{"id":"SIuAFUNKdSYHZF2w","message":"I’m traveling with my dad. 🎄"}}',
    ),
    hex: 'a2e8a7025cf1b967a2adae44b03d8b155e520d6000d4cabe261aa86e105c7f89',
  },
  {
    secret: 's3cr3t',
    body: Buffer.from([0xff, 0xfe, 0x00, ...Buffer.from('binary'), 0x80]),
    hex: '70f40bff070d13f11857a910c4dcca3de513da3727c22abe21bb0b200cfbe2f9',
  },
];

describe('sign()', () => {
  it.each(VECTORS)('reproduces the openssl vector for $hex', ({ secret, body, hex }) => {
    expect(sign(secret, body)).toBe(hex);
  });

  it('hashes a string body as its UTF-8 bytes and a Uint8Array like a Buffer', () => {
    const vector = VECTORS[3]!;
    expect(sign(vector.secret, vector.body.toString('utf8'))).toBe(vector.hex);
    expect(sign(vector.secret, new Uint8Array(vector.body))).toBe(vector.hex);
  });

  it('rejects a parsed object with a TypeError that names the mistake', () => {
    expect(() => sign('s', { id: 'x' } as unknown as string)).toThrow(/raw bytes.*never a parsed/);
  });

  it('rejects an empty secret', () => {
    expect(() => sign('', 'body')).toThrow(TypeError);
  });
});

describe('signStream()', () => {
  it('gives the same signature over chunks split anywhere, even inside a multi-byte character', async () => {
    const vector = VECTORS[3]!;
    const chunks = [vector.body.subarray(0, 95), vector.body.subarray(95, 96), vector.body.subarray(96)];
    expect(await signStream(vector.secret, Readable.from(chunks))).toBe(vector.hex);
  });
});
