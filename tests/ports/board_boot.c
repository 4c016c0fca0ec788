/*
 * The board bootloader tests' production files, staged updates and
 * power-cut sweeps (board_boot.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board_boot.h"
#include "flashkit/update.h"
#include "formats/formats.h"

int board_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 16, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 16) {
		fprintf(stderr, "board_sh: command too long\n");
		return -1;
	}
	strcat(cmd, " >/dev/null");
	if (system(cmd) != 0) {
		fprintf(stderr, "board_sh: failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

int board_read_hex(const char *path, struct fk_segs *out)
{
	struct fk_read_opts o;
	struct fk_diag d = { 0 };
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n = -1;
	int rc = -1;

	fk_segs_init(out);
	fk_read_opts_init(&o);
	if (f && fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (n > 0 && fseek(f, 0, SEEK_SET) == 0)
		data = malloc((size_t)n);
	if (data && fread(data, 1, (size_t)n, f) == (size_t)n)
		rc = fk_ihex_read(data, (size_t)n, path, &o, out, &d);
	if (f)
		fclose(f);
	free(data);
	if (rc != 0)
		fprintf(stderr, "board_read_hex: %s: %s\n", path,
			d.last_error[0] ? d.last_error : "cannot read");
	return rc;
}

void board_program(const struct fk_flash *f, uint32_t addr, const uint8_t *data,
		   size_t len)
{
	uint32_t unit = f->geo.write_unit;
	uint8_t word[256], erased[256];

	assert_true(unit <= sizeof(word) && addr % unit == 0);
	memset(erased, f->geo.erased_value, sizeof(erased));
	for (size_t off = 0; off < len; off += unit) {
		size_t n = len - off < unit ? len - off : unit;

		memset(word, f->geo.erased_value, unit);
		memcpy(word, data + off, n);
		if (memcmp(word, erased, unit) == 0)
			continue;
		assert_int_equal(
			fk_flash_program(f, addr + (uint32_t)off - f->geo.base,
					 word, unit),
			FK_OK);
	}
}

/* The file's bytes at [addr, addr + len) in the bootloader's partition
 * are the program the core runs: the ROM's bytes, or the merge's fill
 * (the erased value) where the program loads nothing (ROM 0). */
static void check_rom(struct uc_boot *b, uint32_t addr, const uint8_t *data,
		      uint32_t len, uint8_t fill)
{
	uint8_t *rom = malloc(len);

	assert_non_null(rom);
	assert_int_equal(uc_read_mem(uc_boot_uc(b), addr, rom, len), 0);
	for (uint32_t i = 0; i < len; i++)
		if (data[i] != rom[i] && !(data[i] == fill && rom[i] == 0))
			fail_msg("production file at 0x%08x: 0x%02x, the "
				 "bootloader run has 0x%02x",
				 addr + i, data[i], rom[i]);
	free(rom);
}

void board_program_file(struct uc_boot *b, const struct fk_flash *f,
			uint32_t rom_lo, uint32_t rom_hi, const char *path)
{
	struct fk_segs s;
	uint64_t base = f->geo.base, end = base + f->geo.size;

	assert_int_equal(board_read_hex(path, &s), 0);
	for (size_t i = 0; i < s.n; i++) {
		uint64_t a = s.v[i].addr, e = a + s.v[i].len;
		const uint8_t *d = s.v[i].data;

		/* [a, rom_lo) to the flash, [rom_lo, rom_hi) checked, the
		 * rest to the flash */
		if (a < rom_lo) {
			uint64_t n = (e < rom_lo ? e : rom_lo) - a;

			assert_true(a >= base && a + n <= end);
			board_program(f, (uint32_t)a, d, (size_t)n);
			d += n;
			a += n;
		}
		if (a < e && a < rom_hi) {
			uint64_t n = (e < rom_hi ? e : rom_hi) - a;

			check_rom(b, (uint32_t)a, d, (uint32_t)n,
				  f->geo.erased_value);
			d += n;
			a += n;
		}
		if (a < e) {
			assert_true(a >= base && e <= end);
			board_program(f, (uint32_t)a, d, (size_t)(e - a));
		}
	}
	fk_segs_free(&s);
}

const struct fk_flash *board_flash_of(void *ctx, uint32_t mem, char *msg,
				      size_t len)
{
	const struct board_memories *m = ctx;
	const char *name = m->layout->memories[mem].name;

	for (unsigned i = 0; i < BOARD_MEMORIES && m->name[i]; i++)
		if (strcmp(m->name[i], name) == 0)
			return m->flash[i];
	snprintf(msg, len, "no model for memory %s", name);
	return NULL;
}

static const struct board_window *window_of(const struct fk_flash *f)
{
	return f->ctx;
}

