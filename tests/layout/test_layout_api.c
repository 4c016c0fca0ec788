/*
 * The host API other commands build on (host/layout/layout.h): loading a
 * real example, lookups by name and address, the geometry handed to the
 * simulator, and the sizes an image lives with.
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

static char example_path[512];

static const char *example(const char *dir)
{
	snprintf(example_path, sizeof(example_path),
		 "%s/examples/%s/layout.yaml", getenv("FK_ROOT"), dir);
	return example_path;
}

static void test_load_f407_resolves_names_and_addresses(void **state)
{
	struct fk_layout L;
	const struct fk_layout_partition *p;
	const struct fk_layout_image *img;

	(void)state;
	assert_int_equal(fk_layout_load(example("stm32f407-sectors"), &L, NULL),
			 0);
	p = fk_layout_find_partition(&L, "app-a");
	assert_non_null(p);
	assert_int_equal(p->address, 0x08020000);
	assert_int_equal(p->size, 384 * 1024);
	assert_int_equal(p->first_sector, 5);
	assert_int_equal(p->sector_count, 3);
	assert_int_equal(p->role, FK_ROLE_SLOT);
	assert_string_equal(fk_layout_partition_memory(&L, p)->name, "flash");
	assert_ptr_equal(fk_layout_partition_at(&L, 0x0807FFFF), p);
	assert_string_equal(fk_layout_partition_at(&L, 0x08080000)->name,
			    "app-b");
	assert_null(fk_layout_partition_at(&L, 0x08100000));
	assert_null(fk_layout_find_partition(&L, "nope"));

	img = fk_layout_find_image(&L, "app");
	assert_non_null(img);
	assert_int_equal(img->strategy, FK_STRATEGY_SWAP);
	assert_int_equal(img->header_size, 0x200);
	assert_int_equal(fk_layout_image_align(&L, img), 4);
	/* dedicated boot state: no trailer; app-b is one 128K sector larger
	 * than app-a, the save room a swap needs, so all of app-a counts */
	assert_int_equal(fk_layout_image_trailer(&L, img), 0);
	assert_int_equal(fk_layout_image_max_payload(&L, img),
			 384 * 1024 - 0x200);
	assert_int_equal(img->ram_count, 2);
	assert_int_equal(img->ram[0].start, 0x20000000);
	assert_int_equal(img->ram[1].start, 0x10000000);
	fk_layout_free(&L);
	assert_null(L.partitions);
}

static void
test_geometry_builds_a_simulator_shaped_like_the_layout(void **state)
{
	struct fk_layout L;
	struct fk_sim_config cfg;
	struct fk_flash_geometry geo;
	struct fk_sim *sim;
	struct fk_sector sec;

	(void)state;
	assert_int_equal(fk_layout_load(example("stm32f407-sectors"), &L, NULL),
			 0);
	assert_int_equal(fk_layout_memory_geometry(
				 fk_layout_find_memory(&L, "sram"), &geo),
			 FK_EINVAL);
	assert_int_equal(
		fk_layout_sim_config(fk_layout_find_memory(&L, "flash"), &cfg),
		0);
	assert_int_equal(cfg.geo.size, 1024 * 1024);
	assert_int_equal(cfg.geo.run_count, 3);
	assert_int_equal(cfg.geo.write_unit, 4);
	assert_int_equal(cfg.timing.program_us_per_unit, 16);
	sim = fk_sim_create(&cfg);
	assert_non_null(sim);
	assert_int_equal(fk_flash_sector_count(fk_sim_flash(sim)), 12);
	assert_int_equal(fk_flash_sector_at(fk_sim_flash(sim), 0x10000, &sec),
			 0);
	assert_int_equal(sec.size, 64 * 1024);
	assert_int_equal(sec.index, 4);
	fk_sim_destroy(sim);
	fk_layout_free(&L);
}

/* docs/boot-state.md: a record slot is 20 bytes rounded up to the write
 * unit; a slot trailer is the slot's whole last sector. */
