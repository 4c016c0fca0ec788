/*
 * What `image sign --layout` accepts to wrap (host/image/sign_input.h),
 * on the examples' own layouts: the H745's two cores (swap), the H750's
 * XIP slots on QSPI, and its ram-load variant. Firmware linked for
 * another image, for the other slot of a swap image, one header off, or
 * already an image is refused with the reason (with --resign: no image, or
 * a damaged one); XIP firmware lands in the slot it was linked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flashkit/bytes.h"
#include "flashkit/image.h"
#include "image/sign.h"
#include "image/sign_input.h"

static struct fk_layout L;
static struct fk_diag d;
static uint8_t buf[4096];
static struct fk_input in;

static void load(const char *example)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/examples/%s/layout.yaml",
		 getenv("FK_ROOT"), example);
	fk_layout_free(&L);
	assert_int_equal(fk_layout_load(path, &L, NULL), 0);
	memset(&d, 0, sizeof(d));
}

static uint32_t part_addr(const char *name)
{
	const struct fk_layout_partition *p =
		fk_layout_find_partition(&L, name);

	assert_non_null(p);
	return p->address;
}

static uint32_t part_index(const char *name)
{
	const struct fk_layout_partition *p =
		fk_layout_find_partition(&L, name);

	assert_non_null(p);
	return (uint32_t)(p - L.partitions);
}

/* An ELF/HEX-like input whose first byte goes to base. */
static struct fk_input *at(uint32_t base)
{
	memset(buf, 0, sizeof(buf));
	in = (struct fk_input){ buf, 1024, true, base, "elf" };
	return &in;
}

/* A raw binary (pad-header) whose reset vector is reset. */
static struct fk_input *bin(uint32_t reset)
{
	memset(buf, 0, sizeof(buf));
	fk_put_le32(buf, 0x20001000);
	fk_put_le32(buf + 4, reset);
	in = (struct fk_input){ buf, 1024, false, 0, "bin" };
	return &in;
}

static int check(const char *image, struct fk_input *input, bool pad,
		 struct fk_sign_place *place)
{
	const struct fk_layout_image *img = fk_layout_find_image(&L, image);

	assert_non_null(img);
	memset(&d, 0, sizeof(d));
	return fk_sign_check_place(&L, img, input, pad, place, &d);
}

static void expect_refused(const char *image, struct fk_input *input, bool pad,
			   const char *says)
{
	struct fk_sign_place place;

	assert_int_equal(check(image, input, pad, &place), -1);
	if (!strstr(d.last_text, says))
		fail_msg("'%s' does not say '%s'", d.last_text, says);
}

static void test_h745_cm4_code_is_not_signed_as_cm7(void **state)
{
	struct fk_sign_place place;

	(void)state;
	load("stm32h745-dual-core");
	/* the seed's case: M4 code linked at 0x08100400 given as cm7 */
	expect_refused("cm7", at(part_addr("cm4-a") + 0x400), true,
		       "of image 'cm4', not in image 'cm7'");
	expect_refused("cm7", at(part_addr("cm4-a") + 0x400), true,
		       "sign it as --image cm4");
	/* the same code as cm4, and cm7 code as cm7: accepted */
	assert_int_equal(
		check("cm4", at(part_addr("cm4-a") + 0x400), true, &place), 0);
	assert_int_equal(place.slot, part_index("cm4-a"));
	assert_int_equal(
		check("cm7", at(part_addr("cm7-a") + 0x400), true, &place), 0);
	assert_int_equal(place.run_addr, part_addr("cm7-a") + 0x400);
	/* with room for the header (no --pad-header) it starts at the slot */
	assert_int_equal(check("cm7", at(part_addr("cm7-a")), false, &place),
			 0);
	/* raw binaries, judged by their reset vector */
	expect_refused("cm7", bin(part_addr("cm4-a") + 0x400 + 0x1c5), true,
		       "of image 'cm4'");
	assert_int_equal(check("cm7", bin(part_addr("cm7-a") + 0x400 + 0x1c5),
			       true, &place),
			 0);
	assert_int_equal(place.from_file, true);
	/* a binary without a vector table: the primary slot */
	assert_int_equal(check("cm7", bin(0xffffffff), true, &place), 0);
	assert_int_equal(place.from_file, false);
	assert_int_equal(place.slot, part_index("cm7-a"));
}

static void test_swap_image_linked_for_its_secondary_is_refused(void **state)
{
	(void)state;
	load("stm32h745-dual-core");
	expect_refused("cm7", at(part_addr("cm7-b") + 0x400), true,
		       "runs at 0x");
	expect_refused("cm7", bin(part_addr("cm7-b") + 0x400 + 0x101), true,
		       "runs from slot 'cm7-a'");
}

static void test_one_header_off_names_the_option(void **state)
{
	(void)state;
	load("stm32h745-dual-core");
	/* code at slot + header, but the input is said to hold the room */
	expect_refused("cm7", at(part_addr("cm7-a") + 0x400), false,
		       "add --pad-header");
	/* the room is there, but --pad-header adds another */
	expect_refused("cm7", at(part_addr("cm7-a")), true,
		       "drop --pad-header");
	/* linked nowhere near */
	expect_refused("cm7", at(0x08040000), true, "link it with");
}

