import { STATUS_CODES } from 'node:http';
import type { ChalkInstance } from 'chalk';
import { formatBytes, formatMs, plural, printable, terminalText } from '../../../base/text.js';
import { type Exchange, firstBodyLine, type Probe, type ProbeReport, type Verdict } from '../../../check/probe.js';
import type { SuiteResult } from '../../../check/suite.js';
import { LineWriter, type Ui } from '../../io.js';
import { paintStatus } from '../../paint.js';

export interface Summary {
  kind: 'summary';
  target: string;
  seed: number;
  probes: number;
  passed: number;
  failed: number;
  warned: number;
  deliveries: number;
  ms: number;
  deadlineMs: number;
  timeoutMs: number;
  strict: boolean;
  /** What the exit status says: no failure, and no warning under --strict. */
  ok: boolean;
  /** The ids of the probes that failed (or warned, under --strict). */
  failing: string[];
  /** The ids of the probes chosen but not run. */
  notRun: string[];
  /** Why the run stopped before every probe was run, in the one line that ends it; null when it did not. */
  stopped: string | null;
}

/** Why the run stopped short, in one line, or null when every chosen probe ran. */
function stopReason(result: SuiteResult): string | null {
  if (result.unreachable) return result.unreachable.message;
  if (result.halted) return result.halted;
  if (!result.blocked) return null;
  if (result.reports.length > 0)
    return `no validly signed delivery got a 2xx, so the other ${plural(result.notRun.length, 'probe')} were not run (see accepts-every-type)`;
  // The control delivery: a validly signed message.created, sent when accepts-every-type is not chosen.
  return `the control delivery (a validly signed message.created) ${result.blocked.detail}, so no probe was run: ${result.blocked.fix}`;
}

export function summarize(
  result: SuiteResult,
  run: { target: string; seed: number; strict: boolean; deadlineMs: number; timeoutMs: number },
): Summary {
  const count = (verdict: Verdict) => result.reports.filter((report) => report.verdict === verdict).length;
  const failing = result.reports
    .filter((report) => report.verdict === 'fail' || (run.strict && report.verdict === 'warn'))
    .map((report) => report.id);
  return {
    kind: 'summary',
    target: run.target,
    seed: run.seed,
    probes: result.reports.length,
    passed: count('pass'),
    failed: count('fail'),
    warned: count('warn'),
    deliveries: result.deliveries,
    ms: Math.round(result.ms),
    deadlineMs: run.deadlineMs,
    timeoutMs: run.timeoutMs,
    strict: run.strict,
    ok: failing.length === 0 && result.blocked === null && result.halted === null && result.unreachable === null,
    failing,
    notRun: result.notRun,
    stopped: stopReason(result),
  };
}

function exchangeJson({ probe, sent, result, expected }: Exchange): object {
  return {
    probe,
    label: sent.label,
    type: sent.type,
    id: sent.id,
    change: sent.change,
    status: result.status,
    ms: Math.round(result.ms * 100) / 100,
    expected,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
    body: firstBodyLine(result.body),
  };
}

export function reportJson(report: ProbeReport): string {
  const { exchanges, ms, ...rest } = report;
  return JSON.stringify({ kind: 'probe', ...rest, ms: Math.round(ms), requests: exchanges.map(exchangeJson) });
}

const SHOWN = 5;

