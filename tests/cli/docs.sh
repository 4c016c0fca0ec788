#!/usr/bin/env bash
# Man pages and shell completion come from the option tables that parse
# the options and print --help (cli/docgen, target flashkit_docs):
# - `man flashkit-image` finds and renders the page (no groff warnings),
#   one page per command that `flashkit --help` lists, and every option
#   each subcommand's --help shows is on its command's page;
# - bash: the completion function, called as bash calls it (COMP_WORDS,
#   COMP_CWORD), completes commands, subcommands, each leaf's options
#   exactly as its --help lists them, and file or folder values;
# - zsh: the #compdef function, run by zsh with compadd and _arguments
#   standing in for the completion system, offers the same;
# - `flashkit --version` and `flashkit version` print the version the
#   man pages carry;
# - `cmake --install` (component docs) puts them where man, bash-completion
#   and zsh look.
set -euo pipefail
F="$FK_TOOL"
B="$FK_BUILD"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

commands=$("$F" --help | awk '/^commands:/ { on = 1; next } on && /^  / { print $1 }')
[ -n "$commands" ] || fail "no commands in flashkit --help"

# --- man pages
export MANPATH="$B/man" MANPAGER=cat PAGER=cat MANWIDTH=200
[ "$(man -w flashkit-image)" = "$B/man/man1/flashkit-image.1" ] ||
	fail "man -w flashkit-image: $(man -w flashkit-image 2>&1)"
man flashkit-image >"$T/image.txt" 2>"$T/man.err"
grep -q "flashkit-image - sign, verify and inspect MCUboot-format images" \
	"$T/image.txt" || fail "man flashkit-image: $(head "$T/image.txt")"
