import { quoted } from './bash.js';
import { allCommands, summary, type CommandSpec, type Kind, type OptionSpec, type Spec } from './spec.js';

// fish's completions are declarative: one `complete` line per command, flag and argument, each under
// a condition on the command path, which one function works out from the line. File names are off
// (-f) except where a flag or argument takes a file (-F). A glob is written message.\* so that fish
// offers it as it is instead of matching it against file names.

const wordsOf = (list: readonly string[]) => quoted(list.map((word) => word.replace(/\*/g, '\\*')).join(' '));

/** The arguments of `complete` that offer a value of `kind`. */
function valueArgs(kind: Kind, spec: Spec, command: CommandSpec, parent?: CommandSpec): string {
  switch (kind) {
    case 'files':
    case 'dirs':
      return '-F';
    case 'scenarios-or-files':
      return `-F -a ${wordsOf(spec.words.scenarios)}`;
    case 'commands':
      return `-f -a ${wordsOf((parent ?? command).subcommands.flatMap((sub) => sub.names))}`;
    case 'text':
      return '-f';
    default:
      return `-f -a ${wordsOf(spec.words[kind])}`;
  }
}

function optionLine(option: OptionSpec, condition: string, spec: Spec, command: CommandSpec): string {
  const names = option.names.map((name) => (name.startsWith('--') ? `-l ${name.slice(2)}` : `-s ${name.slice(1)}`));
  // -r: the flag takes a value, offered by the -a and -F that follow (or nothing for free text).
  const value = option.value === undefined ? '' : ` -r ${valueArgs(option.value, spec, command)}`;
  return `complete -c oblic-hooks -n ${condition} ${names.join(' ')}${value} -d ${quoted(summary(option.description))}`;
}

function commandLines(command: CommandSpec, spec: Spec, parent?: CommandSpec): string[] {
  const condition = `"__oblic_hooks_at '${command.path.join(' ')}'"`;
  const lines = [`# oblic-hooks ${command.path.join(' ')}`.trimEnd()];
  for (const sub of command.subcommands)
    for (const name of sub.names)
      lines.push(`complete -c oblic-hooks -n ${condition} -a ${quoted(name)} -d ${quoted(summary(sub.description))}`);
  for (const option of command.options) lines.push(optionLine(option, condition, spec, command));
  for (const kind of new Set(command.args)) {
    const args = valueArgs(kind, spec, command, parent);
    if (kind !== 'text') lines.push(`complete -c oblic-hooks -n ${condition} ${args}`);
  }
  return [...lines, ...command.subcommands.flatMap((sub) => commandLines(sub, spec, command))];
}

/** The fish `switch` cases that print, for a command path, its subcommands or its flags that take a value. */
function pathCases(spec: Spec, list: (command: CommandSpec) => string[]): string {
  return allCommands(spec.root)
    .filter((command) => list(command).length > 0)
    .map(
      (command) =>
        `        case ${quoted(command.path.join(' '))}\n            printf '%s\\n' ${list(command).join(' ')}`,
    )
    .join('\n');
}

export function renderFish(spec: Spec): string {
  const subs = pathCases(spec, (command) => command.subcommands.flatMap((sub) => sub.names));
  const vals = pathCases(spec, (command) =>
    command.options.flatMap((option) => (option.value === undefined ? [] : option.names)),
  );
  return `# fish completion for oblic-hooks ${spec.version}, printed by \`oblic-hooks completion fish\`.
# Install: oblic-hooks completion fish > ~/.config/fish/completions/oblic-hooks.fish
# Print it again after upgrading.

function __oblic_hooks_subs --description 'the subcommands of the command path $argv'
    switch "$argv"
${subs}
    end
end

function __oblic_hooks_vals --description 'the flags of the command path $argv that take a value'
    switch "$argv"
${vals}
    end
end

function __oblic_hooks_path --description 'the command path of the line so far'
    set -l path
    set -l skip 0
    set -l words (commandline -opc)
    set -e words[1]
    for word in $words
        if test $skip = 1
            set skip 0
        else if string match -q -- '-*' $word
            if not string match -q -- '*=*' $word; and contains -- $word (__oblic_hooks_vals $path)
                set skip 1
            end
        else if contains -- $word (__oblic_hooks_subs $path)
            set -a path $word
        end
    end
    string join ' ' -- $path
end

function __oblic_hooks_at --description 'is the command path $argv[1]?'
    set -l path (__oblic_hooks_path)
    test "$path" = "$argv[1]"
end

complete -c oblic-hooks -f
${commandLines(spec.root, spec).join('\n')}
`;
}
