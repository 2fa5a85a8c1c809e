// Endpoints for `oblic-hooks check` (issue 15): one that does everything right, written here with
// node:crypto alone (not the product's verifier), and broken ones, each the right one with one bug
// that people write. Each broken one must fail exactly the probes named beside it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { resourceOf } from '../../src/oblic/events.js';
import { MODELS } from '../../src/oblic/models.js';
import { parseEvent } from '../../src/oblic/parse.js';
import type { Received, Reply } from './server.js';

export interface Endpoint {
  /** The handler's one departure from a correct endpoint. */
  bug: string;
  reply: (secret: string) => Reply;
  /** The probes it must fail and warn, exactly. */
  fails: string[];
  warns?: string[];
  /** Flags the run needs (a small --deadline for the slow one). */
  flags?: string[];
}

interface Choices {
  /** How the signature is checked: against the raw bytes, not at all, against JSON.stringify(JSON.parse(body)), or by decoding the header with Buffer.from(value, 'hex'). */
  verify: 'raw' | 'none' | 'reserialized' | 'buffer-from-hex';
  /** What a verified body that is not an event gets: 400, or an uncaught JSON.parse. */
  badJson: 'refuse' | 'crash';
  unknownType: 'accept' | 'crash' | 'refuse';
  unknownFields: 'accept' | 'refuse';
  duplicates: 'accept' | 'fail';
  /** Refuse bodies over this many bytes with 413. */
  maxBody: number;
  delayMs: number;
}

const RIGHT: Choices = {
  verify: 'raw',
  badJson: 'refuse',
  unknownType: 'accept',
  unknownFields: 'accept',
  duplicates: 'accept',
  maxBody: 1024 * 1024,
  delayMs: 0,
};

const KNOWN_KEYS = new Set(['id', 'type', 'payload']);

function signatureMatches(choices: Choices, secret: string, request: Received): boolean {
  const header = request.headers['x-oblic-signature'];
  if (choices.verify === 'none') return true;
  if (typeof header !== 'string') return false;
  if (choices.verify === 'buffer-from-hex') {
    const given = Buffer.from(header, 'hex');
    const expected = createHmac('sha256', secret).update(request.body).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  if (!/^[0-9a-fA-F]{64}$/.test(header.trim())) return false;
  const signed =
    choices.verify === 'raw' ? request.body : Buffer.from(JSON.stringify(JSON.parse(request.body.toString())));
  const expected = createHmac('sha256', secret).update(signed).digest();
  return timingSafeEqual(Buffer.from(header.trim(), 'hex'), expected);
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString());
    return true;
  } catch {
    return false;
  }
}

function handler(choices: Choices, secret: string): Reply {
  const seen = new Set<string>();
  const answer = (response: ServerResponse, status: number, error?: string) => {
    const send = () =>
      error === undefined
        ? response.writeHead(status).end()
        : response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
    if (choices.delayMs > 0) setTimeout(send, choices.delayMs);
    else send();
  };
  return (request, response) => {
    try {
      if (request.method !== 'POST') return answer(response, 405);
      if (request.body.length > choices.maxBody) return answer(response, 413, 'body too large');
      // express.json() answers 400 to a body that is not JSON before the handler sees it.
      if (choices.verify === 'reserialized' && !isJson(request.body)) return answer(response, 400, 'not JSON');
      if (!signatureMatches(choices, secret, request)) return answer(response, 401, 'bad signature');
      const parsed = choices.badJson === 'crash' ? JSON.parse(request.body.toString()) : undefined;
      const result = parseEvent(parsed ?? request.body);
      if (!result.ok && result.error.code === 'unknown_type') {
        if (choices.unknownType === 'crash') throw new Error('no handler for this type');
        return answer(response, choices.unknownType === 'accept' ? 204 : 422, 'unknown event type');
      }
      if (!result.ok) return answer(response, 400, result.error.message);
      if (choices.unknownFields === 'refuse') {
        // additionalProperties: false on the envelope and the payload
        const model = MODELS[resourceOf(result.event.type)] as Record<string, unknown>;
        const extra =
          Object.keys(result.event).some((key) => !KNOWN_KEYS.has(key)) ||
          Object.keys(result.event.payload).some((key) => !Object.hasOwn(model, key));
        if (extra) return answer(response, 400, 'unknown field');
      }
      if (choices.duplicates === 'fail') {
        if (seen.has(result.event.id)) throw new Error(`duplicate key ${result.event.id}`);
        seen.add(result.event.id);
      }
      return answer(response, 204);
    } catch (error) {
      return answer(response, 500, (error as Error).message);
    }
  };
}

const endpoint = (bug: string, choices: Partial<Choices>, fails: string[], more: Partial<Endpoint> = {}): Endpoint => ({
  bug,
  reply: (secret) => handler({ ...RIGHT, ...choices }, secret),
  fails,
  ...more,
});

export const RIGHT_ENDPOINT = endpoint('none', {}, []);

export const BROKEN_ENDPOINTS: Endpoint[] = [
  endpoint('never verifies', { verify: 'none' }, [
    'rejects-missing-signature',
    'rejects-wrong-secret',
    'rejects-tampered-body',
    'rejects-malformed-signature',
  ]),
  endpoint('verifies JSON.stringify(JSON.parse(body))', { verify: 'reserialized' }, ['accepts-exact-bytes']),
  endpoint("decodes the header with Buffer.from(value, 'hex')", { verify: 'buffer-from-hex' }, [
    'rejects-malformed-signature',
  ]),
  endpoint('refuses fields the models do not have', { unknownFields: 'refuse' }, ['tolerates-unknown-fields']),
  endpoint('crashes on an unknown type', { unknownType: 'crash' }, ['tolerates-unknown-type']),
  endpoint('refuses an unknown type with 422', { unknownType: 'refuse' }, [], { warns: ['tolerates-unknown-type'] }),
  endpoint('answers 500 to a duplicate', { duplicates: 'fail' }, ['handles-duplicates']),
  endpoint('answers in 80 ms', { delayMs: 80 }, ['answers-in-time'], { flags: ['--deadline', '40ms'] }),
  endpoint('answers 500 to a body that is not JSON', { badJson: 'crash' }, ['rejects-invalid-json']),
  endpoint('stops at 100 kB as express.json() does', { maxBody: 100 * 1024 }, ['large-event']),
];
