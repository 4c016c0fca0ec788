# Script mode (cmake -P), for board_config_check.c:
#   -DBOOT_CONFIG=<gen>/boot_config.c -DOUT=<stubs.c>
# writes each fk_boot_flash_<memory>() the generated configuration
# declares as a call of board_check_flash() (the flash of the geometry
# asked for); fails when it declares none.
cmake_minimum_required(VERSION 3.20)
file(READ ${BOOT_CONFIG} text)
string(REGEX MATCHALL "const struct fk_flash \\*fk_boot_flash_[A-Za-z0-9_]+\\("
	decls "${text}")
if(NOT decls)
	message(FATAL_ERROR "${BOOT_CONFIG}: no fk_boot_flash_<memory>() "
		"declared; is it a boot_config.c of `flashkit layout gen`?")
endif()
set(out "/* Written by tests/boot/board_config_stubs.cmake from ${BOOT_CONFIG}. */
#include \"flashkit/flash.h\"

const struct fk_flash *board_check_flash(const struct fk_flash_geometry *geo);
")
foreach(d IN LISTS decls)
	string(REGEX REPLACE ".*(fk_boot_flash_[A-Za-z0-9_]+).*" "\\1" fn "${d}")
	string(APPEND out "
const struct fk_flash *${fn}(const struct fk_flash_geometry *geo);
const struct fk_flash *${fn}(const struct fk_flash_geometry *geo)
{
	return board_check_flash(geo);
}
")
endforeach()
file(WRITE ${OUT} "${out}")
