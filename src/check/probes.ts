import { InputError } from '../base/errors.js';
import { nearest } from '../base/text.js';
import type { Probe } from './probe.js';
import { DELIVERY_PROBES } from './probes-deliveries.js';
import { TIMING_PROBE } from './probes-timing.js';
import { SIGNATURE_PROBES } from './probes-signatures.js';

/** The probes of both files in the order given; a name that is not one is a bug, found by any test. */
function inOrder(ids: readonly string[]): Probe[] {
  const all = [...DELIVERY_PROBES, ...SIGNATURE_PROBES];
  if (ids.length !== all.length) throw new Error('every probe has its place in PROBES');
  return ids.map((id) => all.find((probe) => probe.id === id) ?? fail(id));
}

function fail(id: string): never {
  throw new Error(`no probe ${id}`);
}

/**
 * Every probe, in the order they run and are reported: what every endpoint must take first, then
 * the signature, what the body may hold, repeats and load, and last the time all of it took.
 */
export const PROBES: readonly Probe[] = [
  ...inOrder([
    'accepts-every-type',
    'accepts-exact-bytes',
    'rejects-missing-signature',
    'rejects-wrong-secret',
    'rejects-tampered-body',
    'rejects-malformed-signature',
    'rejects-invalid-json',
    'tolerates-unknown-fields',
    'tolerates-unknown-type',
    'handles-duplicates',
    'handles-burst',
    'large-event',
  ]),
  TIMING_PROBE,
];

export const GROUPS = [...new Set(PROBES.map((probe) => probe.group))];

/**
 * The probes `--only` and `--skip` leave, in their order. Each names probe ids or groups, as a
 * comma-separated list or repeated; an unknown name is a usage error that says what there is.
 */
export function selectProbes(only: readonly string[], skip: readonly string[]): Probe[] {
  const names = (list: readonly string[]) =>
    list
      .flatMap((item) => item.split(','))
      .map((name) => name.trim())
      .filter((name) => name !== '');
  const matches = (probe: Probe, list: string[]) => list.some((name) => name === probe.id || name === probe.group);
  const [kept, dropped] = [names(only), names(skip)];
  // `--only ''` (an empty variable in a script) names nothing: it must not quietly mean "all".
  if (only.length > 0 && kept.length === 0)
    throw new InputError('--only names no probe; give probe ids or groups, e.g. --only signatures');
  for (const [flag, list] of [
    ['--only', kept],
    ['--skip', dropped],
  ] as const) {
    const unknown = list.find((name) => !PROBES.some((probe) => matches(probe, [name])));
    if (unknown !== undefined)
      throw new InputError(`${flag} "${unknown}" is not a probe or a group; ${suggest(unknown)}`);
  }
  const chosen = PROBES.filter((probe) => (kept.length === 0 || matches(probe, kept)) && !matches(probe, dropped));
  if (chosen.length === 0)
    throw new InputError('--only and --skip leave no probe to run; `oblic-hooks check --list` lists them');
  return chosen;
}

function suggest(name: string): string {
  // A beginning (sig), a typo (signatrues), then a part of a name (duplicates).
  const candidates = [...GROUPS, ...PROBES.map((probe) => probe.id)];
  const near =
    candidates.find((candidate) => candidate.startsWith(name)) ??
    nearest(name, candidates) ??
    candidates.find((candidate) => candidate.includes(name));
  return near
    ? `did you mean ${near}? (\`oblic-hooks check --list\` lists them)`
    : '`oblic-hooks check --list` lists them';
}