man flashkit >"$T/index.txt"
version=$("$F" --version)
[ "$version" = "$("$F" version)" ] || fail "--version and version differ"
[[ $version =~ ^flashkit\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "version: $version"
grep -q "$version" "$T/image.txt" || fail "the page does not carry '$version'"

subs_of() { # COMMAND: its subcommands, from its --help
	"$F" "$1" --help | awk '/^subcommands:/ { on = 1; next } on && NF && /^  / { print $1 } /^$/ { if (on) exit }'
}
opts_of() { # COMMAND [SUB]: its long and short options, from --help
	# (the names that start each option line: "-k, --key FILE  help";
	# -h/--help always: the parser takes them, --help lists them when
	# the command has other options)
	{
		"$F" "$@" --help | awk '/^options:/ { on = 1; next } on' |
			sed -nE 's/^  (-[A-Za-z0-9])?(, )?(--[A-Za-z0-9][-A-Za-z0-9]*)?.*/\1 \3/p' |
			tr ' ' '\n'
		printf -- '-h\n--help\n'
	} | grep -v '^$' | sort -u
}
# every leaf's options from its --help, once: LEAVES[c s]
declare -A LEAVES
for c in $commands; do
	subs=$(subs_of "$c")
	for s in ${subs:-""}; do
		LEAVES["$c${s:+ $s}"]=$(opts_of "$c" $s)
	done
done
pages=0 checked=0
for c in $commands; do
	[ -f "$B/man/man1/flashkit-$c.1" ] || fail "no page for $c"
	man --warnings -l "$B/man/man1/flashkit-$c.1" >"$T/$c.txt" 2>"$T/$c.err"
	[ ! -s "$T/$c.err" ] || fail "groff on flashkit-$c.1: $(cat "$T/$c.err")"
	grep -q "flashkit-$c(1)" "$T/index.txt" || fail "flashkit(1) lacks $c"
	pages=$((pages + 1))
done
for leaf in "${!LEAVES[@]}"; do
	c=${leaf%% *}
	for o in ${LEAVES[$leaf]}; do
		grep -qe "$o" "$T/$c.txt" || fail "flashkit-$c.1 lacks $leaf $o"
		checked=$((checked + 1))
	done
done

# installed where man and the shells look (cmake --install, component docs)
cmake --install "$B" --component docs --prefix "$T/prefix" >/dev/null
MANPATH="$T/prefix/share/man" man flashkit-image | grep -q "^NAME" ||
	fail "the installed page"
[ -f "$T/prefix/share/bash-completion/completions/flashkit" ] &&
	[ -f "$T/prefix/share/zsh/vendor-completions/_flashkit" ] ||
	fail "installed completions: $(find "$T/prefix" -type f)"

# --- bash
source "$T/prefix/share/bash-completion/completions/flashkit"
complete -p flashkit | grep -q -- "-F _flashkit" || fail "complete -F not set"
comp() { # WORDS...: COMPREPLY, sorted, one per line
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_flashkit
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
[ "$(comp flashkit la)" = layout ] || fail "bash: flashkit la -> $(comp flashkit la)"
[ "$(comp flashkit layout "" | grep -v '^-' | tr '\n' ' ')" = "check draw gen import show " ] ||
	fail "bash: layout subcommands: $(comp flashkit layout "")"
[ "$(comp flashkit layout import --f | tr "\n" " ")" = "--flash-base --flash-size --from " ] ||
	fail "bash: layout import --f -> $(comp flashkit layout import --f)"
[ "$(comp flashkit --ver)" = --version ] || fail "bash: --ver"
bash_leaves=0
for leaf in "${!LEAVES[@]}"; do
	got=$(comp flashkit $leaf - | grep -v '^$')
	[ "${LEAVES[$leaf]}" = "$got" ] ||
		fail "bash: flashkit $leaf - gives other options than --help:
$(diff <(echo "${LEAVES[$leaf]}") <(echo "$got"))"
	bash_leaves=$((bash_leaves + 1))
done
mkdir -p "$T/w/gen-out" && touch "$T/w/keyfile.pem"
cd "$T/w"
[ "$(comp flashkit image sign --key key)" = keyfile.pem ] || fail "bash: --key FILE"
[ "$(comp flashkit image verify -k ke)" = keyfile.pem ] || fail "bash: -k FILE"
[ "$(comp flashkit layout gen -o ge)" = gen-out ] || fail "bash: -o DIR"
[ -z "$(comp flashkit layout import --from k)" ] || fail "bash: --from KIND is no file"
[ "$(comp flashkit layout check k)" = keyfile.pem ] || fail "bash: a FILE argument"
cd - >/dev/null

# --- zsh
if ! command -v zsh >/dev/null; then
	echo "docs: $pages pages, $checked options on them, bash $bash_leaves leaves; zsh not installed: its check skipped (scripts/deps.sh installs it)"
	exit 0
fi
zsh -n "$B/completion/_flashkit" || fail "zsh: syntax"
head -1 "$B/completion/_flashkit" | grep -qx '#compdef flashkit' || fail "zsh: #compdef"
zcomp() { # CURRENT WORDS...: what compadd/_arguments were given
	zsh -f -c '
		compadd() { print -r -- "compadd $*" }
		_arguments() { print -rl -- "$@" }
		_files() { print -r -- _files }
		CURRENT=$1; shift
		words=("$@")
		source "$ZF"' zcomp "$@"
}
export ZF="$B/completion/_flashkit"
zcomp 2 flashkit la | grep -q "^compadd -- convert device image key kv layout " ||
	fail "zsh: commands: $(zcomp 2 flashkit la)"
zcomp 3 flashkit layout "" | grep -qx "compadd -- check show gen draw import" ||
	fail "zsh: layout subcommands: $(zcomp 3 flashkit layout "")"
zcomp 4 flashkit layout import --f >"$T/z.txt"
grep -q "^\*--from\[.*\]:KIND: $" "$T/z.txt" || fail "zsh: --from: $(cat "$T/z.txt")"
grep -q "^\*--flash-size\[" "$T/z.txt" || fail "zsh: --flash-size"
grep -q "^\*-o\[the layout to write.*\]:FILE:_files$" "$T/z.txt" || fail "zsh: -o FILE"
zsh_leaves=0
for leaf in "${!LEAVES[@]}"; do
	n=$((2 + $(wc -w <<<"$leaf")))
	got=$(zcomp "$n" flashkit $leaf - |
		sed -n 's/^\(([^)]*)\)\{0,1\}\*\{0,1\}\(--\{0,1\}[A-Za-z0-9][-A-Za-z0-9]*\)\[.*/\2/p' | sort -u)
	[ "${LEAVES[$leaf]}" = "$got" ] ||
		fail "zsh: flashkit $leaf gives other options than --help:
$(diff <(echo "${LEAVES[$leaf]}") <(echo "$got"))"
	zsh_leaves=$((zsh_leaves + 1))
done

# and through zsh's own completion system (compinit), typing TAB in an
# interactive zsh on a pseudo-terminal: flashkit is a function there
# that prints the words the completion left on the line
cat >"$T/tab.zsh" <<'ZSH'
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z "fpath=(${ZF:h} \$fpath); autoload -U compinit; compinit -u -D; PS1='>'; unsetopt beep; flashkit() { print -r -- \"RESULT-\$((6*7)):\$*@END\" }"
zpty -w -n z "$LINE"$'\t\n'
zpty -r z out '*RESULT-42:*@END*'
zpty -d z
print -r -- "${${out##*RESULT-42:}%%@END*}"
ZSH
tab() { # TYPED EXPECTED
	local got
	got=$(cd "$T/w" && LINE="$1" timeout 60 zsh -f "$T/tab.zsh") ||
		fail "zsh TAB on '$1' did not finish"
	[ "$got" = "$2" ] || fail "zsh TAB on '$1': '$got', expected '$2'"
}
tab "flashkit la" "layout"
tab "flashkit layout imp" "layout import"
tab "flashkit layout import --fr" "layout import --from"
tab "flashkit image verify --enc" "image verify --enc-key"
tab "flashkit image verify -k keyf" "image verify -k keyfile.pem"
echo "docs: $pages pages, $checked options on them, bash $bash_leaves leaves, zsh $zsh_leaves leaves + 5 TABs in compsys: ok"
