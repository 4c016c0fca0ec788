#!/usr/bin/env bash
# The layering of DESIGN.md, checked on every #include:
#   - src/ and include/flashkit/ include only flashkit's public headers
#     ("flashkit/..."), headers next to the including file inside src/,
#     and the C library's freestanding headers plus string.h (memcpy,
#     memset, memcmp);
#   - sim/ never includes host/, cli/ (nor ports/);
#   - nothing under src/ or include/ reaches into host/, cli/, sim/ or
#     ports/;
#   - the host libraries (host/) never include a header of the command
#     layer (cli/), never print to stdout or stderr and never exit or
#     abort: only the command layer (cli/) does.
# Prints every offending line as file:line: text and fails if any.
set -euo pipefail
cd "${FK_ROOT:?}"

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]+)[>"]'
cli_header_re='"(cli|commands|cmd_[a-z_]*)\.h"'
host_header_re='"(common|diag|formats|image|kv|layout|provision|yaml)/'
allowed_system='^(float|iso646|limits|stdalign|stdarg|stdbool|stddef|stdint|stdnoreturn|string)\.h$'
bad=0 checked=0

complain() {
	echo "$1:$2: $3 ($4)"
	bad=$((bad + 1))
}

# check_device FILE: the rules for src/ and include/flashkit/.
check_device() {
	local file=$1 n=0 line target
	while IFS= read -r line; do
		n=$((n + 1))
		[[ $line =~ $include_re ]] || continue
		checked=$((checked + 1))
		target=${BASH_REMATCH[2]}
		if [ "${BASH_REMATCH[1]}" = "<" ]; then
			[[ $target =~ $allowed_system ]] ||
				complain "$file" $n "$line" "device code may include only freestanding C headers and string.h"
		elif [[ $target == flashkit/* ]]; then
			[ -f "include/$target" ] ||
				complain "$file" $n "$line" "no such public header in include/flashkit/"
		elif [[ $file == src/* && $target != */* && -f $(dirname "$file")/$target ]]; then
			:
		else
			complain "$file" $n "$line" "device code may include only include/flashkit/ and its own folder"
		fi
	done <"$file"
}

# check_sim FILE: sim/ knows nothing of host/, cli/ or ports/.
check_sim() {
	local file=$1 n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		[[ $line =~ ^[[:space:]]*#[[:space:]]*include ]] || continue
		checked=$((checked + 1))
		if [[ $line =~ (host|cli|ports)/ || $line =~ $cli_header_re ||
			$line =~ $host_header_re ]]; then
			complain "$file" $n "$line" "sim/ must not include host/, cli/ or ports/"
		fi
	done <"$file"
}

# check_host FILE: a host library reports, the CLI prints.
host_bad_re='#[[:space:]]*include[[:space:]]*"(cli|commands|cmd_[a-z_]*)\.h"|(^|[^a-z_])(printf|puts|putchar|perror|exit|abort|fk_error|fk_warning)[[:space:]]*\(|f(printf|puts|putc|write)[[:space:]]*\([^;]*(stderr|stdout)'
check_host() {
	local file=$1 n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		checked=$((checked + 1))
		[[ $line =~ $host_bad_re ]] || continue
		[[ $line =~ ^[[:space:]]*(\*|/\*) ]] && continue  # a comment
		[[ $line =~ __attribute__ ]] && continue            # format(printf
		complain "$file" $n "$line" "a host library must not print, exit or include the command layer's headers; report through its diagnostics sink"
	done <"$file"
}

while IFS= read -r f; do
	check_host "$f"
done < <(find host -name '*.[ch]' | sort)
while IFS= read -r f; do
	check_device "$f"
done < <(find src include -name '*.[ch]' | sort)
while IFS= read -r f; do
	check_sim "$f"
done < <(find sim -name '*.[ch]' | sort)

echo "layering: $checked includes checked, $bad violations"
[ "$bad" -eq 0 ] && [ "$checked" -gt 0 ]
