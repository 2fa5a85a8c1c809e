// What `check`'s probes send (issue 15), checked without a server: each writing of the JSON is the
// same event in other bytes, the library's own verifier agrees with every grade, and the JUnit file
// holds whatever an endpoint answered.
import { describe, expect, it } from 'vitest';
import { Craft, TRICKY_TEXT } from '../src/check/craft.js';
import { renderJunit } from '../src/cli/commands/check/junit.js';
import type { ProbeReport } from '../src/check/probe.js';
import { PROBES, selectProbes } from '../src/check/probes.js';
import { planSuite } from '../src/check/plan.js';
import { WRITINGS } from '../src/check/writings.js';
import { parseEvent } from '../src/oblic/parse.js';
import { verifyRequest } from '../src/signing/verify-request.js';

const SECRET = 'check-probes-secret-0003';
const craft = () => new Craft(new URL('http://127.0.0.1:9/webhooks'), SECRET, 11, 1_767_225_600);
const plans = planSuite(PROBES, craft());
const requestsOf = (id: string) =>
  plans.probes.find((plan) => plan.probe.id === id)!.rounds.flatMap((round) => round.requests);

describe('accepts-exact-bytes: one event, nine writings', () => {
  const event = craft().event('message.created');
  (event.payload as Record<string, unknown>).message = TRICKY_TEXT;
  const written = WRITINGS.map((writing) => writing.write(event));

  it('each writing is the same event, in bytes of its own', () => {
    for (const bytes of written) expect(JSON.parse(bytes)).toEqual(event);
    expect(new Set(written).size).toBe(WRITINGS.length);
  });

  it('JSON.stringify(JSON.parse(body)) changes all but two of them (those catch other languages’ re-serializers)', () => {
    const kept = WRITINGS.filter((_, i) => JSON.stringify(JSON.parse(written[i]!)) === written[i]).map((w) => w.label);
    expect(kept).toEqual(['non-ASCII text as raw UTF-8', 'keys in another order']);
  });

  it('the escapes are those of the labels', () => {
    expect(written[1]).toContain('\\u00e9');
    expect(written[1]).toContain('\\ud83d\\udc4b');
    expect(written[1]).not.toMatch(/[^\x00-\x7f]/);
    expect(written[2]).toContain('5\\/6');
    expect(written[3]).toContain('": "');
    expect(written[6]!.endsWith('}\n')).toBe(true);
    expect(written[7]).toMatch(/"created_at":\d+\.0[,}]/);
    expect(written[8]).toMatch(/"created_at":\d(\.\d+)?e\d+[,}]/);
  });
});

describe("the library's verifyRequest agrees with every probe", () => {
  const refused = [
    'rejects-missing-signature',
    'rejects-wrong-secret',
    'rejects-tampered-body',
    'rejects-malformed-signature',
  ];
  const verdictOf = async (request: { headers: Array<[string, string]>; body: Buffer }) => {
    const headers = new Headers();
    for (const [name, value] of request.headers) headers.append(name, value);
    return verifyRequest(
      new Request('http://127.0.0.1/webhooks', { method: 'POST', headers, body: new Uint8Array(request.body) }),
      {
        secrets: SECRET,
      },
    );
  };

  it.each(PROBES.map((probe) => probe.id))('%s', async (id) => {
    for (const { request, label } of requestsOf(id)) {
      const verdict = await verdictOf(request);
      expect([label, verdict.verified]).toEqual([label, !refused.includes(id)]);
    }
  });

  it('what the probes send as events parse as events, and what they send as odd is told apart', async () => {
    const parse = (id: string) => requestsOf(id).map(({ request }) => parseEvent(request.body));
    for (const id of [
      'accepts-every-type',
      'accepts-exact-bytes',
      'tolerates-unknown-fields',
      'handles-burst',
      'large-event',
    ])
      for (const result of parse(id)) expect(result.ok, id).toBe(true);
    expect(parse('tolerates-unknown-type').map((r) => !r.ok && r.error.code)).toEqual(['unknown_type', 'unknown_type']);
    expect(parse('rejects-invalid-json').map((r) => !r.ok && r.error.code)).toEqual([
      'invalid_json',
      'invalid_id',
      'invalid_type',
    ]);
  });

  it('the large event is over express.json’s 100 kB and under 1 MiB, with 100 attachments', () => {
    const [large] = requestsOf('large-event');
    expect(large!.request.body.length).toBeGreaterThan(100 * 1024);
    expect(large!.request.body.length).toBeLessThan(1024 * 1024);
    expect(
      (JSON.parse(large!.request.body.toString()) as { payload: { attachments: unknown[] } }).payload.attachments,
    ).toHaveLength(100);
  });
});

