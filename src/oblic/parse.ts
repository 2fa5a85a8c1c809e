import { isEventType, resourceOf } from './events.js';
import { MODELS, type ModelName, type OblicEvent } from './models.js';

export type ParseErrorCode =
  | 'invalid_json'
  | 'not_an_object'
  | 'invalid_id'
  | 'invalid_type'
  | 'unknown_type'
  | 'invalid_payload';

export interface ParseError {
  code: ParseErrorCode;
  message: string;
  /** Where in the event the problem is, e.g. `payload.contact.created_at`. */
  path: string | null;
}

export type ParseResult = { ok: true; event: OblicEvent } | { ok: false; error: ParseError };

const ID = /^[A-Za-z0-9]{16}$/;
const TYPE_SHAPE = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/i;

function describeType(type: unknown): string {
  if (type === undefined) return 'the event has no type (a string of the form <resource>.<action>)';
  const text = JSON.stringify(type) ?? String(type);
  return `type ${text.length > 60 ? `${text.slice(0, 59)}…` : text} is not of the form <resource>.<action>`;
}

/**
 * Checks an event at run time against the contract's models (the same table the sample factory and
 * the JSON Schemas come from) and returns it typed, or a typed error. Fields Oblic may add later
 * are let through; a missing or mistyped field is an error. Takes the raw body or a parsed value.
 */
export function parseEvent(body: string | Uint8Array | unknown): ParseResult {
  let value: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
    } catch (error) {
      return failure('invalid_json', `the body is not JSON: ${(error as Error).message}`, null);
    }
  }
  return checkEvent(value);
}

/** parseEvent for a value already parsed from JSON: a string here is a JSON string, not JSON text. */
export function checkEvent(value: unknown): ParseResult {
  if (!isObject(value)) return failure('not_an_object', 'the event is not a JSON object', null);
  if (typeof value.id !== 'string' || !ID.test(value.id))
    return failure('invalid_id', 'id is not 16 characters from [A-Za-z0-9]', 'id');
  // A type Oblic may add is still `<resource>.<action>`; anything else (none, a number) is no event.
  if (typeof value.type !== 'string' || !TYPE_SHAPE.test(value.type))
    return failure('invalid_type', describeType(value.type), 'type');
  if (!isEventType(value.type))
    return failure(
      'unknown_type',
      `type ${JSON.stringify(value.type)} is not one of the fifteen Oblic event types`,
      'type',
    );
  const problem = checkModel(resourceOf(value.type), value.payload, 'payload');
  if (problem) return failure('invalid_payload', problem.message, problem.path);
  return { ok: true, event: value as unknown as OblicEvent };
}

function failure(code: ParseErrorCode, message: string, path: string | null): ParseResult {
  return { ok: false, error: { code, message, path } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

interface Problem {
  message: string;
  path: string;
}

/** The first way `value` departs from model `name`, or null. */
export function checkModel(name: ModelName, value: unknown, path: string): Problem | null {
  if (!isObject(value)) return { message: `${path} is not an object`, path };
  for (const [field, kind] of Object.entries(MODELS[name])) {
    const at = `${path}.${field}`;
    if (!(field in value)) return { message: `${at} is missing`, path: at };
    const problem = checkField(kind, value[field], at);
    if (problem) return problem;
  }
  return null;
}

function checkField(kind: string, value: unknown, at: string): Problem | null {
  const fail = (what: string): Problem => ({ message: `${at} should be ${what}, not ${preview(value)}`, path: at });
  if (kind.endsWith('|null') && value === null) return null;
  switch (kind.replace('|null', '')) {
    case 'id':
      return typeof value === 'string' && ID.test(value) ? null : fail('a 16-character id');
    case 'string':
      return typeof value === 'string' ? null : fail('a string');
    case 'timestamp':
    case 'integer':
      return Number.isInteger(value) && (value as number) >= 0 ? null : fail('a whole number');
    case 'boolean':
      return typeof value === 'boolean' ? null : fail('true or false');
    case 'sender':
      return checkModel('sender', value, at);
    case 'contact[]':
    case 'attachment[]': {
      if (!Array.isArray(value)) return fail('an array');
      for (const [i, item] of value.entries()) {
        const problem = checkModel(kind === 'contact[]' ? 'contact' : 'attachment', item, `${at}[${i}]`);
        if (problem) return problem;
      }
      return null;
    }
    case 'reactions': {
      const ok =
        Array.isArray(value) &&
        value.every(
          (r) =>
            isObject(r) &&
            Object.values(r).every((names) => Array.isArray(names) && names.every((n) => typeof n === 'string')),
        );
      return ok ? null : fail('an array of {reaction: [usernames]}');
    }
    default:
      return fail(kind);
  }
}

/** The start of a value as JSON; a sender's array nested 100,000 deep overflows the stack of JSON.stringify (issue 13, item 1). */
function preview(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 40) ?? 'undefined';
  } catch {
    return 'a value nested too deep to show';
  }
}
