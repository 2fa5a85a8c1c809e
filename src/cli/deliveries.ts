import { CheckError, EXIT_CODES, OblicHooksError } from '../base/errors.js';
import { formatCount } from '../base/text.js';
import type { Body, BodySource } from '../samples/bodies.js';
import { type BatchSummary, type Outcome, runBatch } from '../send/batch.js';
import { createDeliverer } from '../wire/deliver.js';
import type { OutgoingRequest } from '../wire/request.js';
import { isSuccess } from '../wire/status.js';
import { outcomeJsonLine, renderOutcome, renderSummary } from './deliveries-render.js';
import { LineWriter, onCtrlC, type Ui } from './io.js';
import type { TlsOptions } from '../wire/tls.js';
import { tuneForDeliveries } from './runtime.js';

/** What send and replay hand over: the bodies, how to make each request, and how to show results. */
export interface DeliveryRun {
  url: URL;
  total: number;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  json: boolean;
  include: boolean;
  /** List every delivery (a handful); otherwise only failures, then a summary (load). */
  listEach: boolean;
  source: BodySource;
  makeRequest: (body: Body) => OutgoingRequest;
  /** --ca, --insecure for an https target. */
  tls?: TlsOptions;
}

/**
 * Delivers, shows each result as asked, and sums up; exit status follows from `checkDeliveries`.
 * Only the commands that deliver (send, replay) load this module; undici loads only for a long run
 * (src/wire/deliver.ts), ora only for a spinner.
 */
export async function runDeliveries(ui: Ui, run: DeliveryRun): Promise<BatchSummary> {
  await tuneForDeliveries(run.url, run.total); // before the first connection
  const deliverer = createDeliverer(run.url, {
    connections: run.concurrency,
    timeoutMs: run.timeoutMs,
    retries: run.retries,
    deliveries: run.total,
    ...(run.tls ? { tls: run.tls } : {}),
  });
  const single = run.listEach;
  const stdout = new LineWriter(ui.io.stdout);
  const progress = run.total > 1 ? await startProgress(ui, run.total) : undefined;
  // Ctrl-C ends the run with its summary so far (issue 13, item 22); a second Ctrl-C kills at once.
  const interrupt = new AbortController();
  const offCtrlC = onCtrlC(ui.io, () => interrupt.abort());
  let failuresShown = 0;
  const onResult = (outcome: Outcome): Promise<void> | undefined => {
    if (progress) progress.count(outcome);
    if (run.json) return stdout.write(outcomeJsonLine(outcome));
    const show = single || (!isSuccess(outcome.result.status) && failuresShown++ < 10);
    if (!show || outcome.result.error?.fatal) return undefined;
    progress?.clear();
    const text = renderOutcome(ui.out, outcome, { include: run.include, preview: single });
    const wait = stdout.write(text);
    if (!single) void stdout.flush();
    return wait;
  };
  try {
    const summary = await runBatch({
      total: run.total,
      concurrency: run.concurrency,
      source: run.source,
      makeRequest: run.makeRequest,
      deliverer,
      readBody: single && !run.json ? 4096 : 0,
      onResult,
      signal: interrupt.signal,
    });
    await stdout.flush();
    progress?.stop();
    if (run.total > 1 && !summary.fatal) ui.say(renderSummary(ui.err, summary, Math.max(0, failuresShown - 10)));
    return summary;
  } finally {
    offCtrlC();
    progress?.stop();
    await (interrupt.signal.aborted ? deliverer.destroy() : deliverer.close());
  }
}

interface Progress {
  count(outcome: Outcome): void;
  clear(): void;
  stop(): void;
}

/** A spinner on a terminal only, redrawn ten times a second at most, never per request. */
async function startProgress(ui: Ui, total: number): Promise<Progress | undefined> {
  // A terminal that reports no width (a bare pty) makes ora clear an endless number of lines.
  if (ui.io.stderr.isTTY !== true || !(Number(ui.io.stderr.columns) > 0)) return undefined;
  const { default: ora } = await import('ora');
  // discardStdin would put stdin in raw flowing mode and, as stdin-discarder restores it, leave it
  // flowing: the TTY handle then keeps the process alive after the run. We never read stdin here.
  const spinner = ora({
    stream: ui.io.stderr,
    isEnabled: true,
    discardStdin: false,
    color: ui.err.level > 0 ? 'cyan' : false,
  }).start();
  let sent = 0;
  let ok = 0;
  const draw = () => {
    spinner.text = `sent ${formatCount(sent)} of ${formatCount(total)} · ${formatCount(ok)} ok · ${formatCount(sent - ok)} failed`;
  };
  const timer = setInterval(draw, 100);
  draw();
  return {
    count: (outcome) => {
      sent += 1;
      if (isSuccess(outcome.result.status)) ok += 1;
    },
    clear: () => spinner.clear(),
    stop: () => {
      clearInterval(timer);
      if (spinner.isSpinning) spinner.stop();
    },
  };
}

/** Exit 1, with one line, when the target was unreachable or any delivery got no 2xx; 130 when Ctrl-C cut the run short. */
export function checkDeliveries(summary: BatchSummary, total: number): void {
  if (summary.fatal) throw new CheckError(summary.fatal.message);
  if (summary.interrupted) {
    throw new OblicHooksError(
      `interrupted after ${formatCount(summary.sent)} of ${formatCount(total)} deliveries`,
      EXIT_CODES.interrupted,
    );
  }
  const failed = summary.sent - summary.ok;
  if (failed > 0) {
    throw new CheckError(
      total === 1
        ? 'the delivery got no 2xx response'
        : `${formatCount(failed)} of ${formatCount(summary.sent)} deliveries got no 2xx response`,
    );
  }
}