static void test_xip_lands_in_the_slot_it_was_linked_for(void **state)
{
	struct fk_sign_place place;

	(void)state;
	load("stm32h750-qspi");
	assert_int_equal(
		check("app", at(part_addr("app-b") + 0x400), true, &place), 0);
	assert_int_equal(place.slot, part_index("app-b"));
	assert_true(place.from_file);
	assert_int_equal(
		check("app", at(part_addr("app-a") + 0x400), true, &place), 0);
	assert_int_equal(place.slot, part_index("app-a"));
	assert_int_equal(check("app", bin(part_addr("app-b") + 0x400 + 0x99),
			       true, &place),
			 0);
	assert_int_equal(place.slot, part_index("app-b"));
	/* inside slot B but not at its code start */
	expect_refused("app", at(part_addr("app-b") + 0x1000), true,
		       "not where its code starts");
}

static void test_ram_load_is_linked_for_its_ram(void **state)
{
	const struct fk_layout_image *img;
	struct fk_sign_place place;

	(void)state;
	load("stm32h750-ram-load");
	img = fk_layout_find_image(&L, "app");
	assert_non_null(img);
	assert_true(img->has_load);
	assert_int_equal(check("app", at(img->load.start + img->header_size),
			       true, &place),
			 0);
	assert_int_equal(place.slot, img->primary);
	assert_int_equal(place.run_addr, img->load.start + img->header_size);
	/* linked for the QSPI slot instead of the RAM */
	expect_refused(
		"app",
		at(L.partitions[img->primary].address + img->header_size), true,
		"link it with");
}

/* A real unsigned image (SHA256 only) of a 300-byte payload of 0x42 with
 * a 0x200-byte header, in buf; returns its length. */
static size_t make_image(void)
{
	uint8_t payload[300];
	struct fk_sign_opts o;
	struct fk_sign_result res;
	size_t len;

	memset(payload, 0x42, sizeof(payload));
	fk_sign_opts_init(&o);
	o.hdr_size = 0x200;
	o.pad_header = true;
	assert_int_equal(fk_sign_image(&o, payload, sizeof(payload), &res), 0);
	assert_true(res.image_len <= sizeof(buf));
	memcpy(buf, res.data, res.image_len);
	len = res.image_len;
	free(res.data);
	return len;
}

static void test_an_image_is_not_wrapped_twice(void **state)
{
	size_t len = make_image();
	struct fk_input i = { buf, len, true, 0x08020000, "hex" };

	(void)state;
	memset(&d, 0, sizeof(d));
	/* an encrypted image: its payload is ciphertext, never re-signed */
	fk_put_le32(buf + 16, FK_IMAGE_F_ENCRYPTED_AES128);
	assert_int_equal(fk_sign_check_not_image(&i, "app.hex", true, &d), -1);
	assert_non_null(strstr(d.last_text, "encrypted"));
	assert_int_equal(i.len, len);
	fk_put_le32(buf + 16, 0);
	assert_int_equal(fk_sign_check_not_image(&i, "app.hex", false, &d), -1);
	assert_non_null(strstr(d.last_text, "already a signed image"));
	assert_non_null(strstr(d.last_text, "--resign"));
	assert_int_equal(i.len, len);
	/* --resign: the payload alone, its address past the header */
	assert_int_equal(fk_sign_check_not_image(&i, "app.hex", true, &d), 0);
	assert_int_equal(i.len, 300);
	assert_int_equal(i.base, 0x08020200);
	assert_int_equal(buf[0], 0x42);
	/* firmware is untouched, and not taken for an image by --resign */
	buf[0] = 0;
	i.len = 300;
	assert_int_equal(fk_sign_check_not_image(&i, "x.bin", false, &d), 0);
	assert_int_equal(i.len, 300);
	assert_int_equal(fk_sign_check_not_image(&i, "x.bin", true, &d), -1);
	assert_non_null(strstr(d.last_text, "x.bin: --resign takes a signed"));
}

static void test_resign_refuses_a_damaged_image(void **state)
{
	size_t len = make_image();
	struct fk_input i = { buf, len, false, 0, "bin" };

	(void)state;
	memset(&d, 0, sizeof(d));
	/* cut short: the header claims more than the file */
	i.len = 0x200 + 200;
	assert_int_equal(fk_sign_check_not_image(&i, "x.bin", true, &d), -1);
	assert_non_null(strstr(d.last_text, "x.bin: not a valid image: "
					    "truncated"));
	assert_int_equal(i.len, 0x200 + 200);
	/* a payload byte changed after signing */
	i.len = len;
	buf[0x200 + 7] ^= 1;
	assert_int_equal(fk_sign_check_not_image(&i, "x.bin", true, &d), -1);
	assert_non_null(strstr(d.last_text, "x.bin: damaged: its digest"));
	assert_int_equal(i.len, len);
}

static int teardown(void **state)
{
	(void)state;
	fk_layout_free(&L);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_h745_cm4_code_is_not_signed_as_cm7),
		cmocka_unit_test(
			test_swap_image_linked_for_its_secondary_is_refused),
		cmocka_unit_test(test_one_header_off_names_the_option),
		cmocka_unit_test(test_xip_lands_in_the_slot_it_was_linked_for),
		cmocka_unit_test(test_ram_load_is_linked_for_its_ram),
		cmocka_unit_test(test_an_image_is_not_wrapped_twice),
		cmocka_unit_test(test_resign_refuses_a_damaged_image),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
