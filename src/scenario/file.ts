import { InputError } from '../base/errors.js';
import { nearest } from '../base/text.js';
import { EVENT_TYPES, isEventType, type EventType } from '../oblic/events.js';

/** A scenario as a file holds it, and as `scenario show` prints a built-in one. */
export interface Scenario {
  name: string;
  description: string;
  steps: Step[];
}

export type Step = EventStep | WaitStep;

export interface EventStep {
  event: EventType;
  /** A name later steps refer to: `${hello.payload.id}`. */
  as?: string;
  /** Paths and values as `send --set` takes them; a string value may hold `${name.path}` or `${now}`. */
  set?: Record<string, unknown>;
  /** A status (`201`) or a class (`2xx`, `4xx`): what the endpoint should answer. */
  expect?: string;
}

export interface WaitStep {
  /** Simulated time: `2s`, `500ms`, `5m`. */
  wait: string;
}

/** More steps than any scenario a person writes; past it a file is refused unread, not planned. */
export const MAX_STEPS = 10_000;

const EVENT_KEYS = ['event', 'as', 'set', 'expect'] as const;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const EXPECT = /^([1-5]xx|[1-5][0-9][0-9])$/;
const TYPE_NAMES = EVENT_TYPES.map((info) => info.type);

/** A problem with the path where it is, e.g. `steps[3].set.payload.contact_id: no earlier step named "c2"`. */
export function problemAt(path: string, message: string): InputError {
  return new InputError(`${path}: ${message}`);
}

/** Parses and checks a scenario file's text; every problem names where it is (`label` is the file). */
export function parseScenario(text: string, label: string): Scenario {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${label} is not JSON: ${(error as Error).message}`);
  }
  try {
    return checkScenario(value);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${label}: ${error.message}`);
    throw error;
  }
}

/** Checks a parsed scenario: the shape, the names, the event types and the waits. */
export function checkScenario(value: unknown): Scenario {
  if (!isObject(value)) throw new InputError('a scenario is an object: { "name", "description", "steps": [...] }');
  unknownKeys(value, ['name', 'description', 'steps'], '');
  const name = value.name ?? 'scenario';
  if (typeof name !== 'string') throw problemAt('name', 'should be a string');
  const description = value.description ?? '';
  if (typeof description !== 'string') throw problemAt('description', 'should be a string');
  if (!Array.isArray(value.steps)) throw problemAt('steps', 'should be an array of steps');
  if (value.steps.length === 0) throw problemAt('steps', 'is empty; a scenario has at least one event step');
  if (value.steps.length > MAX_STEPS)
    throw problemAt('steps', `has ${value.steps.length} steps; a scenario has at most ${MAX_STEPS}`);
  const names = new Set<string>();
  const steps = value.steps.map((raw, i) => checkStep(raw, `steps[${i}]`, names));
  if (!steps.some((step) => 'event' in step)) throw problemAt('steps', 'has only waits; add an event step');
  return { name, description, steps };
}

function checkStep(raw: unknown, at: string, names: Set<string>): Step {
  if (!isObject(raw)) throw problemAt(at, 'should be { "event": … } or { "wait": "2s" }');
  if ('wait' in raw && 'event' in raw)
    throw problemAt(at, 'has both "event" and "wait"; a step is one or the other: put the wait in a step of its own');
  if ('wait' in raw) {
    unknownKeys(raw, ['wait'], at);
    if (typeof raw.wait !== 'string') throw problemAt(`${at}.wait`, 'should be a duration such as "2s"');
    parseWait(raw.wait, `${at}.wait`);
    return { wait: raw.wait };
  }
  if (!('event' in raw)) {
    unknownKeys(raw, [...EVENT_KEYS, 'wait'], at);
    throw problemAt(at, 'has neither "event" nor "wait"');
  }
  unknownKeys(raw, EVENT_KEYS, at);
  const { event } = raw;
  if (!isEventType(event)) {
    const near = typeof event === 'string' ? nearest(event, TYPE_NAMES) : undefined;
    throw problemAt(
      `${at}.event`,
      `${JSON.stringify(event)} is not an Oblic event type${near ? `; did you mean ${near}?` : ''} (\`oblic-hooks events\` lists them)`,
    );
  }
  const step: EventStep = { event };
  if (raw.as !== undefined) {
    if (typeof raw.as !== 'string' || !NAME.test(raw.as) || raw.as === 'now')
      throw problemAt(`${at}.as`, 'should be a name of letters, digits, _ and - (not "now"), e.g. "hello"');
    if (names.has(raw.as)) throw problemAt(`${at}.as`, `"${raw.as}" names an earlier step already`);
    names.add(raw.as);
    step.as = raw.as;
  }
  if (raw.set !== undefined) {
    if (!isObject(raw.set)) throw problemAt(`${at}.set`, 'should be an object of paths and values');
    for (const path of Object.keys(raw.set)) {
      if (path.split('.').some((key) => key === ''))
        throw problemAt(`${at}.set`, `"${path}" has an empty step in its path; e.g. payload.contact.username`);
    }
    step.set = raw.set;
  }
  if (raw.expect !== undefined) {
    const expect = typeof raw.expect === 'number' ? String(raw.expect) : raw.expect;
    if (typeof expect !== 'string' || !EXPECT.test(expect.toLowerCase()))
      throw problemAt(`${at}.expect`, 'should be a status (201) or a class ("2xx", "4xx")');
    step.expect = expect.toLowerCase();
  }
  return step;
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], at: string): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    throw problemAt(
      at === '' ? key : `${at}.${key}`,
      `is not a field of ${at === '' ? 'a scenario' : 'a step'}${near ? `; did you mean "${near}"?` : ''} (it takes ${known.join(', ')})`,
    );
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** A day of simulated time per wait: more than any retry schedule, less than a timer overflow. */
const MAX_WAIT_MS = 24 * 3_600_000;

/** `500ms`, `2s`, `1.5m`, `2h` to milliseconds. */
export function parseWait(text: string, at: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!match) throw problemAt(at, `"${text}" is not a duration; e.g. "500ms", "2s", "5m" or "1h"`);
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
  if (ms > MAX_WAIT_MS) throw problemAt(at, `"${text}" is more than a day; split it or shorten it`);
  return ms;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
