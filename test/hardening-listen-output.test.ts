import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspectCapture } from '../src/wire/verdict.js';
import { parseEvent } from '../src/oblic/parse.js';
import { captureName, prepareSaveDir, writeCapture } from '../src/listen/save.js';
import { resolveSecrets } from '../src/cli/secrets.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'oblic-hooks-listen-output-'));

describe('prepareSaveDir (issue 13, item 5)', () => {
  it('removes the temporary files writeCapture leaves when killed, and nothing else of the user', async () => {
    const dir = tempDir();
    const ours = `.${captureName(new Date('2026-11-29T10:15:03.412Z'), 42, 'message.updated', 'a056V7R7NmNRjl70')}.0a1b2c3d.tmp`;
    const theirs = [
      '.env.tmp',
      '.notes.tmp',
      '.x.http.0a1b2c3d.tmp',
      `.${captureName(new Date(0), 1, null, null)}.tmp`,
      'keep.tmp',
    ];
    for (const name of [ours, ...theirs]) writeFileSync(join(dir, name), 'x');
    await prepareSaveDir(dir);
    expect(readdirSync(dir).sort()).toEqual([...theirs].sort());
  });

  it('recognises the temporary name writeCapture gives any capture name, so none is left for ever', async () => {
    const dir = tempDir();
    const text = fc.string({ unit: 'binary', maxLength: 80 });
    await fc.assert(
      fc.asyncProperty(
        fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
        fc.nat(10_000_000),
        fc.option(text),
        fc.option(text),
        async (at, seq, type, id) => {
          // writeCapture refuses a temporary name the clean-up would not recognise
          await writeCapture(dir, captureName(at, seq, type, id), Buffer.from('x'));
        },
      ),
      { numRuns: 200 },
    );
    for (const name of readdirSync(dir)) writeFileSync(join(dir, `.${name}.deadbeef.tmp`), 'partial');
    await prepareSaveDir(dir);
    expect(readdirSync(dir).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('resolveSecrets (issue 13, item 17)', () => {
  it('numbers --secret and --secret-file in the order given', async () => {
    const file = join(tempDir(), 'secret');
    writeFileSync(join(file), 'from-the-file\n', { mode: 0o600 });
    const secrets = await resolveSecrets(
      {
        sources: [
          { kind: 'file', path: file },
          { kind: 'flag', secret: 'from-the-flag' },
          { kind: 'flag', secret: 'second-flag' },
        ],
      },
      {},
      { createDev: false, all: true },
    );
    expect(secrets.map((s) => s.secret)).toEqual(['from-the-file', 'from-the-flag', 'second-flag']);
  });

  it('with one secret wanted, --secret still wins over --secret-file and the file is not read', async () => {
    const [secret] = await resolveSecrets(
      {
        sources: [
          { kind: 'file', path: '/nonexistent/secret' },
          { kind: 'flag', secret: 'the-flag' },
        ],
      },
      {},
      { createDev: false, all: false },
    );
    expect(secret).toMatchObject({ secret: 'the-flag', source: 'flag' });
  });
});

describe('inspectCapture().eventError (issue 13, item 19)', () => {
  // Hints are another part of issue 13 (item 1); only the event check is under test here.
  const inspect = (body: string) =>
    inspectCapture(
      { format: 'http', method: 'POST', path: '/', headers: [], body: Buffer.from(body), notes: [] },
      ['s'],
      [],
      { hints: false },
    );
  const valid =
    '{"id":"a056V7R7NmNRjl70","type":"contact.created","payload":{"id":"SIuAFUNKdSYHZF2w","username":"kevin","name":"Kevin","created_at":1}}';

  it('is what parseEvent says of the body, or null for a valid event', () => {
    for (const body of [
      valid,
      valid.replace('contact.created', 'contact.exploded'),
      '{"id":"x"}',
      'hello',
      '',
      '"{\\"id\\":1}"',
      '[1]',
    ]) {
      const parsed = parseEvent(body);
      expect(inspect(body).eventError ?? null, body).toEqual(parsed.ok ? null : parsed.error);
    }
    expect(inspect(valid.replace('contact.created', 'contact.exploded')).eventError).toMatchObject({
      code: 'unknown_type',
      path: 'type',
    });
  });

  it('is a verdict, not a stack overflow, for a payload field nested 100,000 deep', () => {
    const deep = `{"id":"a056V7R7NmNRjl70","type":"contact.created","payload":{"id":"SIuAFUNKdSYHZF2w","username":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    expect(inspect(deep).eventError).toMatchObject({ code: 'invalid_payload', path: 'payload.username' });
  });
});