static int window_read(const struct fk_flash *f, uint32_t off, void *buf,
		       uint32_t len)
{
	const struct board_window *w = window_of(f);

	return fk_flash_read(w->under, w->off + off, buf, len);
}

static int window_program(const struct fk_flash *f, uint32_t off,
			  const void *buf, uint32_t len)
{
	const struct board_window *w = window_of(f);

	return fk_flash_program(w->under, w->off + off, buf, len);
}

static int window_erase(const struct fk_flash *f, uint32_t off,
			uint32_t sector_size)
{
	const struct board_window *w = window_of(f);

	return fk_flash_erase(w->under, w->off + off, sector_size);
}

void board_window_init(struct board_window *w, const struct fk_flash *under,
		       uint32_t off, uint32_t size)
{
	static const struct fk_flash_ops ops = { window_read, window_program,
						 window_erase };
	uint32_t sector = under->geo.runs[0].size;

	assert_int_equal(under->geo.run_count, 1);
	assert_true(off % sector == 0 && size % sector == 0 &&
		    off + size <= under->geo.size);
	w->under = under;
	w->off = off;
	w->run = (struct fk_sector_run){ size / sector, sector };
	w->flash =
		(struct fk_flash){ .geo = under->geo, .ops = &ops, .ctx = w };
	w->flash.geo.base = under->geo.base + off;
	w->flash.geo.size = size;
	w->flash.geo.runs = &w->run;
}

void board_host_config(const struct fk_layout *layout,
		       const struct fk_layout_image *const *imgs,
		       uint32_t count, const struct fk_layout_flashes *fl,
		       struct fk_boot_config *cfg, uint8_t *buf,
		       uint32_t buf_len)
{
	struct fk_diag d = { 0 };

	memset(cfg, 0, sizeof(*cfg));
	if (fk_layout_boot_config(layout, imgs, count, fl, cfg, &d) != 0)
		fail_msg("host configuration: %s", d.last_error);
	cfg->buf = buf;
	cfg->buf_len = buf_len;
	cfg->port.jump = uc_boot_no_jump;
}

void board_stage(const struct fk_boot_config *cfg, uint32_t img,
		 const uint8_t *data, size_t len, uint32_t piece,
		 enum fk_boot_mode mode)
{
	struct fk_update u;

	assert_int_equal(fk_update_begin(&u, cfg, img), FK_OK);
	for (size_t off = 0; off < len; off += piece) {
		uint32_t n = len - off < piece ? (uint32_t)(len - off) : piece;

		assert_int_equal(
			fk_update_write(&u, (uint32_t)off, data + off, n),
			FK_OK);
	}
	assert_int_equal(fk_update_finish(&u), FK_OK);
	assert_int_equal(fk_boot_set_pending(cfg, 1u << img, mode), FK_OK);
}

/* ---- power cuts ---- */

void board_sweep_run(struct board_sweep *sw)
{
	struct fk_sim_snapshot *saved = fk_sim_snapshot_take(sw->sim), *done;
	uint64_t start = fk_sim_op_index(sw->sim);
	struct uc_boot_exit x;
	char after[128];

	assert_non_null(saved);
	sw->run(sw->ctx, &x);
	sw->ops = fk_sim_op_index(sw->sim) - start;
	done = fk_sim_snapshot_take(sw->sim);
	assert_non_null(done);
	snprintf(after, sizeof(after), " (%s, uninterrupted)", sw->what);
	sw->check(sw->ctx, &x, after);
	for (uint64_t op = 0; op < sw->ops; op++) {
		for (int k = FK_CUT_BEFORE; k <= FK_CUT_TORN; k++) {
			fk_sim_snapshot_restore(sw->sim, saved);
			fk_sim_schedule_cut(sw->sim, start + op,
					    (enum fk_cut_kind)k, FK_TEAR_SEEDED,
					    op * 3u + (uint64_t)k);
			if (sw->run(sw->ctx, &x) != UC_RUN_POWER)
				fail_msg("%s, cut at operation %llu (kind "
					 "%d): %s at 0x%08x",
					 sw->what, (unsigned long long)op, k,
					 uc_run_name(x.run), x.pc);
			fk_sim_cancel_cut(sw->sim);
			fk_sim_reboot(sw->sim);
			snprintf(after, sizeof(after),
				 " after %s cut at operation %llu (kind %d)",
				 sw->what, (unsigned long long)op, k);
			sw->run(sw->ctx, &x);
			sw->check(sw->ctx, &x, after);
			sw->cuts++;
		}
	}
	fk_sim_snapshot_restore(sw->sim, done);
	fk_sim_snapshot_free(done);
	fk_sim_snapshot_free(saved);
	printf("%s: %u cuts (of %llu operations), each followed by the "
	       "expected boots\n",
	       sw->what, sw->cuts, (unsigned long long)sw->ops);
	assert_true(sw->ops > 0);
}