describe('selectProbes', () => {
  const ids = (only: string[], skip: string[] = []) => selectProbes(only, skip).map((probe) => probe.id);

  it('takes ids and groups, comma-separated or repeated, keeps the fixed order, and --skip wins', () => {
    expect(ids([])).toEqual(PROBES.map((probe) => probe.id));
    expect(ids(['large-event,accepts-every-type'])).toEqual(['accepts-every-type', 'large-event']);
    expect(ids(['robustness', 'tolerates-unknown-type'])).toEqual([
      'rejects-invalid-json',
      'tolerates-unknown-type',
      'large-event',
    ]);
    expect(ids(['signatures'], ['accepts-exact-bytes,rejects-malformed-signature'])).toEqual([
      'rejects-missing-signature',
      'rejects-wrong-secret',
      'rejects-tampered-body',
    ]);
  });

  it('an unknown name is a usage error that suggests the nearest', () => {
    expect(() => ids(['duplicates'])).toThrow('did you mean handles-duplicates?');
    expect(() => ids([], ['signature'])).toThrow(
      '--skip "signature" is not a probe or a group; did you mean signatures?',
    );
  });
});

describe('renderJunit', () => {
  const report = (over: Partial<ProbeReport>): ProbeReport => ({
    id: 'rejects-wrong-secret',
    group: 'signatures',
    title: 'refuses a signature made with another secret',
    verdict: 'pass',
    detail: 'answered 401',
    fix: null,
    ms: 12.5,
    exchanges: [],
    ...over,
  });

  it('escapes what XML must, and replaces what XML 1.0 cannot hold', () => {
    const exchange = {
      probe: 'rejects-wrong-secret',
      sent: {
        label: 'another <secret>',
        type: 'contact.updated',
        id: 'a056V7R7NmNRjl70',
        change: null,
        request: null as never,
      },
      result: {
        status: 200,
        ms: 3,
        headers: {},
        body: Buffer.from('ok "&\' \x1b[31m\x00]]>'),
        error: null,
        attempts: 1,
      },
      expected: false,
    };
    const xml = renderJunit(
      [report({ verdict: 'fail', detail: '1 of 1 answered 200', fix: 'compare <it> & "then"', exchanges: [exchange] })],
      {
        target: 'http://localhost:3000/hooks?a=1&b=2',
        seed: 7,
        strict: false,
        ms: 20,
      },
    );
    expect(xml).toContain('<property name="target" value="http://localhost:3000/hooks?a=1&amp;b=2"/>');
    expect(xml).toContain('<failure message="compare &lt;it&gt; &amp; &quot;then&quot;" type="fail">');
    expect(xml).toContain(
      'another &lt;secret&gt; (contact.updated a056V7R7NmNRjl70): 200 ok &quot;&amp;&apos; \ufffd[31m\ufffd]]&gt;, 3 ms',
    );
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  });

  it('a warning is a pass with its note in <system-out>, and a <failure> under --strict', () => {
    const warned = report({ id: 'tolerates-unknown-type', verdict: 'warn', fix: 'answer 2xx' });
    const run = { target: 'http://x/', seed: 1, ms: 1 };
    expect(renderJunit([warned], { ...run, strict: false })).toMatch(
      /failures="0"[\s\S]*<system-out>warning: answered 401\nfix: answer 2xx<\/system-out>/,
    );
    expect(renderJunit([warned], { ...run, strict: true })).toMatch(
      /failures="1"[\s\S]*<failure message="answer 2xx" type="warn">/,
    );
  });
});
