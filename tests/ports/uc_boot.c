/*
 * Board bootloaders under Unicorn (uc_boot.h): the harness set up for a
 * program run from reset, plain-memory windows, and the run from a
 * vector table that resumes over WFE/WFI, the signed firmware and the
 * layout-and-folder fixture of the board tests.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uc_boot.h"

#define MAX_WINDOWS 8
#define SCS_SIZE 0x1000u

struct window {
	struct uc_boot *b;
	uint32_t base;
	uint8_t *data;
	uc_boot_store_fn on_store;
	void *ctx;
};

struct uc_boot {
	struct uc *uc;
	uint64_t budget;
	struct window win[MAX_WINDOWS];
	unsigned win_count;
	uint8_t *scs;
};

static uint32_t window_read(void *ctx, uint32_t off, unsigned size)
{
	struct window *w = ctx;
	uint32_t v = 0;

	memcpy(&v, w->data + off, size);
	return v;
}

static void window_write(void *ctx, uint32_t off, unsigned size, uint32_t value)
{
	struct window *w = ctx;

	memcpy(w->data + off, &value, size);
	if (w->on_store)
		w->on_store(w->ctx, w->base + off, size, value);
}

uint8_t *uc_boot_memory(struct uc_boot *b, const char *name, uint32_t base,
			uint32_t size, uc_boot_store_fn on_store, void *ctx)
{
	struct window *w;
	struct uc_periph p = { .name = name,
			       .base = base,
			       .size = size,
			       .read = window_read,
			       .write = window_write };

	if (b->win_count == MAX_WINDOWS)
		return NULL;
	w = &b->win[b->win_count];
	*w = (struct window){ b, base, calloc(1, size), on_store, ctx };
	p.ctx = w;
	if (!w->data || uc_add_periph(b->uc, &p) != 0) {
		free(w->data);
		return NULL;
	}
	b->win_count++;
	return w->data;
}

struct uc_boot *uc_boot_create(const struct uc_boot_config *cfg)
{
	struct uc_boot *b = calloc(1, sizeof(*b));
	struct uc_config uc = { .elf = cfg->elf,
				.cpu = cfg->cpu,
				.budget = 1, /* uc_boot_run sets its own */
				.rom_base = cfg->rom_base,
				.rom_size = cfg->rom_size,
				.ram_base = cfg->ram_base,
				.ram_size = cfg->ram_size,
				.from_reset = true };

	if (!b)
		return NULL;
	b->budget = cfg->budget ? cfg->budget : UC_BOOT_BUDGET;
	uc.budget = b->budget;
	b->uc = uc_create(&uc);
	if (b->uc)
		b->scs = uc_boot_memory(b, "SCS", UC_BOOT_SCS, SCS_SIZE, NULL,
					NULL);
	if (!b->scs) {
		uc_boot_destroy(b);
		return NULL;
	}
	return b;
}

struct uc_boot *uc_boot_create_for(const char *elf, const char *cpu,
				   const struct fk_layout_partition *boot,
				   const struct fk_layout_image *img)
{
	const struct uc_boot_config cfg = {
		.elf = elf,
		.cpu = cpu,
		.rom_base = boot->address,
		.rom_size = boot->size,
		.ram_base = img->ram[0].start,
		.ram_size = img->ram[0].size,
	};

	return uc_boot_create(&cfg);
}

void uc_boot_destroy(struct uc_boot *b)
{
	if (!b)
		return;
	uc_destroy(b->uc);
	for (unsigned i = 0; i < b->win_count; i++)
		free(b->win[i].data);
	free(b);
}

struct uc *uc_boot_uc(struct uc_boot *b)
{
	return b->uc;
}

enum uc_run uc_boot_run(struct uc_boot *b, uint32_t vt, uint32_t lo,
			uint32_t hi, uint32_t max_waits,
			struct uc_boot_exit *out)
{
	uint32_t table[2] = { 0, 0 }, pc;
	struct uc_core core;
	enum uc_run r;

