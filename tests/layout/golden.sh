#!/usr/bin/env bash
# Golden files: every generator on every example. `layout gen` and
# `layout show` run on each examples/*/layout.yaml and the output must
# equal tests/layout/golden/<example>/ byte for byte (the file set too).
# After an intended change, regenerate with FK_UPDATE_GOLDEN=1 and review
# the diff like code.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0 compared=0

for layout in "$FK_ROOT"/examples/*/layout.yaml; do
	ex=$(basename "$(dirname "$layout")")
	out="$work/$ex"
	# run from the example folder so messages name "layout.yaml"
	(cd "$(dirname "$layout")" && "$FK_TOOL" layout gen layout.yaml -o "$out" &&
		"$FK_TOOL" layout show layout.yaml >"$out/show.txt" &&
		"$FK_TOOL" layout check layout.yaml >"$out/check.txt" 2>&1)
	# the header is valid C99: every macro used, the sector maps as
	# struct fk_sector_run initializers
	{
		echo '#include "flashkit/flash.h"'
		echo "#include \"$out/flash_layout.h\""
		sed -n 's/^#define \(FK_[A-Z0-9_]*SECTOR_RUNS\) .*/static const struct fk_sector_run r_\1[] = \1;/p' "$out/flash_layout.h"
		echo 'static const unsigned long all[] = {'
		sed -n '/SECTOR_RUNS\|FK_FLASH_LAYOUT_H/!s/^#define \(FK_[A-Z0-9_]*\) .*/	\1,/p' "$out/flash_layout.h"
		echo '};'
		echo 'unsigned long layout_sum(void);'
		echo 'unsigned long layout_sum(void) { unsigned long s = 0; for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) s += all[i];'
		sed -n 's/^#define \(FK_[A-Z0-9_]*SECTOR_RUNS\) .*/	s += r_\1[0].size;/p' "$out/flash_layout.h"
		echo 'return s; }'
	} >"$work/$ex-header.c"
	cc -std=c99 -Wall -Wextra -Werror -I"$FK_ROOT/include" -c \
		"$work/$ex-header.c" -o "$work/$ex-header.o"
	# the bootloader's configuration is valid C99 against ports/boot/
	# (a layout of plain images only, strategy none, has none)
	if [ -e "$out/boot_config.c" ]; then
		cc -std=c99 -Wall -Wextra -Werror -I"$FK_ROOT/include" \
			-I"$FK_ROOT/ports/boot" -c "$out/boot_config.c" \
			-o "$work/$ex-boot_config.o"
	fi
	if [ "${FK_UPDATE_GOLDEN:-0}" = 1 ]; then
		rm -rf "$here/golden/$ex"
		mkdir -p "$here/golden"
		cp -r "$out" "$here/golden/$ex"
		echo "updated golden/$ex"
		continue
	fi
	n=$(ls "$out" | wc -l)
	if diff -ru "$here/golden/$ex" "$out"; then
		echo "ok   $ex: $n files equal the golden ones"
	else
		echo "FAIL $ex: differs from tests/layout/golden/$ex"
		failed=$((failed + 1))
	fi
	compared=$((compared + n))
done
echo "$compared generated files compared, $failed example(s) differ"
[ "$failed" -eq 0 ] && [ "$compared" -gt 40 ]
