// listen recognises repeats (issue 16), from the built binary: the pretty line and the NDJSON field,
// on the verifying thread (a plain listen) and on the main one (--save, --reject-invalid).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenEach } from './helpers/cli.js';
import { deliverRaw } from './helpers/deliver.js';

const SECRET = 'repeats-cli-secret-16';
const event = (id: string, message: string) =>
  JSON.stringify({ id, type: 'message.updated', payload: { id: 'SIuAFUNKdSYHZF2w', message } });
const FIRST = event('a056V7R7NmNRjl70', 'Keep the change');
const EDITED = event('a056V7R7NmNRjl70', 'Keep the change, ya filthy animal');
const OTHER = event('b056V7R7NmNRjl71', 'Keep the change');

const listen = listenEach({ OBLIC_WEBHOOK_SECRET: SECRET });

/** One delivery over its own connection, signed unless told not to; resolves once it was answered. */
const deliver = (url: string, body: string, sign = true) => deliverRaw(url, body, sign ? SECRET : null);

/** Sends the bodies one after another to a listener that exits after as many, and gives its output. */
async function run(args: string[], bodies: string[], sign = true) {
  const cli = listen(['--exit-after', String(bodies.length), ...args]);
  const url = await cli.url;
  for (const body of bodies) await deliver(url, body, sign);
  return cli.exited;
}

interface Line {
  received_at: string;
  event: { id: string } | null;
  status: number;
  duplicate_of: { received_at: string; same_bytes: boolean } | null;
}
const parse = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);

/** The first line of each delivery's block: it starts with the time. */
const rows = (stdout: string) => stdout.split('\n').filter((line) => /^\d\d:\d\d:\d\d\.\d{3} /.test(line));
const timeOf = (row: string) => row.slice(0, 12);

describe('listen marks repeats', () => {
  for (const [path, args] of [
    ['on the verifying thread', []],
    ['with --save (main thread)', ['--save', mkdtempSync(join(tmpdir(), 'oblic-repeats-'))]],
  ] as const) {
    it(`--json gives duplicate_of: null, or when the first came and same_bytes, ${path}`, async () => {
      const result = await run(['--json', ...args], [FIRST, OTHER, FIRST, EDITED, '{"not":"an event"}']);
      expect(result.code).toBe(0);
      const lines = parse(result.stdout);
      const first = lines[0]!.received_at;
      expect(lines.map((l) => l.duplicate_of)).toEqual([
        null,
        null,
        { received_at: first, same_bytes: true },
        { received_at: first, same_bytes: false },
        null,
      ]);
      expect(result.stderr).toContain('5 received · 5 verified · 0 invalid · 0 unsigned · 2 duplicates');
    });

    it(`the pretty row says "duplicate of <time> (same bytes)" or "(same id, different bytes)", ${path}`, async () => {
      const result = await run([...args], [FIRST, FIRST, EDITED, OTHER]);
      expect(result.code).toBe(0);
      const [first, again, edited, other] = rows(result.stdout);
      expect(first).toMatch(/ {2}a056V7R7NmNRjl70 {2}✔ verified$/);
      expect(again).toMatch(
        new RegExp(` {2}a056V7R7NmNRjl70 {2}✔ verified {2}↻ duplicate of ${timeOf(first!)} \\(same bytes\\)$`),
      );
      expect(edited).toMatch(
        new RegExp(`✔ verified {2}↻ duplicate of ${timeOf(first!)} \\(same id, different bytes\\)$`),
      );
      expect(other).toMatch(/ {2}b056V7R7NmNRjl71 {2}✔ verified$/);
    });
  }

  it('marks a repeat that --reject-invalid answered 401, on the main thread', async () => {
    const result = await run(['--json', '--reject-invalid'], [FIRST, FIRST], false);
    const lines = parse(result.stdout);
    expect(lines.map((l) => [l.status, l.duplicate_of?.same_bytes ?? null])).toEqual([
      [401, null],
      [401, true],
    ]);
    expect(result.stderr).toContain('2 received · 0 verified · 0 invalid · 2 unsigned · 1 duplicate');
  });

  it('escapes an id from input on the row of its repeat, and puts nothing of it in the mark', async () => {
    const hostile = event('\u001b[31mred\u202etxt\u0007', 'x');
    const result = await run([], [hostile, hostile]);
    const [first, again] = rows(result.stdout);
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(again).toContain('\\x1b[31mred\\u202etxt\\x07');
    expect(again).toMatch(new RegExp(`↻ duplicate of ${timeOf(first!)} \\(same bytes\\)$`));
  });
});