	memset(out, 0, sizeof(*out));
	if (uc_read_mem(b->uc, vt, table, sizeof(table)) != 0) {
		uc_violation(b->uc, "vector table 0x%08x: not in ROM", vt);
		return out->run = UC_RUN_VIOLATION;
	}
	r = uc_run_code(b->uc, table[0], table[1], lo, hi, &pc);
	while (r == UC_RUN_WAIT && out->waits < max_waits) {
		out->waits++;
		r = uc_run_code(b->uc, 0, pc, lo, hi, &pc);
	}
	if (r == UC_RUN_WAIT)
		out->waits++;
	uc_core_read(b->uc, &core);
	out->run = r;
	out->pc = pc;
	out->msp = core.msp;
	out->control = core.control;
	memcpy(&out->vtor, b->scs + (UC_BOOT_VTOR - UC_BOOT_SCS),
	       sizeof(out->vtor));
	return r;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n = -1;

	if (f && fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (n > 0 && fseek(f, 0, SEEK_SET) == 0)
		data = malloc((size_t)n);
	if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
	}
	if (f)
		fclose(f);
	if (!data)
		fprintf(stderr, "uc_boot: cannot read %s\n", path);
	*len = data ? (size_t)n : 0;
	return data;
}

/* Whether payload byte i of fw is in one of its runs of 0xFF. */
static bool in_ff_run(const struct uc_boot_firmware *fw, uint32_t i)
{
	if (i - fw->ff_off < fw->ff_len)
		return true;
	for (unsigned k = 0; k < fw->ff_count; k++) {
		if (i - fw->ff[k].off < fw->ff[k].len)
			return true;
	}
	return false;
}

uint8_t *uc_boot_signed_image(const struct uc_boot_firmware *fw, size_t *len)
{
	char bin[256], out[256], key[280], cmd[2048];
	uint8_t *payload = malloc(fw->size);
	FILE *f;
	bool ok;

	if (!payload || fw->size < 8)
		goto fail;
	for (uint32_t i = 0; i < fw->size; i++)
		payload[i] = in_ff_run(fw, i) ?
				     0xFF :
				     (uint8_t)(i * fw->mul + fw->add);
	memcpy(payload, &fw->sp, 4);
	memcpy(payload + 4, &fw->pc, 4);
	snprintf(bin, sizeof(bin), "%s/%s.bin", fw->dir, fw->image);
	snprintf(out, sizeof(out), "%s/%s-%s%s.img", fw->dir, fw->image,
		 fw->version, fw->pending ? "-pending" : "");
	f = fopen(bin, "wb");
	ok = f && fwrite(payload, 1, fw->size, f) == fw->size;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		goto fail;
	snprintf(key, sizeof(key), fw->key ? "-k '%s'" : "%s",
		 fw->key ? fw->key : "");
	snprintf(cmd, sizeof(cmd),
		 "'%s' image sign --layout '%s' --image %s %s -v %s "
		 "--pad-header %s %s '%s' '%s' >/dev/null",
		 fw->flashkit, fw->layout, fw->image, key, fw->version,
		 fw->pending ? "--pending test" : "",
		 fw->extra ? fw->extra : "", bin, out);
	if (system(cmd) != 0)
		goto fail;
	free(payload);
	return read_all(out, len);
fail:
	fprintf(stderr, "uc_boot: cannot make the signed %s image\n",
		fw->image);
	free(payload);
	*len = 0;
	return NULL;
}

void uc_boot_no_jump(void *ctx, const struct fk_boot_image_ref *refs,
		     uint32_t count)
{
	(void)ctx;
	(void)refs;
	(void)count;
}

int uc_boot_fixture_open(struct fk_layout *L, const char *path, char *tmp,
			 const char *name)
{
	struct fk_layout_load_opts opts = { 0 };

	if (fk_layout_load(path, L, &opts) != 0)
		return -1;
	snprintf(tmp, 64, "/tmp/fk_%s.XXXXXX", name);
	return mkdtemp(tmp) ? 0 : -1;
}

int uc_boot_fixture_close(struct fk_layout *L, const char *tmp)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	fk_layout_free(L);
	return system(cmd) == 0 ? 0 : -1;
}
