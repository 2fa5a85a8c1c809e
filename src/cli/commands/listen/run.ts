import type { Forwarder } from '../../../listen/forward.js';
import { describeSecrets, fallbackSecrets } from '../../secrets.js';
import type { Inspector } from '../../../inspector/server.js';
import { startListener, type Listener, type RequestRecord } from '../../../listen/server.js';
import { formatCount } from '../../../base/text.js';
import { LineWriter, onCtrlC, type Ui } from '../../io.js';
import type { ListenPlan } from './plan.js';
import { watchDevSecret } from './secret-watch.js';
import { devSecretPath } from '../../dev-secret.js';
import { createShower, type ShowOptions, type Tally } from './show.js';
import { startVerifyThread, type VerifyThread } from './thread.js';
import { openInspector } from './ui.js';

export type { Tally } from './show.js';

export interface OpenListener {
  listener: Listener;
  inspector: Inspector | undefined;
  /** The counts so far (final once stopped). */
  readonly tally: Tally;
  /** Rejects if the verifying thread fails; never resolves. */
  failed: Promise<never>;
  /** Resolves when --exit-after is reached. */
  reachedCount: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the listener and prints each request as it comes; the caller decides when to stop. `ready`
 * is called once the listener (and its inspector) answer, before the verifying thread starts.
 */
export async function openListener(
  ui: Ui,
  plan: ListenPlan,
  ready?: (listener: Listener, inspector: Inspector | undefined) => void,
): Promise<OpenListener> {
  if (plan.saveDir !== undefined) await (await import('../../../listen/save.js')).prepareSaveDir(plan.saveDir);
  if (plan.saveDir !== undefined) await (await import('../../last-save.js')).rememberSaveDir(plan.saveDir, ui.io.env); // for replay --last
  // Loaded only to forward: it holds undici, about 110 files, which a plain `listen` never needs.
  const forwarder: Forwarder | undefined = plan.forwardTo
    ? (await import('../../../listen/forward.js')).createForwarder(plan.forwardTo, {
        timeoutMs: plan.forwardTimeoutMs,
        maxBody: plan.maxBody,
        ...(plan.forwardTls ? { tls: plan.forwardTls } : {}),
      })
    : undefined;
  const out = new LineWriter(ui.io.stdout);
  let reached = () => undefined as void;
  const reachedCount = new Promise<void>((resolve) => (reached = resolve));
  const show: ShowOptions = {
    json: plan.json,
    verbose: plan.verbose,
    headers: plan.headers,
    secretOrigins: plan.secrets.map((s) => s.origin),
    events: plan.events,
    exitAfter: plan.exitAfter,
  };
  const otherSecrets = await fallbackSecrets(ui.io.env);
  // The answer waits for nothing the request's verdict decides (no --reject-invalid, --forward-to,
  // --save, --delay or inspector): verifying and showing can then run on the other core.
  const threaded =
    !plan.rejectInvalid && !plan.forwardTo && plan.saveDir === undefined && plan.delayMs === 0 && !plan.ui;
  let thread: VerifyThread | undefined;
  const shower = createShower(ui.out, show);
  const onRequest = (record: RequestRecord): Promise<void> | undefined => {
    if (threaded) return thread!.push(record); // started before any request is read
    inspector?.add(record);
    const text = shower.show(record);
    if (shower.reached) reached();
    return text === undefined ? undefined : out.write(text);
  };
  let badClients = 0;
  const tally = (): Tally => ({ ...(thread ? thread.tally : shower.tally), badClients });
  let listener: Listener;
  let inspector: Inspector | undefined;
  try {
    listener = await startListener({
      host: plan.host,
      port: plan.port,
      path: plan.path,
      maxBody: plan.maxBody,
      secrets: plan.secrets.map((s) => s.secret),
      otherSecrets,
      status: plan.status,
      delayMs: plan.delayMs,
      rejectInvalid: plan.rejectInvalid,
      inspect: !threaded,
      forwarder,
      saveDir: plan.saveDir,
      onRequest,
      onClientError: () => void (badClients += 1),
    });
    if (plan.ui)
      inspector = await openInspector(plan, listener.url).catch(async (error: unknown) => {
        await listener.close();
        throw error;
      });
    ready?.(listener, inspector);
    // Started once the port is ours (a port in use needs no thread), in the same turn, so before any
    // request is read; after `ready`, as answers never wait for it: it boots (about 4 ms of this
    // thread, more of the other core) while the caller says the listener is up.
    if (threaded) {
      thread = startVerifyThread(
        { secrets: plan.secrets.map((s) => s.secret), otherSecrets, show, color: ui.out.level > 0 },
        (text) => out.write(text),
        reached,
      );
    }
  } catch (error) {
    await forwarder?.close();
    await thread?.close();
    throw error;
  }
  return {
    listener,
    inspector,
    get tally() {
      return tally();
    },
    failed: thread?.failed ?? new Promise<never>(() => undefined),
    reachedCount,
    async stop() {
      await inspector?.close();
      await listener.close();
      await forwarder?.close();
      try {
        await thread?.drain();
      } finally {
        await thread?.close();
      }
      await out.flush();
    },
  };
}

export interface ListenOutcome {
  /** A message when --timeout ended the run before --exit-after was reached. */
  timedOut: string | null;
  invalidSeen: number;
  /** Requests answered 500 because their capture could not be written. */
  failedSeen: number;
}

/** `listen`: runs until Ctrl-C, SIGTERM, --exit-after or --timeout, then drains and sums up. */
export async function runListen(ui: Ui, plan: ListenPlan): Promise<ListenOutcome> {
  // The handlers come first: a Ctrl-C the moment "listening on" is printed (or before) still ends
  // with the summary, not by the signal.
  let signalled = false;
  let wake = () => undefined as void;
  const onSignal = () => {
    // Said at once: answering what is in flight (and refusing what comes, item 4) may take a while.
    ui.say(ui.err.dim('stopping: answering the requests in flight; new ones get 503'));
    signalled = true;
    wake();
  };
  const offCtrlC = onCtrlC(ui.io, onSignal);
  process.once('SIGTERM', onSignal);
  const stopped: { why: 'signal' | 'count' | 'timeout' } = { why: 'signal' };
  let timer: NodeJS.Timeout | undefined;
  let open: Awaited<ReturnType<typeof openListener>>;
  let failure: Error | null;
  // Watched from before "listening on": a rotation right after that line is still seen.
  const devPath = devSecretPath(ui.io.env);
  const secretWatch = watchDevSecret(plan.secrets, devPath, () =>
    ui.say(
      ui.err.yellow(
        `note: the development secret in ${devPath} changed since this listener started (oblic-hooks secret --rotate?); it still verifies with the one it read, so deliveries signed with the new one fail: restart listen to use it`,
      ),
    ),
  );
  try {
    open = await openListener(ui, plan, (listener, inspector) => announce(ui, plan, listener, inspector));
    const { reachedCount, failed } = open;
    const stop = new Promise<void>((resolve) => {
      wake = resolve;
      if (signalled) resolve();
      void reachedCount.then(() => {
        stopped.why = 'count';
        resolve();
      });
      if (plan.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          stopped.why = 'timeout';
          resolve();
        }, plan.timeoutMs);
      }
    });
    failure = await Promise.race([stop.then(() => null), failed.catch((error: Error) => error)]);
  } finally {
    offCtrlC();
    process.off('SIGTERM', onSignal);
    clearTimeout(timer);
    secretWatch.close();
  }
  if (failure) {
    await open.stop().catch(() => undefined);
    throw failure;
  }
  await open.stop();
  ui.say(summarize(ui, open.tally));
  const timedOut =
    stopped.why === 'timeout' && plan.exitAfter !== undefined
      ? `--timeout reached with ${formatCount(open.tally.shown)} of the ${formatCount(plan.exitAfter)} requests --exit-after waits for`
      : null;
  return { timedOut, invalidSeen: open.tally.invalid + open.tally.unsigned, failedSeen: open.tally.failed };
}

