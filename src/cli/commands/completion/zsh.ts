import { quoted } from './bash.js';
import { allCommands, summary, type CommandSpec, type Spec } from './spec.js';

// The bash script's walk over the words, in zsh's own terms: _describe lists commands and flags with
// their descriptions, _files completes file names, compadd quotes a glob (message.\*) as it inserts it.
// The file is an autoloaded function (#compdef) on $fpath, or sourced after compinit.

const described = (name: string, description: string) => quoted(`${name}:${summary(description)}`);

function specCase(command: CommandSpec): string {
  const subs = command.subcommands.flatMap((sub) => sub.names.map((name) => described(name, sub.description)));
  const opts = command.options.flatMap((option) => option.names.map((name) => described(name, option.description)));
  const vals = command.options.flatMap((option) =>
    option.value === undefined ? [] : option.names.map((name) => `${name} ${option.value}`),
  );
  const args = command.args.map((kind, i) => (command.variadic && i === command.args.length - 1 ? `${kind}...` : kind));
  return [
    `    (${quoted(command.path.join(' '))})`,
    `      subs=(${subs.join(' ')})`,
    `      opts=(${opts.join(' ')})`,
    `      vals=(${vals.join(' ')})`,
    `      args=(${args.join(' ')}) ;;`,
  ].join('\n');
}

export function renderZsh(spec: Spec): string {
  const words = Object.entries(spec.words)
    .map(([kind, list]) =>
      kind === 'scenarios'
        ? `    (scenarios|scenarios-or-files) list=(${list.map(quoted).join(' ')})\n      [[ $1 == scenarios-or-files ]] && _files ;;`
        : `    (${kind}) list=(${list.map(quoted).join(' ')}) ;;`,
    )
    .join('\n');
  return `#compdef oblic-hooks
# zsh completion for oblic-hooks ${spec.version}, printed by \`oblic-hooks completion zsh\`.
# Install: oblic-hooks completion zsh > "\${fpath[1]}/_oblic-hooks" (any directory on $fpath), then
# open a new shell; or, after compinit: source <(oblic-hooks completion zsh). Print it again after upgrading.

# Sets, for the command path $1: subs and opts, as "name:description"; vals, the flags that take a
# value and the kind of it; args, the kinds of the arguments (the last repeats when it ends in ...).
_oblic_hooks_spec() {
  case $1 in
${allCommands(spec.root).map(specCase).join('\n')}
    (*) subs=() opts=() vals=() args=() ;;
  esac
}

# Completes a value of the kind $1; in a comma list (--events a,b), the part after the last comma.
_oblic_hooks_values() {
  local -a list
  case $1 in
${words}
    (commands) _oblic_hooks_spec "$parent"; _describe -t commands command subs; return ;;
    (files) _files; return ;;
    (dirs) _files -/; return ;;
    (*) return 1 ;;
  esac
  [[ $1 == types ]] && compset -P '*,'
  compadd -a list
}

_oblic-hooks() {
  local -a subs opts args
  local -A vals
  # Not "path": in zsh that is $PATH as an array.
  local cur=$words[CURRENT] word cmdpath='' parent='' kind flag
  integer i n=0
  _oblic_hooks_spec ''
  # The command path so far: subcommands, past flags and their values; n counts the arguments.
  for (( i = 2; i < CURRENT; i++ )); do
    word=$words[i]
    if [[ $word == -* ]]; then
      [[ $word != *=* && -n \${vals[$word]} ]] && (( i++ ))
    elif (( n == 0 && \${subs[(I)\${(b)word}:*]} )); then
      parent=$cmdpath cmdpath=\${cmdpath:+$cmdpath }$word
      _oblic_hooks_spec "$cmdpath"
    else
      (( n++ ))
    fi
  done
  # A flag's value: "--flag v" or "--flag=v".
  flag=$words[CURRENT-1]
  if [[ $cur == -*=* && -n \${vals[\${cur%%=*}]} ]]; then
    kind=\${vals[\${cur%%=*}]}
    compset -P '*='
    _oblic_hooks_values $kind
    return
  elif (( CURRENT > 2 )) && [[ $flag == -* && -n \${vals[$flag]} ]]; then
    _oblic_hooks_values \${vals[$flag]}
    return
  fi
  if [[ $cur == -* ]]; then _describe -t options option opts; return; fi
  if (( n == 0 && $#subs )); then _describe -t commands command subs; return; fi
  (( $#args )) || return 1
  if (( n < $#args )); then kind=$args[n+1]
  else kind=$args[-1]; [[ $kind == *... ]] || return 1
  fi
  _oblic_hooks_values \${kind%...}
}

if [[ $funcstack[1] == _oblic-hooks ]]; then
  _oblic-hooks "$@"
else
  compdef _oblic-hooks oblic-hooks
fi
`;
}
