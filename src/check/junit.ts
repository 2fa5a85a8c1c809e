import { firstBodyLine, type ProbeReport } from './probe.js';

// JUnit XML, the test report GitHub Actions (through a reporter action), GitLab and Jenkins show:
// one testcase per probe, a fail as <failure>, a warn as a pass with its note in <system-out>, or as
// a <failure> under --strict.

export interface JunitRun {
  target: string;
  seed: number;
  strict: boolean;
  ms: number;
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

/** What went wrong in a probe, as the body of its <failure>: the fix, then each unexpected answer. */
function failureText(report: ProbeReport): string {
  const lines = [report.detail, ...(report.fix ? [`fix: ${report.fix}`] : [])];
  for (const { sent, result } of report.exchanges.filter((exchange) => !exchange.expected)) {
    const body = firstBodyLine(result.body);
    const answer =
      result.status === null ? (result.error?.message ?? 'no answer') : `${result.status}${body ? ` ${body}` : ''}`;
    lines.push(`${sent.label}${sent.id ? ` (${sent.type} ${sent.id})` : ''}: ${answer}, ${Math.round(result.ms)} ms`);
  }
  return lines.join('\n');
}

export function renderJunit(reports: readonly ProbeReport[], run: JunitRun): string {
  const failing = (report: ProbeReport) => report.verdict === 'fail' || (run.strict && report.verdict === 'warn');
  const cases = reports.map((report) => {
    const open = `    <testcase classname="oblic-hooks.check.${report.group}" name="${xml(`${report.id}: ${report.title}`)}" time="${seconds(report.ms)}"`;
    if (failing(report))
      return `${open}>\n      <failure message="${xml(report.fix ?? report.detail)}" type="${report.verdict}">${xml(failureText(report))}</failure>\n    </testcase>`;
    if (report.verdict === 'warn')
      return `${open}>\n      <system-out>${xml(`warning: ${failureText(report)}`)}</system-out>\n    </testcase>`;
    return `${open}/>`;
  });
  const failures = reports.filter(failing).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="oblic-hooks check" tests="${reports.length}" failures="${failures}" errors="0" time="${seconds(run.ms)}">`,
    `  <testsuite name="${xml(`oblic-hooks check ${run.target}`)}" tests="${reports.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(run.ms)}">`,
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
