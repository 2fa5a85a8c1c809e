import type { Command } from 'commander';
import { caHelp, insecureHelp } from '../../tls-flags.js';
import {
  addBehaviourOptions,
  addSecretOptions,
  collect,
  once,
  parseIntFlag,
  SIGNING_SECRET,
  type UiFactory,
} from '../../flags.js';
import type { ScenarioRunFlags } from './run.js';

// The built-in names are written out here so that --help loads no scenario; a test holds this list
// to src/scenario/builtins.ts.
const HELP = `
A scenario is a sequence of linked events in one world: a message's conversation_id is a conversation
created earlier in the run, an update carries the id created earlier with updated fields and clock,
a deletion the object as it last was. Built in: conversation, group, contact, everything.
\`scenario show <name>\` prints one as a JSON file to edit; \`scenario run <file>\` runs it.

Examples:
  $ oblic-hooks scenario list
  $ oblic-hooks scenario run conversation --to 3000/webhooks
  $ oblic-hooks scenario show group > my.json && oblic-hooks scenario run my.json --to 3000 --seed 7
  $ oblic-hooks scenario run everything --json > run.ndjson`;

const RUN_HELP = `
One line per delivery attempt: simulated time, step, event type and id, status, time taken, and
marks for a retry, a duplicate (dup) and a reordered delivery (moved). Waits are simulated time: the
line shows them, and the run sleeps through them only with --time-scale (waits times f). A step's
"expect" (a status, "2xx" or "4xx") replaces the 2xx every other event must get. --duplicate,
--reorder and --retry-schedule behave as an at-least-once sender would, as for send; Oblic publishes
no retry schedule or ordering, so these are this tool's assumptions, off unless given.

Examples:
  $ oblic-hooks scenario run conversation                     # to http://localhost:4242/ (oblic-hooks listen)
  $ oblic-hooks scenario run group --to localhost:3000/webhooks --seed 7
  $ oblic-hooks scenario run my.json --to 3000 --json
  $ cat my.json | oblic-hooks scenario run - --to 3000
  $ oblic-hooks scenario run conversation --to 3000 --duplicate 0.3 --reorder 3 --seed 7
  $ oblic-hooks scenario run contact --to 3000 --retry-schedule 0,5s,30s,5m --time-scale 0.01

Defaults for --to and --secret-file come from oblic-hooks.config.json (here or above; --config).
Exit codes: 0 every event got a 2xx and every expectation held, 1 an event did not or an expectation
was not met (or nothing listened), 2 usage or a bad scenario file (the message names the path of the
problem, e.g. steps[3].set.payload.id), 130 interrupted by Ctrl-C (after the summary so far).`;

export function registerScenario(program: Command, ui: UiFactory): void {
  const scenario = program
    .command('scenario')
    .description('send realistic traffic: linked events (create, update, delete) in one world, in order')
    .addHelpText('after', HELP);
  scenario
    .command('list')
    .description('the built-in scenarios, one line each')
    .option('--json', 'one JSON object per scenario')
    .addHelpText('after', '\nExamples:\n  $ oblic-hooks scenario list\n  $ oblic-hooks scenario list --json')
    .action(async (flags: { json?: boolean }) => (await import('./run.js')).runList(flags, await ui()));
  scenario
    .command('show')
    .description('print a built-in scenario as a file that `scenario run` takes')
    .argument('<name>', 'a built-in scenario (`oblic-hooks scenario list`)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ oblic-hooks scenario show conversation\n  $ oblic-hooks scenario show group > my.json',
    )
    .action(async (name: string) => (await import('./run.js')).runShow(name, await ui()));
  addSecretOptions(
    addBehaviourOptions(
      scenario
        .command('run')
        .description('deliver a scenario, step by step, signed as Oblic signs')
        .argument('<name|file>', 'a built-in scenario, a scenario file, or - for standard input')
        .option(
          '--to <url>',
          'where to deliver: a URL, host:port, host or port (a bare host means port 4242)',
          once('--to'),
          'localhost',
        )
        .option('--seed <n>', 'make ids, data and timestamps reproducible', parseIntFlag('--seed', 0, 2 ** 32 - 1))
        .option('--timeout <duration>', 'give up on a response after this long (ms, or 10s, 1m)', '10s')
        .option('--ca <file>', caHelp('target'), once('--ca'))
        .option('--insecure', insecureHelp('target'))
        .option(
          '-c, --concurrency <n>',
          'deliveries in flight at once (waits then hold one worker each)',
          parseIntFlag('--concurrency', 1, 1024),
          1,
        )
        .option(
          '-H, --header <header>',
          'add or replace a header, "Name: value"; an empty value removes it (repeatable)',
          collect,
        )
        .option('--json', 'print one JSON object per delivery, then a summary object, and nothing else on stdout'),
    ),
    SIGNING_SECRET,
  )
    .addHelpText('after', RUN_HELP)
    .action(async (source: string, flags: ScenarioRunFlags, command: Command) => {
      const [u, { runScenario }, { applyProjectConfig }] = await Promise.all([
        ui(),
        import('./run.js'),
        import('../../config-apply.js'),
      ]);
      return runScenario(source, (await applyProjectConfig(command, flags, ['to', 'secretFile'], u)).flags, u);
    });
}
