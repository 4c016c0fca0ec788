/*
 * Broken layouts, one per rule: each must be refused with the message
 * that explains the fix, at the exact FILE:LINE:COL of the culprit.
 * Most cases are the small valid layout below with one line changed;
 * the line numbers in the table refer to the full text.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag_capture.h"
#include "layout/layout.h"

/* Lines 1-7: one flash memory; the partitions start at line 8. */
#define FLASH_HEAD                                                        \
	"memories:\n"                                                     \
	"  flash:\n"                                                      \
	"    kind: flash\n"                                               \
	"    base: 0x08000000\n"                                          \
	"    sectors: 4x16K 1x64K 3x128K\n"                               \
	"    write-unit: 4\n"                                             \
	"    partitions:\n"
/* Lines 8-10 */
#define GOOD_PARTS                                                        \
	"      boot: { size: 32K, role: bootloader, protect: write }\n"  \
	"      a: { at: 0x08020000, size: 128K, role: slot }\n"           \
	"      b: { size: 128K, role: slot }\n"
/* Lines 8-9: no bootloader, a plain application and its serial page */
#define PLAIN_PARTS                                                       \
	"      a: { size: 128K, role: slot }\n"                            \
	"      dev: { size: 128K, role: devinfo }\n"
/* Four lines of RAM */
#define RAM                                                               \
	"  ram:\n"                                                        \
	"    kind: ram\n"                                                 \
	"    base: 0x20000000\n"                                          \
	"    size: 64K\n"
#define IMAGE "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: ram }\n"

/* Two cores (lines 1-24): cm4 on line 24 with `release: REL`, cm7 on
 * line 23 ending with EXTRA7. */
#define DUAL(EXTRA7, REL)                                                \
	"memories:\n"                                                    \
	"  flash:\n"                                                     \
	"    kind: flash\n"                                              \
	"    base: 0x08000000\n"                                         \
	"    sectors: 12x128K\n"                                         \
	"    write-unit: 4\n"                                            \
	"    partitions:\n"                                              \
	"      boot: { size: 128K, role: bootloader, protect: write }\n" \
	"      a7: { size: 256K, role: slot }\n"                         \
	"      b7: { size: 256K, role: slot }\n"                         \
	"      a4: { size: 256K, role: slot }\n"                         \
	"      b4: { size: 256K, role: slot }\n"                         \
	"      state: { size: 128K, role: boot-state }\n"                \
	"  ram:\n"                                                       \
	"    kind: ram\n"                                                \
	"    base: 0x20000000\n"                                         \
	"    size: 64K\n"                                                \
	"    partitions:\n"                                              \
	"      r7: { size: 32K }\n"                                      \
	"      r4: { size: 16K }\n"                                      \
	"      ipc: { size: 16K }\n"                                     \
	"images:\n"                                                      \
	"  cm7: { primary: a7, secondary: b7, strategy: swap, "          \
	"boot-state: state, ram: r7, uses: [ipc]" EXTRA7 " }\n"          \
	"  cm4: { primary: a4, secondary: b4, strategy: swap, "          \
	"boot-state: state, ram: r4, uses: [ipc], release: " REL " }\n"

struct bad_case {
	const char *name;
	const char *text;
	const char *expect; /* "LINE:COL: error: <start of the message>" */
};

