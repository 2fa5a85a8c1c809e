// A --save directory of many captures, made without a listener (writing 10,000 through one would
// take the test's time), for the inspector at scale (issue 18): the test and `npm run bench inspector`.
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_TYPES } from '../../src/oblic/events.js';
import { captureName, renderCapture } from '../../src/listen/save.js';

/** The event id of delivery `i` (1-based): 16 characters, as Oblic's ids are. */
export const idOf = (i: number) => `Evt${String(i).padStart(13, '0')}`;

/** The type of delivery `i`: the fifteen types in turn. */
export const typeOf = (i: number) => EVENT_TYPES[i % EVENT_TYPES.length]!.type;

/** The body of delivery `i`: its id, its type and a payload that names it (so a search can find one). */
export const bodyOf = (i: number) =>
  JSON.stringify({
    id: idOf(i),
    type: typeOf(i),
    payload: { id: `P${String(i).padStart(15, '0')}`, message: `delivery number ${i} of the scale test`, n: i },
  });

/** Writes `count` signed captures, a tenth of a second apart, into a new directory; returns its path. */
export function writeCaptures(count: number, secret: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oblic-ui-scale-'));
  const start = Date.parse('2026-11-30T09:00:00.000Z');
  for (let i = 1; i <= count; i++) {
    const body = Buffer.from(bodyOf(i));
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    const headers: [string, string][] = [
      ['Host', 'localhost'],
      ['Content-Type', 'application/json'],
      ['X-Oblic-Signature', signature],
      ['Content-Length', String(body.length)],
    ];
    const head = { method: 'POST', path: '/webhooks', httpVersion: '1.1', headers };
    writeFileSync(join(dir, captureName(new Date(start + i * 100), i, typeOf(i), idOf(i))), renderCapture(head, body));
  }
  return dir;
}
