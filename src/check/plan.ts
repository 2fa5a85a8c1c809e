import type { Craft, ProbeRequest } from './craft.js';
import type { Probe, Round } from './probe.js';
import { PROBES } from './probes.js';

// What a run will send, made before anything is sent (suite.ts sends it).

/** A probe and the requests it will send, made before the first is sent. */
export interface ProbePlan {
  probe: Probe;
  rounds: Round[];
}

export interface SuitePlan {
  probes: ProbePlan[];
  /**
   * When the probe that gates the run (accepts-every-type) is not chosen: one validly signed delivery
   * sent first, so that a refusal elsewhere means something.
   */
  control: ProbeRequest | null;
}

/** The probe whose deliveries must get through before any other probe's answers mean anything. */
export const GATE = PROBES.find((probe) => probe.gate)!;
/** The control delivery is graded as the gate's are, under a name of its own. */
export const CONTROL: Probe = { ...GATE, id: 'control' };

/**
 * Every body of the run, made in the probes' order before anything is sent, so that `--seed` gives
 * the same bytes however the requests interleave. The run's timing probe sends its own deliveries
 * only when there is nothing else to time.
 */
export function planSuite(probes: readonly Probe[], craft: Craft): SuitePlan {
  const gated = probes.some((probe) => probe.gate);
  const control = craft.forProbe('control');
  return {
    probes: probes.map((probe) => ({
      probe,
      rounds: probe.gradesTheRun && probes.length > 1 ? [] : probe.build(craft.forProbe(probe.id)),
    })),
    control: gated ? null : control.signed('message.created', control.event('message.created')),
  };
}

/** How many requests the plan sends. */
export function countRequests(plan: SuitePlan): number {
  const rounds = plan.probes.flatMap((probe) => probe.rounds);
  return rounds.reduce((n, round) => n + round.requests.length, plan.control ? 1 : 0);
}
