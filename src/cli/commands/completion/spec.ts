import type { Argument, Command, Option } from 'commander';
import { EVENT_TYPES, RESOURCES } from '../../../oblic/events.js';
import { BUILTIN_SCENARIOS } from '../../../scenario/builtins.js';

// What the scripts complete, read from the program itself (commander's tree, the event types, the
// built-in scenarios), so a new command, flag or type is in the next generated script. Not check's
// probe ids: check/probes.ts shares modules with send, and importing it here split them into one more
// chunk that `send` loads at start (test/structure.test.ts counts them).

/** What a flag's value or a positional argument is completed with. `text` is completed with nothing. */
export type Kind =
  | 'files'
  | 'dirs'
  | 'types'
  | 'type'
  | 'scenarios'
  | 'scenarios-or-files'
  | 'shells'
  | 'commands'
  | 'text';

export interface OptionSpec {
  /** `-H`, `--header`: the short name first when there is one. */
  names: string[];
  description: string;
  /** The value's kind; none for a flag that takes no value. */
  value?: Kind;
}

export interface CommandSpec {
  /** The words after `oblic-hooks` that lead here: [] for the program, ['scenario', 'run']. */
  path: string[];
  names: string[];
  description: string;
  options: OptionSpec[];
  /** The positional arguments' kinds, in order; `variadic` when the last one repeats. */
  args: Kind[];
  variadic: boolean;
  subcommands: CommandSpec[];
}

export interface Spec {
  /** The program's version, for the script's first line (commander's, not version.ts: see run.ts). */
  version: string;
  root: CommandSpec;
  words: Record<'types' | 'type' | 'scenarios' | 'shells', readonly string[]>;
}

/**
 * A value's kind, by the flag's long name or else by the name of its placeholder or argument:
 * `--secret-file <path>`, `--junit <file>`, `verify [files...]`. A new flag taking a `<file>` is
 * completed with file names without a line here.
 */
const KINDS: Record<string, Kind> = {
  '--events': 'types',
  // listen's --path is the URL path it accepts, not a file.
  '--path': 'text',
  path: 'files',
  file: 'files',
  'file|-': 'files',
  files: 'files',
  captures: 'files',
  dir: 'dirs',
  'event-types': 'types',
  'event-type': 'type',
  name: 'scenarios',
  'name|file': 'scenarios-or-files',
  shell: 'shells',
};

/** The spec of `program`, the whole command tree; `shells` are what `completion` takes. */
export function buildSpec(program: Command, shells: readonly string[]): Spec {
  const types = EVENT_TYPES.map((info) => info.type);
  return {
    version: program.version() ?? '',
    root: commandSpec(program, []),
    words: {
      // Everything send and --events take: all, a resource, a resource's glob, a type.
      types: ['all', ...RESOURCES.flatMap((resource) => [resource, `${resource}.*`]), ...types],
      // schema takes one type, no glob.
      type: types,
      scenarios: BUILTIN_SCENARIOS.map((scenario) => scenario.name),
      shells,
    },
  };
}

function commandSpec(command: Command, path: string[]): CommandSpec {
  const visible = command.commands.filter((sub) => !(sub as Command & { _hidden?: boolean })._hidden);
  const subcommands = visible.map((sub) => commandSpec(sub, [...path, sub.name()]));
  // Commander answers `help [command]` and -h/--help itself, without listing them in the tree.
  if (subcommands.length > 0)
    subcommands.push({
      path: [...path, 'help'],
      names: ['help'],
      description: 'display help for command',
      options: [],
      args: ['commands'],
      variadic: false,
      subcommands: [],
    });
  const args: readonly Argument[] = command.registeredArguments;
  return {
    path,
    names: [command.name(), ...command.aliases()],
    description: command.description(),
    options: [
      ...command.options.filter((option) => !option.hidden).map(optionSpec),
      { names: ['-h', '--help'], description: 'display help for command' },
    ],
    args: args.map((arg) => KINDS[arg.name()] ?? 'text'),
    variadic: args.at(-1)?.variadic ?? false,
    subcommands,
  };
}

function optionSpec(option: Option): OptionSpec {
  const names = [option.short, option.long].filter((name): name is string => name !== undefined);
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
  const takesValue = option.required || option.optional;
  const value = takesValue ? (KINDS[option.long ?? ''] ?? KINDS[placeholder ?? ''] ?? 'text') : undefined;
  return { names, description: option.description, ...(value ? { value } : {}) };
}

/** Every command of the tree, the program first. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(allCommands)];
}

/** A description as one short line: its first line, without a trailing full stop. */
export function summary(description: string): string {
  return description.split('\n')[0]!.replace(/\.$/, '');
}