static void test_trailer_is_the_last_sector_of_the_primary_slot(void **state)
{
	struct fk_layout L;
	const struct fk_layout_image *img;

	(void)state;
	assert_int_equal(fk_layout_trailer_size(1), 20);
	assert_int_equal(fk_layout_trailer_size(8), 24);
	assert_int_equal(fk_layout_trailer_size(32), 32);
	assert_int_equal(fk_layout_load(example("stm32l4-devinfo"), &L, NULL),
			 0);
	img = fk_layout_find_image(&L, "app");
	assert_int_equal(fk_layout_image_trailer(&L, img), 2048);
	/* swap of equal 480K slots of 2K pages: the trailer page leaves
	 * 478K in app-a. The 2K state sector holds 85 records of 24 bytes;
	 * 25 are fixed, so an update may log (85 - 25) / 4 = 15 groups, and
	 * 478K in 15 groups makes groups of 16 pages: app-b keeps 32K of save
	 * room below the new image, which leaves it 448K. */
	assert_int_equal(fk_layout_image_max_payload(&L, img),
			 448 * 1024 - 0x200);
	fk_layout_free(&L);
}

static void test_invalid_layout_is_freed_and_counts_errors(void **state)
{
	static const char text[] =
		"memories:\n"
		"  flash: { kind: flash, base: 0x08000000, sectors: 4x16K,\n"
		"           write-unit: 4,\n"
		"           partitions: { a: { size: 24K }, b: { size: 8K } } "
		"}\n";
	struct fk_layout L;
	struct fk_layout_load_opts opts = { 0 };
	char *msg = NULL;
	size_t msg_len = 0;

	(void)state;
	struct fk_diag sink = capture_sink(open_memstream(&msg, &msg_len));

	opts.diag = &sink;
	assert_int_equal(
		fk_layout_load_buffer("t.yaml", text, strlen(text), &L, &opts),
		FK_EINVAL);
	fclose(sink.ctx);
	assert_int_equal(L.error_count, 2);
	assert_null(L.partitions);
	assert_non_null(strstr(msg, "t.yaml:4:37: error: partition 'a' ends at "
				    "0x08006000, inside sector 1"));
	free(msg);
}

/* A layout of partitions only, no images (a data-only device): it loads,
 * and the checks of the images' boot configuration look at none. They
 * took &images[0] of no array, undefined behaviour that clang's UBSan
 * flags in fuzz_layout (the fuzz build now stops on it); gcc's, in the
 * sanitizer build, does not check a zero offset on NULL. */
static void test_layout_without_images_loads(void **state)
{
	static const char text[] =
		"memories:\n"
		"  flash: { kind: flash, base: 0x08000000, sectors: 4x16K,\n"
		"           write-unit: 4,\n"
		"           partitions: { a: { size: 32K }, b: { size: 32K } } "
		"}\n";
	struct fk_layout L;
	struct fk_layout_load_opts opts = { 0 };

	(void)state;
	assert_int_equal(
		fk_layout_load_buffer("t.yaml", text, strlen(text), &L, &opts),
		FK_OK);
	assert_int_equal(L.image_count, 0);
	assert_int_equal(L.error_count, 0);
	fk_layout_free(&L);
}

/* Placement: after the previous partition in the file, rounded up to
 * `align`; an explicit `at` (bus address) or `offset`; `size: rest`
 * after an explicit start; an unmapped
 * memory whose addresses are offsets and that partition_at never
 * answers for. */
static void test_placement_follows_align_offset_and_rest(void **state)
{
	static const char text[] =
		"memories:\n"
		"  flash:\n"
		"    kind: flash\n"
		"    base: 0x08000000\n"
		"    sectors: 4x16K 1x64K 3x128K\n"
		"    write-unit: 4\n"
		"    partitions:\n"
		"      boot: { size: 16K, role: bootloader, protect: write }\n"
		"      big:  { size: 128K, align: 128K }\n"
		"      low:  { offset: 0x4000, size: 0x0000_C000 }\n"
		"      tail: { at: 0x08040000, size: rest }\n"
		"  spi:\n"
		"    kind: external\n"
		"    sectors: 16x4K\n"
		"    write-unit: 1\n"
		"    partitions:\n"
		"      logs: { at: 0x8000, size: rest, role: storage }\n";
	struct fk_layout L;
	const struct fk_layout_partition *p;
	FILE *quiet = fopen("/dev/null", "w");
	struct fk_diag sink = capture_sink(quiet);
	struct fk_layout_load_opts opts = { .diag = &sink };

	(void)state;
	assert_int_equal(
		fk_layout_load_buffer("p.yaml", text, strlen(text), &L, &opts),
		0);
	fclose(quiet);
	/* sorted by address within the memory, whatever the file order */
	assert_string_equal(L.partitions[0].name, "boot");
	assert_string_equal(L.partitions[1].name, "low");
	assert_string_equal(L.partitions[2].name, "big");
	p = fk_layout_find_partition(&L, "big");
	assert_int_equal(p->address, 0x08020000);
	assert_int_equal(p->first_sector, 5);
	p = fk_layout_find_partition(&L, "low");
	assert_int_equal(p->address, 0x08004000);
	assert_int_equal(p->size, 0xC000);
	assert_int_equal(p->sector_count, 3);
	p = fk_layout_find_partition(&L, "tail");
	assert_int_equal(p->address, 0x08040000);
	assert_int_equal(p->size, 256 * 1024);
	p = fk_layout_find_partition(&L, "logs");
	assert_int_equal(p->offset, 0x8000);
	assert_int_equal(p->address, 0x8000);
	assert_int_equal(p->size, 32 * 1024);
	assert_int_equal(p->first_sector, 8);
	assert_false(fk_layout_find_memory(&L, "spi")->mapped);
	assert_false(fk_layout_find_memory(&L, "spi")->xip);
	assert_ptr_equal(fk_layout_partition_at(&L, 0x8000),
			 NULL); /* an offset on spi, not a bus address */
	/* sector 4 (64K) between low and big belongs to nobody */
	assert_int_equal(L.warning_count, 1);
	fk_layout_free(&L);
}

