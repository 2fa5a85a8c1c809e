import { Command, CommanderError } from 'commander';
import { EXIT_CODES, OblicHooksError } from '../base/errors.js';
import { helpWidth, wrapHelp } from './help-wrap.js';
import { createUi, type Io } from './io.js';
import { terminalText } from '../base/text.js';
import { registerEvents } from './commands/events/index.js';
import { registerSecret } from './commands/secret/index.js';
import { registerSign } from './commands/sign/index.js';
import { registerSend } from './commands/send/index.js';
import { registerVerify } from './commands/verify/index.js';
import { registerListen } from './commands/listen/index.js';
import { registerReplay } from './commands/replay/index.js';
import { registerDemo } from './commands/demo/index.js';
import { registerSchema } from './commands/schema/index.js';
import { registerCheck } from './commands/check/index.js';
import { registerScenario } from './commands/scenario/index.js';
import { registerVersion } from './commands/version/index.js';
import { registerCompletion } from './commands/completion/index.js';
import { VERSION } from './version.js';

const EXIT_HELP = `
Exit codes:
  0   success
  1   the thing checked failed (a delivery got no 2xx, nothing listening, a signature did not verify)
  2   usage or input error (unknown event type, bad flag value, unreadable file)
  70  internal error (a bug: please report it with the command you ran)
  130 interrupted by Ctrl-C (send, replay: after summing up what was sent; check)
  143 terminated by SIGTERM (check)

Environment:
  OBLIC_WEBHOOK_SECRET   the secret used when no --secret or --secret-file is given
  XDG_CONFIG_HOME        where the local development secret lives (default ~/.config)

Project defaults: oblic-hooks.config.json, here or above up to the repository's root (or --config).
  NO_COLOR, FORCE_COLOR  turn colour off or on (--no-color wins over both)`;

const COMMANDS = {
  events: registerEvents,
  secret: registerSecret,
  sign: registerSign,
  send: registerSend,
  verify: registerVerify,
  listen: registerListen,
  replay: registerReplay,
  demo: registerDemo,
  schema: registerSchema,
  check: registerCheck,
  scenario: registerScenario,
  version: registerVersion,
  completion: registerCompletion,
};

/**
 * The program, with only the commands `args` need: building a command's options is most of the
 * cost of building the program (see `needed`).
 */
export function buildProgram(io: Io, args: readonly string[] = []): Command {
  const program = new Command('oblic-hooks')
    .description('Develop and test Oblic webhook endpoints on your own machine: no account, no network.')
    .version(VERSION, '-V, --version')
    .option('--no-color', 'plain output without colour')
    .option('--config <file>', 'project defaults from this file, not the nearest oblic-hooks.config.json')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Help is wrapped to $COLUMNS or the terminal (commander's own part, and our closing sections).
      // Unknown (a pipe): 80, commander's own default.
      getOutHelpWidth: () => helpWidth(io, io.stdout) ?? 80,
      getErrHelpWidth: () => helpWidth(io, io.stderr) ?? 80,
      writeOut: (text) => {
        const width = helpWidth(io, io.stdout);
        io.stdout.write(width === undefined ? text : wrapHelp(text, width));
      },
      writeErr: (text) => void io.stderr.write(text),
      // Commander's errors become our one line: "oblic-hooks: <problem> (<suggestion>)".
      outputError: (text, write) =>
        write(
          `oblic-hooks: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()}${/^error: missing required argument/.test(text) ? " (the command's --help shows what it takes)" : ''}\n`,
        ),
    })
    .addHelpText('after', EXIT_HELP);
  const ui = () => createUi(io, program.opts<{ color?: boolean }>().color);
  for (const register of needed(args)) register(program, ui);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/**
 * The commands to build for `args`: cold, building all nine of issue 14 took about 7 ms, verify's alone about
 * 3.5 ms and none about 2.5 ms (issue 14; medians of 30 fresh processes, alternating), so a named
 * command gets only its own, and `--version` first, which commander answers whatever follows, gets
 * none. Help, a typo and no command at all get every command, so listings and "did you mean" are whole.
 */
function needed(args: readonly string[]): Array<(typeof COMMANDS)[keyof typeof COMMANDS]> {
  if (args[0] === '--version' || args[0] === '-V') return [];
  const named = args.find((arg) => !arg.startsWith('-'));
  // completion prints a script of every command, so it needs them all.
  if (named === 'completion') return Object.values(COMMANDS);
  if (named !== undefined && Object.hasOwn(COMMANDS, named)) return [COMMANDS[named as keyof typeof COMMANDS]];
  return Object.values(COMMANDS);
}

/** Runs the command line and returns the exit code. The one error boundary: nothing escapes it. */
export async function run(args: readonly string[], io: Io): Promise<number> {
  try {
    await buildProgram(io, args).parseAsync(args, { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // Help and --version end up here too; commander has already written them.
    if (['commander.helpDisplayed', 'commander.version'].includes(error.code)) return EXIT_CODES.ok;
    if (error.code === 'commander.help' && error.exitCode === 0) return EXIT_CODES.ok;
    return EXIT_CODES.usage;
  }
  if (error instanceof OblicHooksError) {
    // Messages quote input (a header, a file's bytes): escaped, and so one line (issue 13, item 16).
    io.stderr.write(`oblic-hooks: ${terminalText(error.message)}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? error.message : String(error);
  io.stderr.write(`oblic-hooks: internal error: ${detail} (a bug; please report it with the command you ran)\n`);
  if (io.env.OBLIC_HOOKS_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT_CODES.internal;
}

/** The bin's entry. The only place that sets the process's exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: Node builds process.stdin when first touched (3 ms of a cold `verify` of a file),
    // and only commands that read standard input touch it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
  // `oblic-hooks … | head` closes the pipe early: that is the reader's choice, not an error.
  // Any other failure (a full disk: ENOSPC) leaves every later write waiting for a 'drain' that never
  // comes, and Node then exits 0 with the run unreported: `check --json > report` passed with probes failed.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`oblic-hooks: cannot write to standard output (${error.code ?? error.message})\n`);
    process.exit(EXIT_CODES.usage);
  });
  process.exitCode = await run(argv.slice(2), io);
}