/** A probe's line on the report card, and under a fail or a warning what came back and the fix. */
export function renderReport(c: ChalkInstance, report: ProbeReport): string {
  const mark = { pass: c.green('✓'), fail: c.red('✗'), warn: c.yellow('!') }[report.verdict];
  const lines = [`${mark} ${report.id.padEnd(28)} ${c.dim(formatMs(report.ms).padStart(8))}  ${report.title}`];
  if (report.verdict === 'pass') return `${lines[0]} ${c.dim(`· ${terminalText(report.detail)}`)}`;
  // A fix may quote the endpoint (a Location header): escaped like everything else that came from it.
  lines.push(`    ${terminalText(report.detail)}`);
  const wrong = report.exchanges.filter((exchange) => !exchange.expected);
  for (const { probe, sent, result } of wrong.slice(0, SHOWN)) {
    const what = [
      probe === report.id ? null : probe,
      sent.label === sent.type ? null : sent.label,
      sent.type && sent.id ? `${printable(sent.type, 40)} ${sent.id}` : null,
      sent.change,
    ];
    lines.push(`    ${c.dim('sent')} ${what.filter(Boolean).join(' · ')}`);
    const body = firstBodyLine(result.body);
    const answer = result.error
      ? c.red(printable(result.error.message, 200))
      : `${paintStatus(c, result.status, `${result.status} ${STATUS_CODES[result.status!] ?? ''}`.trim())}${body ? ` · ${printable(body, 120)}` : ''}`;
    lines.push(`    ${c.dim('got ')} ${answer} ${c.dim(formatMs(result.ms))}`);
  }
  if (wrong.length > SHOWN) lines.push(c.dim(`    … and ${wrong.length - SHOWN} more`));
  if (report.fix) lines.push(`    ${c.dim('fix ')} ${terminalText(report.fix)}`);
  return lines.join('\n');
}

function renderExchange(c: ChalkInstance, { probe, sent, result }: Exchange): string {
  const { request } = sent;
  const lines = [
    `${c.cyan('→')} ${probe} · ${sent.label} · POST ${printable(`${request.url.pathname}${request.url.search}`, 120)} ${c.dim(`(${formatBytes(request.body.length)})`)}`,
    ...request.headers.map(([name, value]) => c.dim(`    ${name}: ${printable(value, 120)}`)),
    c.dim(`    ${printable(request.body.toString('utf8'), 160)}`),
  ];
  if (result.error)
    lines.push(`${c.cyan('←')} ${c.red(printable(result.error.message, 200))} ${c.dim(formatMs(result.ms))}`);
  else {
    lines.push(`${c.cyan('←')} ${paintStatus(c, result.status)} ${c.dim(formatMs(result.ms))}`);
    for (const [name, value] of Object.entries(result.headers))
      lines.push(c.dim(`    ${printable(name, 60)}: ${printable(String(value), 120)}`));
    const body = firstBodyLine(result.body);
    if (body) lines.push(c.dim(`    ${printable(body, 160)}`));
  }
  return lines.join('\n');
}

export interface Reporter {
  report(report: ProbeReport): void;
  exchange(exchange: Exchange): void;
  summary(summary: Summary): Promise<void>;
}

/** The report card on stdout (or, with --json, one object per probe), and --verbose on stderr. */
export function createReporter(ui: Ui, run: { json: boolean; url: URL; seed: number }): Reporter {
  const stdout = new LineWriter(ui.io.stdout);
  ui.say(ui.err.dim(`checking ${printable(run.url.href, 200)} · seed ${run.seed}`));
  return {
    report: (report) => void stdout.write(run.json ? reportJson(report) : renderReport(ui.out, report)),
    exchange: (exchange) => ui.say(renderExchange(ui.err, exchange)),
    summary: async (summary) => {
      if (run.json) stdout.write(JSON.stringify(summary));
      else {
        const c = ui.out;
        const parts = [
          c.green(`${summary.passed} passed`),
          summary.failed > 0 ? c.red(`${summary.failed} failed`) : `${summary.failed} failed`,
          summary.warned > 0 ? c.yellow(`${summary.warned} warned`) : `${summary.warned} warned`,
          ...(summary.notRun.length > 0 ? [c.red(`${summary.notRun.length} not run`)] : []),
        ];
        stdout.write(
          `\n${plural(summary.probes + summary.notRun.length, 'probe')}: ${parts.join(', ')} · ${plural(summary.deliveries, 'delivery', 'deliveries')} in ${formatMs(summary.ms)} · seed ${summary.seed}`,
        );
      }
      await stdout.flush();
    },
  };
}

export function listText(c: ChalkInstance, probes: readonly Probe[]): string {
  return `${probes.map((probe) => `${probe.id.padEnd(28)} ${c.dim(probe.group.padEnd(14))} ${probe.title}\n${' '.repeat(29)}${c.dim(`sends ${probe.sends}`)}`).join('\n')}\n`;
}

export function listJson(probes: readonly Probe[]): string {
  return `${probes.map(({ id, group, title, sends }) => JSON.stringify({ id, group, title, sends })).join('\n')}\n`;
}