static const struct bad_case cases[] = {
	{ "yaml_syntax_error", "memories: [\n  a: b\n",
	  "3:1: error: YAML syntax: did not find expected ',' or ']'" },
	{ "top_level_is_a_list", "- memories\n",
	  "1:1: error: a layout file must be a mapping" },
	{ "empty_file", "",
	  "1:1: error: the layout is empty" },
	{ "unknown_top_key_suggests", "memorys:\n  x: 1\n",
	  "1:1: error: unknown key 'memorys' in the layout; did you mean "
	  "'memories'?" },
	{ "no_memories", "name: x\n",
	  "1:1: error: the layout has no 'memories:'" },
	{ "aliases_refused", FLASH_HEAD "      boot: &b { size: 32K }\n",
	  "8:13: error: anchors and aliases" },
	{ "unknown_memory_key_suggests",
	  "memories:\n  ram:\n    kind: ram\n    base: 0\n    sise: 1K\n",
	  "5:5: error: unknown key 'sise' in memory 'ram'; did you mean "
	  "'size'?" },
	{ "memory_without_kind", "memories:\n  ram: { base: 0, size: 1K }\n",
	  "2:3: error: memory 'ram' has no 'kind' (flash, ram or external)" },
	{ "unknown_kind_suggests",
	  "memories:\n  f:\n    kind: flsh\n",
	  "3:11: error: 'kind' of memory 'f': unknown value 'flsh'; did you "
	  "mean 'flash'?" },
	{ "base_not_a_number",
	  "memories:\n  ram: { kind: ram, base: eight, size: 1K }\n",
	  "2:27: error: 'base' of memory 'ram': 'eight' is not a number" },
	{ "size_with_bad_suffix",
	  "memories:\n  ram: { kind: ram, base: 0, size: 12Q }\n",
	  "2:36: error: 'size' of memory 'ram': '12Q' has trailing characters" },
	{ "size_over_32_bits",
	  "memories:\n  ram: { kind: ram, base: 0, size: 8G }\n",
	  "2:36: error: 'size' of memory 'ram': '8G' is larger than 4G-1" },
	{ "ram_of_size_zero",
	  "memories:\n  ram: { kind: ram, base: 0, size: 0 }\n",
	  "2:36: error: memory 'ram' has size 0" },
	{ "title_cannot_close_the_header_comment_but_a_list_is_refused",
	  "name: [a]\nmemories: {}\n",
	  "1:7: error: 'name' must be a single value, not a list" },
	{ "size_is_a_list",
	  "memories:\n  ram: { kind: ram, base: 0, size: [1K] }\n",
	  "2:36: error: 'size' of memory 'ram' must be a single value, not a "
	  "list" },
	{ "sector_map_item_unparsable",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n"
	  "    sectors: 4x16K 4x16Q\n",
	  "5:20: error: sector map of memory 'f': '4x16Q' has trailing" },
	{ "sector_size_not_power_of_two",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n"
	  "    sectors: 3x12K\n    write-unit: 4\n",
	  "5:14: error: memory 'f': sector size 12288 is not a power of two" },
	{ "sector_map_x_before_separator_ends",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n"
	  "    sectors: 4x16K 7x+28K\n    write-unit: 4\n",
	  "5:14: error: memory 'f': sector size 28672 is not a power of two" },
	{ "size_disagrees_with_sectors",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n    size: 1M\n"
	  "    sectors: 4x16K\n    write-unit: 4\n",
	  "5:11: error: memory 'f': 'size' is 1M but its sectors add up to "
	  "64K" },
	{ "flash_without_sectors",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n    size: 1M\n",
	  "2:3: error: memory 'f' has no 'sectors'" },
	{ "write_unit_not_power_of_two",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n"
	  "    sectors: 4x16K\n    write-unit: 3\n",
	  "6:17: error: memory 'f': write-unit 3 must be a power of two" },
	{ "write_unit_missing",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n    sectors: 4x16K\n",
	  "2:3: error: memory 'f' has no 'write-unit'" },
	{ "erased_value_odd",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n    sectors: 4x16K\n"
	  "    write-unit: 4\n    erased: 0x55\n",
	  "7:13: error: memory 'f': erased value 0x55 must be 0xFF" },
	{ "bool_not_true_or_false",
	  "memories:\n  f:\n    kind: flash\n    base: 0\n    sectors: 4x16K\n"
	  "    write-unit: 4\n    program-once: maybe\n",
	  "7:19: error: 'program-once' of memory 'f' must be true or false, "
	  "not 'maybe'" },
	{ "ram_with_sectors",
	  "memories:\n  ram: { kind: ram, base: 0, size: 1K, sectors: 1x1K }\n",
	  "2:49: error: memory 'ram' is RAM: it has no 'sectors'" },
	{ "xip_on_unmapped_external",
	  "memories:\n  spi:\n    kind: external\n    sectors: 16x4K\n"
	  "    write-unit: 1\n    xip: true\n",
	  "6:10: error: memory 'spi' is not memory-mapped (no 'base')" },
	{ "memories_overlap",
	  "memories:\n  a: { kind: ram, base: 0x20000000, size: 64K }\n"
	  "  b: { kind: ram, base: 0x20008000, size: 64K }\n",
	  "3:3: error: memory 'b' (0x20008000..0x20018000) overlaps memory "
	  "'a'" },
	{ "partitions_not_a_mapping",
	  FLASH_HEAD "      - boot\n",
	  "8:7: error: 'partitions' of memory 'flash' must be a mapping" },
	{ "unknown_partition_key_suggests",
	  FLASH_HEAD "      boot: { size: 32K, rol: bootloader }\n",
	  "8:26: error: unknown key 'rol' in partition 'boot'; did you mean "
	  "'role'?" },
	{ "unknown_role_suggests",
	  FLASH_HEAD "      boot: { size: 32K, role: bootlaoder }\n",
	  "8:32: error: 'role' of partition 'boot': unknown value "
	  "'bootlaoder'; did you mean 'bootloader'?" },
	{ "duplicate_key",
	  FLASH_HEAD "      a: { size: 16K, size: 32K }\n",
	  "8:23: error: 'size' is given twice in partition 'a' (first at line "
	  "8)" },
	{ "partition_without_size",
	  FLASH_HEAD "      a: { role: raw }\n",
	  "8:7: error: partition 'a' has no 'size'" },
	{ "partition_of_size_zero",
	  FLASH_HEAD "      a: { size: 0 }\n",
	  "8:18: error: partition 'a' has size 0" },
	{ "invalid_name",
	  FLASH_HEAD "      1st: { size: 16K }\n",
	  "8:7: error: partition name '1st' must start with a letter" },
	{ "at_and_offset",
	  FLASH_HEAD "      a: { at: 0x08000000, offset: 0, size: 16K }\n",
	  "8:36: error: partition 'a' has both 'at' (an address) and "
	  "'offset'" },
	{ "partition_below_memory",
	  FLASH_HEAD "      a: { at: 0x07FF0000, size: 16K }\n",
	  "8:16: error: partition 'a' at 0x07FF0000 is outside memory 'flash' "
	  "(0x08000000..0x08080000)" },
	{ "partition_past_memory_end",
	  FLASH_HEAD "      a: { at: 0x08060000, size: 256K }\n",
	  "8:34: error: partition 'a' (0x08060000..0x080A0000) ends 128K past "
	  "the end of memory 'flash' (0x08080000); shrink it to 128K" },
	{ "rest_with_no_room",
	  FLASH_HEAD "      a: { size: 512K }\n      b: { size: rest }\n",
	  "9:18: error: partition 'b' has 'size: rest' but starts at the end "
	  "of memory 'flash'" },
	{ "partitions_overlap_names_both",
	  FLASH_HEAD "      a: { size: 64K }\n"
	  "      b: { at: 0x08008000, size: 32K }\n",
	  "9:7: error: partitions 'a' (0x08000000..0x08010000) and 'b' "
	  "(0x08008000..0x08010000) overlap by 32K" },
	{ "start_cuts_a_sector",
	  FLASH_HEAD "      a: { at: 0x08012000, size: 56K }\n",
	  "8:16: error: partition 'a' starts at 0x08012000, inside sector 4 of "
	  "'flash' (0x08010000..0x08020000, 64K); erasing it would erase its "
	  "neighbour too: start it at 0x08010000 or 0x08020000" },
	{ "end_cuts_a_sector",
	  FLASH_HEAD "      a: { size: 40K }\n",
	  "8:18: error: partition 'a' ends at 0x0800A000, inside sector 2 of "
	  "'flash' (0x08008000..0x0800C000, 16K); end it at 0x08008000 (size "
	  "0x8000) or 0x0800C000 (size 0xC000)" },
	{ "unprotected_bootloader",
	  FLASH_HEAD "      boot: { size: 32K, role: bootloader }\n",
	  "8:7: error: bootloader 'boot' is not protected" },
	{ "ram_role_on_flash",
	  FLASH_HEAD "      a: { size: 16K, role: ram }\n",
	  "8:7: error: partition 'a' has role ram but lives in flash memory "
	  "'flash'" },
	{ "flash_role_in_ram",
	  "memories:\n  ram:\n    kind: ram\n    base: 0x20000000\n"
	  "    size: 64K\n    partitions:\n      s: { size: 1K, role: slot }\n",
	  "7:7: error: partition 's' has role slot but lives in RAM memory "
	  "'ram'" },
	{ "same_name_in_two_memories",
	  FLASH_HEAD "      a: { size: 16K }\n" RAM
	  "    partitions:\n      a: { size: 1K }\n",
	  "14:7: error: partition 'a' is defined twice (first at line 8)" },
	{ "names_collide_as_c_macros",
	  FLASH_HEAD "      app-a: { size: 16K }\n      app_a: { size: 16K }\n",
	  "9:7: error: partition names 'app_a' and 'app-a' (line 8) become "
	  "the same C name" },
	{ "image_unknown_partition_suggests",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: aa, secondary: b, strategy: swap, ram: "
	  "ram }\n",
	  "16:19: error: image 'app': no partition named 'aa'; did you mean "
	  "'a'?" },
	{ "image_without_strategy",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, ram: ram }\n",
	  "16:3: error: image 'app' has no 'strategy'" },
	{ "image_unknown_key_suggests",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, heder: 0x200 }\n",
	  "16:62: error: unknown key 'heder' in image 'app'; did you mean "
	  "'header'?" },
	{ "slot_with_wrong_role",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      a: { at: 0x08020000, size: 128K, role: raw }\n"
	  "      b: { size: 128K, role: slot }\n" RAM IMAGE,
	  "16:19: error: image 'app': primary 'a' has role raw; a slot needs "
	  "'role: slot'" },
	{ "factory_with_wrong_role",
	  FLASH_HEAD GOOD_PARTS "      f: { size: 128K, role: raw }\n" RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: overwrite, "
	  "ram: ram, factory: f }\n",
	  "17:76: error: image 'app': factory 'f' has role raw; give it "
	  "'role: factory'" },
	{ "factory_for_a_swap_image",
	  FLASH_HEAD GOOD_PARTS "      f: { size: 128K, role: factory }\n" RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, factory: f }\n",
	  "17:71: error: image 'app': a factory image is installed by the "
	  "overwrite strategy only" },
	{ "swap_staging_slot_without_save_room",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      st: { size: 16K, role: boot-state }\n"
	  "      a: { at: 0x08020000, size: 128K, role: slot }\n"
	  "      b: { size: 128K, role: slot }\n" RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, boot-state: st }\n",
	  "17:3: error: image 'app' has no room for code: slot 'a' is 131072 "
	  "bytes, the header takes 512, the boot state trailer 0 and a swap "
	  "needs the staging slot larger than the image by its save room" },
	{ "boot_state_on_small_pages_too_small",
	  "memories:\n  flash:\n    kind: flash\n    base: 0x08000000\n"
	  "    sectors: 1536x128\n    write-unit: 4\n    partitions:\n"
	  "      boot: { size: 16K, role: bootloader, protect: write }\n"
	  "      st: { size: 256, role: boot-state }\n"
	  "      a: { size: 80K, role: slot }\n"
	  "      b: { size: 84K, role: slot }\n" RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, boot-state: st }\n",
	  "17:3: error: image 'app': its boot state 'st' holds 12 records of "
	  "20 bytes, one update needs 29; give 'st' at least 640 bytes" },
	{ "trailer_fills_a_one_sector_slot",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      a: { at: 0x08020000, size: 128K, role: slot }\n"
	  "      b: { size: 128K, role: slot }\n" RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: overwrite, "
	  "ram: ram }\n",
	  "16:3: error: image 'app' has no room for code: slot 'a' is 131072 "
	  "bytes, the header takes 512, the boot state trailer 131072; grow "
	  "the slots" },
	{ "overwrite_needs_a_secondary",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, strategy: overwrite, ram: ram }\n",
	  "16:3: error: image 'app' has no 'secondary': the overwrite strategy "
	  "needs a second slot" },
	{ "primary_on_unmapped_flash",
	  FLASH_HEAD GOOD_PARTS RAM
	  "  spi:\n    kind: external\n    sectors: 64x4K\n    write-unit: 1\n"
	  "    partitions:\n      s: { size: 128K, role: slot }\n"
	  "images:\n  app: { primary: s, secondary: b, strategy: overwrite, "
	  "ram: ram }\n",
	  "22:19: error: image 'app': primary slot 's' is on memory 'spi', "
	  "which code cannot execute from" },
	{ "xip_slot_on_unmapped_flash",
	  FLASH_HEAD GOOD_PARTS RAM
	  "  spi:\n    kind: external\n    sectors: 64x4K\n    write-unit: 1\n"
	  "    partitions:\n      s: { size: 128K, role: slot }\n"
	  "images:\n  app: { primary: a, secondary: s, strategy: xip, "
	  "ram: ram }\n",
	  "22:33: error: image 'app': secondary slot 's' is on memory 'spi', "
	  "which code cannot execute from; an xip image runs from both slots" },
	{ "slot_used_twice",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram }\n  two: { primary: b, secondary: a, strategy: swap, ram: "
	  "ram }\n",
	  "17:19: error: slot 'b' is used by images 'app' and 'two'" },
	{ "two_images_two_strategies",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      st: { size: 16K, role: boot-state }\n"
	  "      a: { at: 0x08020000, size: 128K, role: slot }\n"
	  "      b: { size: 128K, role: slot }\n" RAM
	  "    partitions:\n      r1: { size: 32K }\n      r2: { size: 32K }\n"
	  "  spi:\n    kind: external\n    sectors: 128x4K\n    write-unit: 1\n"
	  "    partitions:\n      c: { size: 128K, role: slot }\n"
	  "      d: { size: 256K, role: slot }\n"
	  "images:\n"
	  "  one: { primary: a, secondary: c, strategy: overwrite, ram: r1, "
	  "boot-state: st }\n"
	  "  two: { primary: b, secondary: d, strategy: swap, ram: r2, "
	  "boot-state: st }\n",
	  "28:46: error: image 'two' uses strategy swap but image 'one' "
	  "overwrite: the bootloader installs every image of a device the "
	  "same way" },
	{ "two_images_two_boot_states",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      st: { size: 16K, role: boot-state }\n"
	  "      a: { at: 0x08020000, size: 128K, role: slot }\n"
	  "      b: { size: 128K, role: slot }\n" RAM
	  "    partitions:\n      r1: { size: 32K }\n      r2: { size: 32K }\n"
	  "  spi:\n    kind: external\n    sectors: 64x4K\n    write-unit: 1\n"
	  "    partitions:\n      c: { size: 128K, role: slot }\n"
	  "      d: { size: 128K, role: slot }\n"
	  "images:\n"
	  "  one: { primary: a, secondary: c, strategy: overwrite, ram: r1, "
	  "boot-state: st }\n"
	  "  two: { primary: b, secondary: d, strategy: overwrite, ram: r2 }\n",
	  "28:3: error: images 'one' and 'two' need one boot state between "
	  "them" },
	{ "header_not_vector_aligned",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, header: 0x120 }\n",
	  "16:70: error: image 'app': header 0x120 must be at least 32 bytes" },
	{ "no_room_for_header_and_boot_state",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      a: { size: 16K, role: slot }\n"
	  "      b: { size: 16K, role: slot }\n" RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, header: 16K }\n",
	  "16:70: error: image 'app' has no room for code: slot 'a' is 16384 "
	  "bytes, the header takes 16384, the boot state trailer 16384" },
	{ "boot_state_with_wrong_role",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, boot-state: boot }\n",
	  "16:3: error: image 'app': boot-state 'boot' has role bootloader" },
	{ "image_ram_on_flash",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "boot }\n",
	  "16:57: error: image 'app': 'ram' names partition 'boot', which is "
	  "on flash memory 'flash', not RAM" },
	{ "module_in_a_slot",
	  FLASH_HEAD GOOD_PARTS RAM
	  "modules:\n  lib: { flash: b }\n",
	  "16:3: error: module 'lib' lives in 'b', which has role slot" },
	{ "module_rams_overlap",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      m1: { at: 0x08020000, size: 128K, role: module }\n"
	  "      m2: { size: 128K, role: module }\n" RAM
	  "    partitions:\n      lib-ram: { size: 4K }\n"
	  "modules:\n  one: { flash: m1, ram: lib-ram }\n"
	  "  two: { flash: m2, ram: lib-ram }\n",
	  "19:26: error: the RAM of module 'two' ('lib-ram') overlaps the RAM "
	  "of module 'one' ('lib-ram')" },
	{ "module_ram_inside_app_ram",
	  FLASH_HEAD
	  "      boot: { size: 32K, role: bootloader, protect: write }\n"
	  "      a: { at: 0x08020000, size: 128K, role: slot }\n"
	  "      m: { size: 128K, role: module }\n"
	  "  spi:\n    kind: external\n    sectors: 32x4K\n    write-unit: 1\n"
	  "    partitions:\n      b: { size: 128K, role: slot }\n" RAM
	  "    partitions:\n      lib-ram: { at: 0x2000F000, size: 4K }\n"
	  "modules:\n  lib: { flash: m, ram: lib-ram }\n"
	  "images:\n  app: { primary: a, secondary: b, strategy: overwrite, "
	  "ram: ram, modules: lib }\n",
	  "26:62: error: the RAM of image 'app' (0x20000000..0x20010000) "
	  "overlaps the RAM of its module 'lib' ('lib-ram', "
	  "0x2000F000..0x20010000)" },
	{ "unknown_module_suggests",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, modules: [usrlb] }\n",
	  "16:72: error: image 'app': no module named 'usrlb'" },
	{ "ram_load_without_load",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: ram-load, "
	  "ram: ram }\n",
	  "16:46: error: image 'app': strategy ram-load needs 'load', the RAM "
	  "partition or memory the bootloader copies the image into" },
	{ "load_on_a_swap_image",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: swap, ram: "
	  "ram, load: ram }\n",
	  "16:68: error: image 'app': 'load' is for strategy ram-load" },
	{ "load_ram_too_small",
	  FLASH_HEAD GOOD_PARTS RAM
	  "  tiny:\n    kind: ram\n    base: 0x30000000\n    size: 1K\n"
	  "images:\n  app: { primary: a, secondary: b, strategy: ram-load, "
	  "ram: ram, load: tiny }\n",
	  "20:72: error: image 'app': 'load' RAM 'tiny' (1024 bytes) has no "
	  "room for code after the 0x200-byte header" },
	{ "load_ram_is_the_data_ram",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: ram-load, "
	  "ram: ram, load: ram }\n",
	  "16:72: error: image 'app': 'load' RAM 'ram' (0x20000000..0x20010000) "
	  "overlaps its 'ram' 'ram'" },
	{ "load_names_a_flash_partition",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: ram-load, "
	  "ram: ram, load: b }\n",
	  "16:72: error: image 'app': 'load' names partition 'b', which is on "
	  "flash memory 'flash', not RAM" },
	/* strategy none: a plain application, no bootloader */
	{ "plain_image_with_secondary",
	  FLASH_HEAD PLAIN_PARTS
	  "      b: { size: 128K, role: slot }\n" RAM
	  "images:\n  app: { primary: a, secondary: b, strategy: none, "
	  "ram: ram }\n",
	  "16:33: error: image 'app': strategy none has no 'secondary' (no "
	  "bootloader receives an update into a second slot)" },
	{ "plain_image_with_boot_state",
	  FLASH_HEAD PLAIN_PARTS RAM
	  "images:\n  app: { primary: a, boot-state: trailer, strategy: none, "
	  "ram: ram }\n",
	  "15:34: error: image 'app': strategy none has no 'boot-state' (no "
	  "bootloader keeps a boot state for it)" },
	{ "plain_image_with_factory",
	  FLASH_HEAD PLAIN_PARTS RAM
	  "images:\n  app: { primary: a, factory: dev, strategy: none, "
	  "ram: ram }\n",
	  "15:31: error: image 'app': strategy none has no 'factory' (no "
	  "bootloader installs a factory image)" },
	{ "plain_image_beside_a_bootloader_partition",
	  FLASH_HEAD GOOD_PARTS RAM
	  "images:\n  app: { primary: a, strategy: none, ram: ram }\n",
	  "16:32: error: image 'app' has no bootloader (strategy none) but "
	  "partition 'boot' has role bootloader: that bootloader would not "
	  "know the image" },
	{ "plain_image_beside_a_bootloader_managed_one",
	  FLASH_HEAD
	  "      a: { size: 128K, role: slot }\n"
	  "      b: { size: 256K, role: slot }\n"
	  "      c: { size: 128K, role: slot }\n" RAM
	  "images:\n  app: { primary: a, strategy: none, ram: ram }\n"
	  "  net: { primary: b, secondary: c, strategy: overwrite, "
	  "ram: ram }\n",
	  "16:32: error: image 'app' has no bootloader (strategy none) but "
	  "image 'net' is installed by one (overwrite): that bootloader would "
	  "not know 'app'" },
	{ "plain_image_header_not_aligned_for_vtor",
	  FLASH_HEAD PLAIN_PARTS RAM
	  "images:\n  app: { primary: a, strategy: none, header: 0x40, "
	  "ram: ram }\n",
	  "15:46: error: image 'app': header 0x40 must be a multiple of 128" },
	{ "release_stub_not_64k_aligned",
	  DUAL("", "{ stub: 0x08012000, mailbox: ipc }"),
	  "24:112: error: image 'cm4': release stub 0x08012000 is not a "
	  "multiple of 64K: the STM32H7's boot address option (BOOT_CM4_ADD0) "
	  "holds address bits 31:16" },
	{ "release_stub_on_the_bootloaders_vector_table",
	  DUAL("", "{ stub: 0x08000000, mailbox: ipc }"),
	  "24:112: error: image 'cm4': release stub 0x08000000 is the start "
	  "of 'boot', where the bootloader's own vector table is" },
	{ "release_stub_outside_the_bootloader",
	  DUAL("", "{ stub: 0x08030000, mailbox: ipc }"),
	  "24:112: error: image 'cm4': release stub 0x08030000 is not in a "
	  "partition of role bootloader (it is in a7)" },
	{ "release_mailbox_not_shared",
	  DUAL("", "{ stub: 0x08010000, mailbox: r4 }"),
	  "24:133: error: image 'cm4': release mailbox 'r4' must be in the "
	  "'uses' of both 'cm7' and 'cm4'" },
	{ "release_mailbox_in_flash",
	  DUAL("", "{ stub: 0x08010000, mailbox: a4 }"),
	  "24:133: error: image 'cm4': release mailbox 'a4' is on flash "
	  "memory 'flash'; name a RAM partition" },
	{ "release_without_stub", DUAL("", "{ mailbox: ipc }"),
	  "24:104: error: 'release' of image 'cm4' has no 'stub'" },
	{ "release_without_mailbox", DUAL("", "{ stub: 0x08010000 }"),
	  "24:104: error: 'release' of image 'cm4' has no 'mailbox'" },
	{ "release_unknown_key",
	  DUAL("", "{ stub: 0x08010000, mailbox: ipc, core: m4 }"),
	  "24:138: error: unknown key 'core' in 'release' of image 'cm4'" },
	{ "release_not_a_mapping", DUAL("", "0x08010000"),
	  "24:104: error: 'release' of image 'cm4' must be a mapping" },
	{ "release_of_the_first_image",
	  DUAL(", release: { stub: 0x08010000, mailbox: ipc }",
	       "{ stub: 0x08010000, mailbox: ipc }"),
	  "23:104: error: image 'cm7' is the first image: the bootloader "
	  "runs on its core and jumps into it" },
};