/** The lines that say the listener is up: scripts wait for "listening on" before they send. */
function announce(ui: Ui, plan: ListenPlan, listener: Listener, inspector: Inspector | undefined): void {
  if (!isLoopback(plan.host))
    ui.say(
      ui.err.yellow(
        `warning: listening on ${plan.host} is reachable from other machines; anyone who can reach it can send you requests`,
      ),
    );
  const forward = plan.forwardTo ? ` → forwarding to ${plan.forwardTo.href}` : '';
  ui.say(
    `${ui.err.bold(`listening on ${listener.url.href}`)}${forward} · verifying with ${describeSecrets(plan.secrets)} · Ctrl-C to stop`,
  );
  if (inspector) ui.say(`${ui.err.bold(`inspector on ${inspector.url.href}`)} ${ui.err.dim('(loopback only)')}`);
}

export function summarize(ui: Ui, t: Tally): string {
  const c = ui.err;
  const parts = [
    `${formatCount(t.received)} received`,
    c.green(`${formatCount(t.verified)} verified`),
    (t.invalid > 0 ? c.red : c.dim)(`${formatCount(t.invalid)} invalid`),
    (t.unsigned > 0 ? c.yellow : c.dim)(`${formatCount(t.unsigned)} unsigned`),
  ];
  if (t.duplicates > 0) parts.push(`${formatCount(t.duplicates)} ${t.duplicates === 1 ? 'duplicate' : 'duplicates'}`);
  if (t.forwarded > 0) parts.push(`${formatCount(t.forwarded)} forwarded`);
  if (t.refused > 0) parts.push(`${formatCount(t.refused)} refused (method, path, size or stopping)`);
  if (t.failed > 0) parts.push(c.red(`${formatCount(t.failed)} failed (answered 500)`));
  if (t.badClients > 0) parts.push(`${formatCount(t.badClients)} malformed connections`);
  if (t.shown !== t.received) parts.push(`${formatCount(t.received - t.shown)} hidden by --events`);
  return parts.join(' · ');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
