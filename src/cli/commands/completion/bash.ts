import { allCommands, type CommandSpec, type Spec } from './spec.js';

// Plain bash 4+: `complete -F` and compgen, nothing of the bash-completion package, so it works
// sourced from ~/.bashrc as well as from bash-completion's directory. The word lists are written
// into the script (no process per Tab); a glob is offered escaped (message.\*) so that bash passes it
// on instead of matching it against file names.

/** A shell word in single quotes. */
export function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function specCase(command: CommandSpec): string {
  const opts = command.options.flatMap((option) => option.names);
  const vals = command.options.flatMap((option) =>
    option.value === undefined ? [] : option.names.map((name) => `${name}=${option.value}`),
  );
  const args = command.args.map((kind, i) => (command.variadic && i === command.args.length - 1 ? `${kind}...` : kind));
  const subs = command.subcommands.flatMap((sub) => sub.names);
  return [
    `    ${quoted(command.path.join(' '))})`,
    `      subs=${quoted(subs.join(' '))}`,
    `      opts=${quoted(opts.join(' '))}`,
    `      vals=${quoted(` ${vals.join(' ')} `)}`,
    `      args=${quoted(args.join(' '))} ;;`,
  ].join('\n');
}

export function renderBash(spec: Spec): string {
  // A scenario argument that may also be a file (scenario run) gets both.
  const words = Object.entries(spec.words)
    .map(([kind, list]) =>
      kind === 'scenarios'
        ? `    scenarios|scenarios-or-files) list=${quoted(list.join(' '))}\n      [[ $1 == scenarios-or-files ]] && _oblic_hooks_files -f ;;`
        : `    ${kind}) list=${quoted(list.join(' '))} ;;`,
    )
    .join('\n');
  return `# bash completion for oblic-hooks ${spec.version}, printed by \`oblic-hooks completion bash\`.
# Install: oblic-hooks completion bash > ~/.local/share/bash-completion/completions/oblic-hooks
# or add to ~/.bashrc: source <(oblic-hooks completion bash). Print it again after upgrading.

# Sets, for the command path $1: subs, its subcommands; opts, its flags; vals, its flags that take a
# value, as " --flag=kind "; args, the kinds of its arguments (the last repeats when it ends in ...).
_oblic_hooks_spec() {
  case "$1" in
${allCommands(spec.root).map(specCase).join('\n')}
    *) subs='' opts='' vals=' ' args='' ;;
  esac
}

# Adds the words of the list $1 that complete $cur. In a comma list (--events a,b) the part after the
# last comma is completed and the part before kept.
_oblic_hooks_add() {
  local word head='' tail=$cur
  local -a list
  [[ \${2-} == commas && $cur == *,* ]] && head=\${cur%,*}, tail=\${cur##*,}
  read -ra list <<< "$1"
  for word in "\${list[@]}"; do
    word=\${word//\\*/\\\\*}
    [[ $word == "$tail"* ]] && COMPREPLY+=("$head$word")
  done
}

_oblic_hooks_files() {
  compopt -o filenames 2>/dev/null
  local line
  while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen "$1" -- "$cur")
}

# Completes a value of the kind $1.
_oblic_hooks_values() {
  local list
  case "$1" in
${words}
    commands) _oblic_hooks_spec "$parent"; list=$subs ;;
    files) _oblic_hooks_files -f; return ;;
    dirs) _oblic_hooks_files -d; return ;;
    *) return ;;
  esac
  case "$1" in
    types) _oblic_hooks_add "$list" commas ;;
    *) _oblic_hooks_add "$list" ;;
  esac
}

_oblic_hooks() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev='' word cmdpath='' parent='' subs opts vals args kind i n=0
  local -a kinds
  ((COMP_CWORD > 0)) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  COMPREPLY=()
  _oblic_hooks_spec ''
  # The command path so far: subcommands, past flags and their values; n counts the arguments.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ $word == -* ]]; then
      if [[ $vals == *" $word="* ]]; then
        if [[ \${COMP_WORDS[i+1]} == '=' ]]; then ((i += 2)); else ((i += 1)); fi
      fi
    elif ((n == 0)) && [[ " $subs " == *" $word "* ]]; then
      parent=$cmdpath cmdpath=\${cmdpath:+$cmdpath }$word
      _oblic_hooks_spec "$cmdpath"
    else
      ((n += 1))
    fi
  done
  # A flag's value: "--flag v", or "--flag=v", which bash splits at the = into three words.
  local flag=$prev
  if [[ $cur == '=' ]]; then cur=''
  elif [[ $prev == '=' ]] && ((COMP_CWORD > 1)); then flag=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  if [[ $flag == -* && $vals == *" $flag="* ]]; then
    kind=\${vals#*" $flag="} kind=\${kind%% *}
    _oblic_hooks_values "$kind"
    return 0
  fi
  if [[ $cur == -* ]]; then _oblic_hooks_add "$opts"; return 0; fi
  if ((n == 0)) && [[ -n $subs ]]; then _oblic_hooks_add "$subs"; return 0; fi
  read -ra kinds <<< "$args"
  ((\${#kinds[@]} == 0)) && return 0
  if ((n < \${#kinds[@]})); then kind=\${kinds[n]}
  else kind=\${kinds[\${#kinds[@]}-1]}; [[ $kind == *... ]] || return 0
  fi
  _oblic_hooks_values "\${kind%...}"
  return 0
}

complete -F _oblic_hooks oblic-hooks
`;
}
