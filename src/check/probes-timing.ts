import { formatMs } from '../base/text.js';
import { EVENT_TYPES } from '../oblic/events.js';
import type { Grade, Probe } from './probe.js';

// `answers-in-time`: the time of every delivery of the run, graded against --deadline.

/** The nearest-rank percentile `p` (0–1) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/** `answers-in-time` grades the time of every delivery the run made: alone, it sends one of each type. */
export const TIMING_PROBE: Probe = {
  id: 'answers-in-time',
  group: 'deliveries',
  title: 'answers within the deadline',
  sends: 'nothing more: it times every delivery above (run alone, one of each type)',
  gradesTheRun: true,
  build: (craft) => [{ atOnce: false, requests: EVENT_TYPES.map(({ type }) => craft.signed(type, craft.event(type))) }],
  expects: () => true,
  grade: (_own, context): Grade => {
    // A refused connection is no measure of the endpoint's speed; a timeout is, and counts as slow.
    const timed = context.all.filter(
      ({ result }) => result.status !== null || result.error?.code.includes('TIMEOUT') === true,
    );
    const sorted = timed.map(({ result }) => result.ms).sort((a, b) => a - b);
    const p95 = percentile(sorted, 0.95);
    const slowest = [...timed]
      .sort((a, b) => b.result.ms - a.result.ms)
      .slice(0, 5)
      .map((exchange) => ({ ...exchange, expected: exchange.result.ms <= context.deadlineMs }));
    const figures = `p95 ${formatMs(p95)}, p50 ${formatMs(percentile(sorted, 0.5))}, max ${formatMs(sorted.at(-1) ?? 0)} over ${timed.length} deliveries`;
    if (timed.length === 0) return { verdict: 'fail', detail: 'no delivery was answered', fix: null, exchanges: [] };
    if (p95 <= context.deadlineMs)
      return {
        verdict: 'pass',
        detail: `${figures}; deadline ${formatMs(context.deadlineMs)}`,
        fix: null,
        exchanges: [],
      };
    return {
      verdict: 'fail',
      detail: `${figures}: over the deadline of ${formatMs(context.deadlineMs)}`,
      fix: 'answer first and do the work afterwards (a queue, a background job): a sender that waits past its timeout gives up and delivers again (Oblic publishes no timeout; --deadline sets the one graded, 5 s unless given)',
      exchanges: slowest,
    };
  },
};