/* The dedicated boot state removes the trailer from the payload. */
static void test_dedicated_boot_state_gives_the_trailer_back(void **state)
{
	static const char text[] =
		"memories:\n"
		"  flash:\n"
		"    kind: flash\n"
		"    base: 0\n"
		"    sectors: 64x4K\n"
		"    write-unit: 8\n"
		"    partitions:\n"
		"      boot:  { size: 16K, role: bootloader, protect: write }\n"
		"      a:     { size: 64K, role: slot }\n"
		"      b:     { size: 48K, role: slot }\n"
		"      state: { size: 8K, role: boot-state }\n"
		"  ram: { kind: ram, base: 0x20000000, size: 16K }\n"
		"images:\n"
		"  app: { primary: a, secondary: b, strategy: overwrite,\n"
		"         boot-state: state, ram: ram }\n";
	struct fk_layout L;
	const struct fk_layout_image *img;
	FILE *quiet = fopen("/dev/null", "w");
	struct fk_diag sink = capture_sink(quiet);
	struct fk_layout_load_opts opts = { .diag = &sink };

	(void)state;
	assert_int_equal(
		fk_layout_load_buffer("b.yaml", text, strlen(text), &L, &opts),
		0);
	fclose(quiet);
	img = fk_layout_find_image(&L, "app");
	assert_int_equal(img->boot_state,
			 fk_layout_find_partition(&L, "state") - L.partitions);
	assert_int_equal(fk_layout_image_trailer(&L, img), 0);
	/* the smaller slot counts: 48K less the default 0x200 header */
	assert_int_equal(fk_layout_image_max_payload(&L, img),
			 48 * 1024 - 0x200);
	assert_int_equal(fk_layout_image_align(&L, img), 8);
	/* the slots differ in size: one warning (wasted 16K) */
	assert_int_equal(L.warning_count, 1);
	fk_layout_free(&L);
}

/* Bytes of a user's file are escaped in every message: a raw ESC or a
 * lone 0x89 would otherwise drive (or garble) the terminal. */
static void test_diag_format_escapes_control_and_invalid_bytes(void **state)
{
	struct fk_pos at = { "f\x1b.yaml", 3, 4 };
	char line[256];

	(void)state;
	assert_string_equal(fk_diag_format(line, sizeof(line), FK_DIAG_ERROR,
					   &at,
					   "bad \x1b[31m\x89PNG h\xc3\xa9"),
			    "f\\x1b.yaml:3:4: error: bad \\x1b[31m\\x89PNG "
			    "h\xc3\xa9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_diag_format_escapes_control_and_invalid_bytes),
		cmocka_unit_test(test_load_f407_resolves_names_and_addresses),
		cmocka_unit_test(
			test_geometry_builds_a_simulator_shaped_like_the_layout),
		cmocka_unit_test(
			test_trailer_is_the_last_sector_of_the_primary_slot),
		cmocka_unit_test(
			test_invalid_layout_is_freed_and_counts_errors),
		cmocka_unit_test(test_layout_without_images_loads),
		cmocka_unit_test(test_placement_follows_align_offset_and_rest),
		cmocka_unit_test(
			test_dedicated_boot_state_gives_the_trailer_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