static void run_case(void **state)
{
	const struct bad_case *c = *state;
	struct fk_layout L;
	struct fk_layout_load_opts opts = { 0 };
	char *msg = NULL, expect[512];
	size_t len = 0;
	int rc;

	struct fk_diag sink = capture_sink(open_memstream(&msg, &len));

	opts.diag = &sink;
	opts.no_warnings = true;
	rc = fk_layout_load_buffer("bad.yaml", c->text, strlen(c->text), &L,
				   &opts);
	fclose(sink.ctx);
	snprintf(expect, sizeof(expect), "bad.yaml:%s", c->expect);
	if (rc != FK_EINVAL || !strstr(msg, expect))
		fail_msg("%s: rc %d, expected\n  %s\ngot\n%s", c->name, rc,
			 expect, msg);
	assert_true(L.error_count >= 1);
	free(msg);
}

/* Warnings leave the layout valid but must be printed where they apply. */
static void test_warnings_keep_the_layout_valid(void **state)
{
	static const char text[] = FLASH_HEAD
		"      boot: { size: 16K, role: bootloader, protect: write }\n"
		"      kv: { at: 0x08008000, size: 16K, role: storage }\n"
		"      a: { at: 0x08020000, size: 256K, role: slot }\n"
		"      b: { size: 128K, role: slot }\n" RAM
		"images:\n  app: { primary: a, secondary: b, strategy: "
		"overwrite, ram: ram }\n";
	struct fk_layout L;
	struct fk_layout_load_opts opts = { 0 };
	char *msg = NULL;
	size_t len = 0;

	(void)state;
	struct fk_diag sink = capture_sink(open_memstream(&msg, &len));

	opts.diag = &sink;
	assert_int_equal(fk_layout_load_buffer("w.yaml", text, strlen(text),
					       &L, &opts), 0);
	fclose(sink.ctx);
	assert_int_equal(L.warning_count, 4);
	assert_non_null(strstr(msg, "w.yaml:17:33: warning: image 'app': slots "
				    "'a' (256K) and 'b' (128K) differ in size"));
	assert_non_null(strstr(msg, "w.yaml:9:7: warning: 16K between 'boot' "
				    "and 'kv' (0x08004000..0x08008000) belong "
				    "to no partition"));
	assert_non_null(strstr(msg, "w.yaml:9:7: warning: storage 'kv' has "
				    "only 1 sector"));
	assert_non_null(strstr(msg, "w.yaml:10:7: warning: 80K between 'kv' "
				    "and 'a'"));
	fk_layout_free(&L);
	free(msg);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 1];
	size_t n = 0;

	for (; n < sizeof(cases) / sizeof(cases[0]); n++) {
		tests[n].name = cases[n].name;
		tests[n].test_func = run_case;
		tests[n].setup_func = NULL;
		tests[n].teardown_func = NULL;
		tests[n].initial_state = (void *)&cases[n];
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
		test_warnings_keep_the_layout_valid);
	printf("%zu broken layouts\n", sizeof(cases) / sizeof(cases[0]));
	return _cmocka_run_group_tests("layout_errors", tests, n, NULL, NULL);
}
