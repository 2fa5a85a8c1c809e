import { InputError } from '../base/errors.js';
import { nearest } from '../base/text.js';
import { actionOf, resourceOf } from '../oblic/events.js';
import { parseEvent } from '../oblic/parse.js';
import type { Body } from '../samples/bodies.js';
import { createRandom, deriveSeed } from '../samples/random.js';
import { applyAssignment } from '../samples/set-path.js';
import { type EventStep, isObject, parseWait, problemAt, type Scenario } from './file.js';
import { happen, keep, type Links } from './happen.js';
import { World } from './world.js';

/**
 * One delivery a scenario plans, in order. The executor (and later the delivery behaviour flags:
 * duplicates, reordering, retries) works on a list of these.
 */
export interface PlannedDelivery {
  /** The step's `as`, or `steps[i]`. */
  step: string;
  body: Body;
  /** Simulated time since the delivery before it (or since the start, for the first). */
  waitMs: number;
  /** What the step expects (`2xx`, `404`), or null: a 2xx. */
  expect: string | null;
}

export interface PlanOptions {
  seed: number;
  /** Unix milliseconds the scenario clock starts at. */
  startMs: number;
}

/** Simulated time between two steps that have no wait between them: a person typing, an app syncing. */
const GAP_MS = { min: 400, max: 4000 };
const LINK_KEYS: ReadonlyArray<keyof Links> = ['id', 'conversation_id', 'message_id'];
const REFERENCE = /\$\{([^}]*)\}/g;

/**
 * The deliveries of a scenario, built in one world: a pure function of the scenario and the seed,
 * so the same seed gives the same bytes. Every problem (a reference to no earlier step, an update of
 * nothing) is an InputError naming its path, found before anything is sent.
 */
export function planScenario(scenario: Scenario, options: PlanOptions): PlannedDelivery[] {
  const rng = createRandom(deriveSeed(options.seed, 0));
  const world = new World(rng, options.startMs);
  const named = new Map<string, Record<string, unknown>>();
  const planned: PlannedDelivery[] = [];
  let waitMs = 0;
  scenario.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    if ('wait' in step) {
      const ms = parseWait(step.wait, `${at}.wait`);
      waitMs += ms;
      world.clockMs += ms;
      return;
    }
    if (planned.length > 0) {
      const gap = rng.int(GAP_MS.min, GAP_MS.max);
      waitMs += gap;
      world.clockMs += gap;
    }
    const event = buildStep(world, step, at, named);
    if (step.as !== undefined) named.set(step.as, event);
    const bytes = Buffer.from(JSON.stringify(event));
    const body: Body = {
      type: typeof event.type === 'string' ? event.type : null,
      id: typeof event.id === 'string' ? event.id : null,
      bytes,
    };
    planned.push({ step: step.as ?? at, body, waitMs, expect: step.expect ?? null });
    waitMs = 0;
  });
  return planned;
}

function buildStep(
  world: World,
  step: EventStep,
  at: string,
  named: Map<string, Record<string, unknown>>,
): Record<string, unknown> {
  const set = Object.entries(step.set ?? {}).map(([key, value]) => ({
    key,
    value: resolve(value, `${at}.set.${key}`, named, world),
  }));
  const links: Links = {};
  for (const link of LINK_KEYS) {
    const given = set.find(({ key }) => key === `payload.${link}`)?.value;
    if (typeof given === 'string') links[link] = given;
  }
  // A step that sets payload fields of its own makes the change itself; one that sets nothing, or
  // only links, gets the world's next change.
  const change = !set.some(({ key }) => key.startsWith('payload.') && !LINK_KEYS.some((l) => key === `payload.${l}`));
  const payload = happen(world, step.event, links, change, at);
  const event: Record<string, unknown> = { id: world.rng.id(), type: step.event, payload };
  for (const { key, value } of set) {
    try {
      applyAssignment(event, { path: key.split('.'), value, raw: key });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw problemAt(`${at}.set.${key}`, error.message.replace(/^--set "[^"]*": /, ''));
    }
  }
  const parsed = parseEvent(event);
  // The world builds only Oblic events: one that is not, without a `set`, is a bug of this tool.
  if (!parsed.ok && set.length === 0)
    throw new Error(`the scenario world built an invalid event: ${parsed.error.message}`);
  if (!parsed.ok && (step.expect ?? '2xx').startsWith('2')) {
    throw problemAt(
      `${at}.set`,
      `the event is no longer an Oblic event (${parsed.error.message}); to send it anyway, say what it should get: "expect": "4xx"`,
    );
  }
  if (actionOf(step.event) !== 'deleted' && isObject(event.payload))
    keep(world, resourceOf(step.event), payload.id, event.payload);
  return event;
}

/** A `set` value with its `${name.path}` references and `${now}` filled in. */
function resolve(value: unknown, at: string, named: Map<string, Record<string, unknown>>, world: World): unknown {
  if (Array.isArray(value)) return value.map((item, i) => resolve(item, `${at}.${i}`, named, world));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, `${at}.${k}`, named, world)]));
  if (typeof value !== 'string') return value;
  // A `${` left open would be sent as it is, and the payload refused for it: say what is wrong.
  if (value.replace(REFERENCE, '').includes('${'))
    throw problemAt(
      at,
      `${JSON.stringify(value)} opens a reference with \${ and never closes it; write \${name.payload.id}`,
    );
  const whole = /^\$\{([^}]*)\}$/.exec(value);
  if (whole) return lookup(whole[1]!, at, named, world);
  return value.replace(REFERENCE, (_, reference: string) => {
    const found = lookup(reference, at, named, world);
    return typeof found === 'string' ? found : JSON.stringify(found);
  });
}

/** `hello.payload.id` in the events of earlier steps; `now`, the scenario clock in Unix seconds. */
function lookup(reference: string, at: string, named: Map<string, Record<string, unknown>>, world: World): unknown {
  const path = reference.trim().split('.');
  const [name, ...rest] = path;
  if (name === 'now' && rest.length === 0) return world.now();
  const event = named.get(name ?? '');
  if (event === undefined) {
    const near = nearest(name ?? '', [...named.keys()]);
    throw problemAt(at, `no earlier step named "${name}"${near ? `; did you mean "${near}"?` : ''}`);
  }
  let node: unknown = event;
  for (const [i, key] of rest.entries()) {
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    if (node === undefined)
      throw problemAt(at, `the event of step "${name}" has no ${[name, ...rest.slice(0, i + 1)].join('.')}`);
  }
  if (rest.length === 0)
    throw problemAt(at, `"\${${name}}" names a whole event; name a field, e.g. \${${name}.payload.id}`);
  return structuredClone(node);
}
