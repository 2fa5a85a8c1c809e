import { open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../../../base/errors.js';
import { describeFsError } from '../../../base/files.js';
import { firstBodyLine, type Probe, type ProbeReport } from '../../../check/probe.js';

// JUnit XML, the test report GitHub Actions (through a reporter action), GitLab and Jenkins show:
// one testcase per probe, a fail as <failure>, a warn as a pass with its note in <system-out> (a
// <failure> under --strict), a probe that was not run as <skipped>, and a run that could not be
// made (nothing listening, Ctrl-C) as one testcase with an <error>, so that CI never keeps an empty
// or stale file.

export interface JunitRun {
  target: string;
  seed: number;
  strict: boolean;
  ms: number;
  /** Probes chosen but not run, and why. */
  notRun?: { probes: readonly Probe[]; why: string };
  /** The one line that ended the run short or could not make it, as a testcase in error. */
  error?: string;
}

/** Text for XML: the five special characters escaped, and what XML 1.0 cannot hold at all replaced. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** What went wrong in a probe, as the body of its <failure>: what was seen, the fix, each wrong answer. */
function failureText(report: ProbeReport): string {
  const lines = [report.detail, ...(report.fix ? [`fix: ${report.fix}`] : [])];
  for (const { sent, result } of report.exchanges.filter((exchange) => !exchange.expected)) {
    const body = firstBodyLine(result.body);
    const answer =
      result.status === null ? (result.error?.message ?? 'no answer') : `${result.status}${body ? ` ${body}` : ''}`;
    const what = sent.label === sent.type ? '' : `${sent.label} `;
    lines.push(`${what}${sent.id ? `(${sent.type} ${sent.id})` : ''}: ${answer}, ${Math.round(result.ms)} ms`.trim());
  }
  return lines.join('\n');
}

function document(
  run: JunitRun,
  cases: readonly string[],
  counts: { failures: number; errors: number; skipped: number },
) {
  const tests = cases.length;
  const attributes = `tests="${tests}" failures="${counts.failures}" errors="${counts.errors}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="oblic-hooks check" ${attributes} time="${seconds(run.ms)}">`,
    `  <testsuite name="${xml(`oblic-hooks check ${run.target}`)}" ${attributes} skipped="${counts.skipped}" time="${seconds(run.ms)}">`,
    '    <properties>',
    `      <property name="target" value="${xml(run.target)}"/>`,
    `      <property name="seed" value="${run.seed}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function renderJunit(reports: readonly ProbeReport[], run: JunitRun): string {
  const failing = (report: ProbeReport) => report.verdict === 'fail' || (run.strict && report.verdict === 'warn');
  const cases = reports.map((report) => {
    const open = testcase(report, report.ms);
    if (failing(report))
      return `${open}>\n      <failure message="${xml(report.fix ?? report.detail)}" type="${report.verdict}">${xml(failureText(report))}</failure>\n    </testcase>`;
    if (report.verdict === 'warn')
      return `${open}>\n      <system-out>${xml(`warning: ${failureText(report)}`)}</system-out>\n    </testcase>`;
    return `${open}/>`;
  });
  const skipped = skippedCases(run);
  const error = run.error === undefined ? [] : [errorCase(run.error, run.ms)];
  return document(run, [...error, ...cases, ...skipped], {
    failures: reports.filter(failing).length,
    errors: error.length,
    skipped: skipped.length,
  });
}

/** The run itself, in error: nothing listening, the control delivery refused, the app gone, Ctrl-C. */
function errorCase(message: string, ms: number): string {
  return `    <testcase classname="oblic-hooks.check" name="oblic-hooks check" time="${seconds(ms)}">\n      <error message="${xml(message)}"/>\n    </testcase>`;
}

/** The testcase of a probe, named the same whether it ran or not. */
function testcase(probe: Pick<Probe, 'id' | 'group' | 'title'>, ms: number): string {
  return `    <testcase classname="oblic-hooks.check.${probe.group}" name="${xml(`${probe.id}: ${probe.title}`)}" time="${seconds(ms)}"`;
}

function skippedCases(run: JunitRun): string[] {
  return (run.notRun?.probes ?? []).map(
    (probe) => `${testcase(probe, 0)}>\n      <skipped message="${xml(run.notRun!.why)}"/>\n    </testcase>`,
  );
}

export interface ReportFile {
  /** Writes the report and puts it in place of any earlier one. */
  save(text: string): Promise<void>;
  /** Leaves no partial file behind. */
  discard(): Promise<void>;
}

/**
 * The --junit file, opened before anything is sent (a path that cannot be written is found at once).
 * A regular file, or a new one, is written beside itself and renamed over the old one (its mode
 * kept) only when the report is whole: a run cut short never leaves an empty or half-written report
 * where CI looks for one. A symbolic link is followed to its file, which is replaced the same way.
 * Anything else (a device, a pipe, /dev/stdout) is written in place: renaming over it would replace
 * it (as root, /dev/full became a regular file).
 */
export async function openReportFile(path: string): Promise<ReportFile> {
  const refused = (error: unknown) => {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return new InputError(
      `cannot write the JUnit report ${path}: ${missing ? `the folder ${dirname(path)} does not exist` : describeFsError(error)}`,
    );
  };
  const real = await realpath(path).catch(() => path); // a link's file; a new path as it is
  const existing = await stat(real).catch(() => null);
  const inPlace = existing !== null && !existing.isFile();
  const partial = inPlace ? real : join(dirname(real), `.${basename(real)}.${process.pid}.partial`);
  const handle = await open(partial, 'w', existing?.mode).catch((error: unknown) => {
    throw refused(error);
  });
  let closed = false;
  const close = async () => {
    if (!closed) await handle.close();
    closed = true;
  };
  return {
    save: async (text) => {
      try {
        await handle.writeFile(text);
        await close();
        if (!inPlace) await rename(partial, real);
      } catch (error) {
        // A full disk (/dev/full) is the user's to fix, not a bug (found by attacking it, issue 15).
        throw refused(error);
      }
    },
    discard: async () => {
      await close();
      if (!inPlace) await rm(partial, { force: true });
    },
  };
}
