import type { Craft, EventObject } from './craft.js';
import { TRICKY_TEXT } from './craft.js';
import { accepts, answerOf, crashFix, type Exchange, graded, inTurn, type Probe, rejects } from './probe.js';
import { WRITINGS } from './writings.js';

// The probes of the signature: the exact bytes are what is signed, and nothing else gets in.

/** A message.created whose text is one that re-serializers write differently. */
function trickyMessage(craft: Craft): EventObject {
  const event = craft.event('message.created');
  (event.payload as EventObject).message = TRICKY_TEXT;
  return event;
}

/** A rejection probe's grade: a 2xx takes the forgery in (`accepted` says why), a 5xx is a crash. */
function rejection(accepted: (taken: readonly Exchange[]) => string): Probe['grade'] {
  return graded((bad) => {
    const taken = bad.filter(({ result }) => accepts(result));
    if (taken.length > 0) return accepted(taken);
    return bad.some(({ result }) => answerOf(result) === 'server-error')
      ? crashFix('a forged or mangled delivery', 'refuse it with 401, and a forgery is not retried')
      : null;
  }, false);
}

export const SIGNATURE_PROBES: readonly Probe[] = [
  {
    id: 'accepts-exact-bytes',
    group: 'signatures',
    title: 'verifies the raw bytes, however the JSON is written',
    sends: `the same kind of event written ${WRITINGS.length} ways (\\u escapes, \\/, spaces, key order, a trailing newline, 1.0, 1e3), each validly signed`,
    build: (craft) =>
      inTurn(
        WRITINGS.map((writing) => {
          const event = trickyMessage(craft);
          return craft.signed(writing.label, event, { bytes: writing.write(event), change: writing.change });
        }),
      ),
    expects: accepts,
    grade: graded(
      () =>
        'validly signed bodies were refused: the endpoint verifies a re-serialized body (JSON.stringify(req.body), json.dumps(data)) instead of the bytes it received; verify the raw body (express.raw(), await request.text(), Fastify parseAs: "buffer") and parse it after',
    ),
  },
  {
    id: 'rejects-missing-signature',
    group: 'signatures',
    title: 'refuses a delivery with no signature',
    sends: 'a valid event with no x-oblic-signature header',
    build: (craft) =>
      inTurn([craft.withSignatures('no signature', craft.event('message.created'), [], 'no x-oblic-signature header')]),
    expects: rejects,
    grade: rejection(
      () =>
        'the endpoint takes events nobody signed: anyone who knows its URL can post them; answer 401 when x-oblic-signature is missing',
    ),
  },
  {
    id: 'rejects-wrong-secret',
    group: 'signatures',
    title: 'refuses a signature made with another secret',
    sends: 'a valid event signed with a secret that is not the endpoint’s',
    build: (craft) => {
      const other = `oblicwrong_${craft.random().id()}${craft.random().id()}`;
      return inTurn([
        craft.signed('another secret', craft.event('contact.updated'), {
          secret: other,
          change: 'signed with another secret',
        }),
      ]);
    },
    expects: rejects,
    grade: rejection(
      () =>
        'the endpoint takes a signature made with another secret: it checks that a signature is there, not that it matches; compare it with the HMAC of the raw body under your secret',
    ),
  },
  {
    id: 'rejects-tampered-body',
    group: 'signatures',
    title: 'refuses a body changed after signing',
    sends: 'a valid event, signed, then one byte of its text changed',
    build: (craft) => {
      const event = trickyMessage(craft);
      const bytes = Buffer.from(JSON.stringify(event));
      const mac = craft.mac(bytes);
      // The H of ¡Hola!: the body stays a valid event, only the signature tells.
      const at = bytes.indexOf('Hola');
      bytes[at] = 'h'.charCodeAt(0);
      return inTurn([
        craft.raw('one byte changed', event, bytes, [mac], `byte ${at} changed from "H" to "h" after signing`),
      ]);
    },
    expects: rejects,
    grade: rejection(
      () =>
        'the endpoint takes a body that was changed after signing: it does not compare the signature with the HMAC of the body it received',
    ),
  },
  {
    id: 'rejects-malformed-signature',
    group: 'signatures',
    title: 'refuses a malformed signature',
    sends: 'sha256=<hex>, 63 and 65 hex digits, an empty value, base64 of the right MAC, the right MAC in two headers',
    build: (craft) => {
      const forged = (label: string, values: (mac: string) => string[], change: string) => {
        const event = craft.event('message.created');
        return craft.withSignatures(label, event, values(craft.mac(JSON.stringify(event))), change);
      };
      return inTurn([
        forged('sha256= prefix', (mac) => [`sha256=${mac}`], 'x-oblic-signature: sha256=<the right MAC>'),
        forged('63 hex digits', (mac) => [mac.slice(0, 63)], 'the right MAC without its last digit'),
        forged('65 hex digits', (mac) => [`${mac}0`], 'the right MAC and one more digit'),
        forged('empty', () => [''], 'x-oblic-signature with an empty value'),
        forged('base64', (mac) => [Buffer.from(mac, 'hex').toString('base64')], 'the right MAC in base64'),
        forged('two headers', (mac) => [mac, mac], 'x-oblic-signature twice, each the right MAC'),
      ]);
    },
    expects: rejects,
    grade: rejection((taken) => {
      const labels = taken.map(({ sent }) => sent.label);
      // An empty value or base64 carries no hex at all: an endpoint that takes them does not verify.
      if (labels.includes('empty') || labels.includes('base64'))
        return `the endpoint takes signatures that are not the MAC at all (${labels.join(', ')}): it does not verify x-oblic-signature; compare it with the HMAC of the raw body and answer 401 when they differ`;
      return `the endpoint takes a malformed signature (${labels.join(', ')}): Buffer.from(value, "hex") stops at the first character that is not hex and drops an odd last digit, so check that the value is exactly 64 hex digits before comparing`;
    }),
  },
];
