/*
 * The hardware rules a layout must keep, checked on the resolved model:
 * partitions inside their memory, not overlapping, on erase-sector
 * boundaries; roles on the right kind of memory; a protected bootloader;
 * slots an install strategy can use; room for header and boot state;
 * RAM of modules apart from each other and from the images that call
 * them. Each message names the things involved and says what to change.
 *
 * Warnings (space no partition uses, slots of different sizes, a store
 * with a single sector) do not make the layout invalid.
 */
#include <string.h>

#include "layout_internal.h"

static uint64_t end_of(const struct fk_layout_partition *p)
{
	return (uint64_t)p->address + p->size;
}

static const struct fk_pos *later(const struct fk_pos *a,
				  const struct fk_pos *b)
{
	if (a->line != b->line)
		return a->line > b->line ? a : b;
	return a->col > b->col ? a : b;
}

static void check_memories(const struct fk_layout *L, struct fk_diag *d)
{
	for (uint32_t i = 0; i < L->memory_count; i++) {
		const struct fk_layout_memory *a = &L->memories[i];

		for (uint32_t j = 0; j < i && a->mapped; j++) {
			const struct fk_layout_memory *b = &L->memories[j];

			if (!b->mapped ||
			    a->base >= (uint64_t)b->base + b->size ||
			    b->base >= (uint64_t)a->base + a->size)
				continue;
			fk_diag_error(
				d, &a->pos,
				"memory '%s' (0x%08X..0x%08llX) "
				"overlaps memory '%s' (0x%08X..0x%08llX); "
				"check the bases in the datasheet's "
				"memory map",
				a->name, a->base,
				(unsigned long long)a->base + a->size, b->name,
				b->base, (unsigned long long)b->base + b->size);
		}
	}
}

static bool inside_memory(const struct fk_layout *L,
			  const struct fk_layout_partition *p,
			  struct fk_diag *d)
{
	const struct fk_layout_memory *mem = &L->memories[p->memory];
	char a[32], b[32];

	if ((uint64_t)p->offset + p->size <= mem->size)
		return true;
	if (p->offset >= mem->size)
		fk_diag_error(
			d, &p->pos_at,
			"partition '%s' starts at 0x%08X, "
			"outside memory '%s' (0x%08X..0x%08llX); move it "
			"inside",
			p->name, p->address, mem->name,
			mem->mapped ? mem->base : 0,
			(unsigned long long)(mem->mapped ? mem->base : 0) +
				mem->size);
	else
		fk_diag_error(
			d, &p->pos_size,
			"partition '%s' (0x%08X..0x%08llX) "
			"ends %s past the end of memory '%s' "
			"(0x%08llX); shrink it to %s",
			p->name, p->address, (unsigned long long)end_of(p),
			fk_layout_fmt_size(a, sizeof(a),
					   (uint64_t)p->offset + p->size -
						   mem->size),
			mem->name,
			(unsigned long long)(mem->mapped ? mem->base : 0) +
				mem->size,
			fk_layout_fmt_size(b, sizeof(b),
					   mem->size - p->offset));
	return false;
}

/* The sector of mem cut by offset off, and the nearest boundaries. */
static void report_cut(const struct fk_layout_memory *mem,
		       const struct fk_layout_partition *p, uint32_t off,
		       bool is_start, struct fk_diag *d)
{
	uint32_t idx, start, size;
	uint32_t base = mem->mapped ? mem->base : 0;
	char s[32];

	fk_layout_sector_at(mem, off, &idx, &start, &size);
	if (is_start)
		fk_diag_error(d, &p->pos_at,
			      "partition '%s' starts at 0x%08X, "
			      "inside sector %u of '%s' (0x%08X..0x%08X, %s); "
			      "erasing it would erase its neighbour too: start "
			      "it at 0x%08X or 0x%08X",
			      p->name, base + off, idx, mem->name, base + start,
			      base + start + size,
			      fk_layout_fmt_size(s, sizeof(s), size),
			      base + start, base + start + size);
	else if (start <= p->offset)
		fk_diag_error(d, &p->pos_size,
			      "partition '%s' ends at 0x%08X, "
			      "inside sector %u of '%s' (0x%08X..0x%08X, %s); "
			      "end it at 0x%08X (size 0x%X)",
			      p->name, base + off, idx, mem->name, base + start,
			      base + start + size,
			      fk_layout_fmt_size(s, sizeof(s), size),
			      base + start + size, start + size - p->offset);
	else
		fk_diag_error(d, &p->pos_size,
			      "partition '%s' ends at 0x%08X, "
			      "inside sector %u of '%s' (0x%08X..0x%08X, %s); "
			      "end it at 0x%08X (size 0x%X) or 0x%08X (size "
			      "0x%X)",
			      p->name, base + off, idx, mem->name, base + start,
			      base + start + size,
			      fk_layout_fmt_size(s, sizeof(s), size),
			      base + start, start - p->offset,
			      base + start + size, start + size - p->offset);
}

static bool flash_role(enum fk_layout_role role)
{
	return role != FK_ROLE_RAM;
}

static void check_partition(const struct fk_layout *L,
			    const struct fk_layout_partition *p,
			    struct fk_diag *d)
{
	const struct fk_layout_memory *mem = &L->memories[p->memory];

	if (!inside_memory(L, p, d))
		return;
	if (mem->kind == FK_MEM_RAM && flash_role(p->role) &&
	    p->role != FK_ROLE_RAW) {
		fk_diag_error(d, &p->pos,
			      "partition '%s' has role %s but lives "
			      "in RAM memory '%s'; move it to a flash memory",
			      p->name, fk_layout_role_name(p->role), mem->name);
		return;
	}
	if (mem->kind != FK_MEM_RAM && p->role == FK_ROLE_RAM) {
		fk_diag_error(d, &p->pos,
			      "partition '%s' has role ram but lives "
			      "in %s memory '%s'; RAM partitions go under a "
			      "'kind: ram' memory",
			      p->name, fk_layout_kind_name(mem->kind),
			      mem->name);
		return;
	}
	if (mem->kind != FK_MEM_RAM) {
		if (!fk_layout_is_boundary(mem, p->offset))
			report_cut(mem, p, p->offset, true, d);
		if (!fk_layout_is_boundary(mem, p->offset + p->size))
			report_cut(mem, p, p->offset + p->size, false, d);
	}
	if (p->role == FK_ROLE_BOOTLOADER && p->protect == FK_PROTECT_NONE)
		fk_diag_error(d, &p->pos_protect,
			      "bootloader '%s' is not "
			      "protected: a bug or an interrupted update could "
			      "erase it and brick the device; add 'protect: "
			      "write' (and set the part's write protection, "
			      "e.g. WRP option bytes)",
			      p->name);
	if (p->role == FK_ROLE_STORAGE && mem->kind != FK_MEM_RAM &&
	    p->sector_count < 2)
		fk_diag_warning(d, &p->pos,
				"storage '%s' has only %u sector: a "
				"store must erase a sector to reclaim space, "
				"and a power cut during that erase loses "
				"everything; give it at least 2 sectors",
				p->name, p->sector_count);
}

static void check_partitions(const struct fk_layout *L, struct fk_diag *d)
{
	const struct fk_layout_partition *prev = NULL;

	for (uint32_t i = 0; i < L->partition_count; i++) {
		const struct fk_layout_partition *p = &L->partitions[i];

		check_partition(L, p, d);
		if (prev && prev->memory != p->memory)
			prev = NULL;
		if (prev && end_of(prev) > p->address) {
			const struct fk_pos *at = later(&prev->pos, &p->pos);
			char s[32];

			fk_diag_error(
				d, at,
				"partitions '%s' (0x%08X..0x%08llX) "
				"and '%s' (0x%08X..0x%08llX) overlap by "
				"%s; move or shrink one of them",
				prev->name, prev->address,
				(unsigned long long)end_of(prev), p->name,
				p->address, (unsigned long long)end_of(p),
				fk_layout_fmt_size(s, sizeof(s),
						   (end_of(prev) < end_of(p) ?
							    end_of(prev) :
							    end_of(p)) -
							   p->address));
		} else if (prev && end_of(prev) < p->address) {
			char s[32];

			fk_diag_warning(
				d, &p->pos,
				"%s between '%s' and '%s' "
				"(0x%08llX..0x%08X) belong to no "
				"partition; grow one of them or add a "
				"partition there",
				fk_layout_fmt_size(s, sizeof(s),
						   p->address - end_of(prev)),
				prev->name, p->name,
				(unsigned long long)end_of(prev), p->address);
		}
		if (!prev || end_of(p) > end_of(prev))
			prev = p;
	}
}

static bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

/* A module's image header: none, or an MCUboot header (32 bytes at
 * least) after which the entry table starts 4-aligned, with room left
 * for the table's own header (24 bytes). */
static void check_module_header(const struct fk_layout *L,
				const struct fk_layout_module *m,
				struct fk_diag *d)
{
	const struct fk_layout_partition *f = &L->partitions[m->flash];

	if (!m->header_size)
		return;
	if (m->header_size < 32 || m->header_size % 4)
		fk_diag_error(d, &m->pos_header,
			      "module '%s': header 0x%X is no image header "
			      "(0, or 32 bytes or more, a multiple of 4; "
			      "0x200 is usual)",
			      m->name, m->header_size);
	else if ((uint64_t)m->header_size + 24 > f->size)
		fk_diag_error(d, &m->pos_header,
			      "module '%s': header 0x%X leaves no room for "
			      "the entry table in '%s' (%u bytes)",
			      m->name, m->header_size, f->name, f->size);
}

static void check_modules(const struct fk_layout *L, struct fk_diag *d)
{
	for (uint32_t i = 0; i < L->module_count; i++) {
		const struct fk_layout_module *m = &L->modules[i];
		const struct fk_layout_partition *f = &L->partitions[m->flash];

		if (f->role != FK_ROLE_MODULE)
			fk_diag_error(d, &m->pos,
				      "module '%s' lives in '%s', "
				      "which has role %s; give '%s' 'role: "
				      "module'",
				      m->name, f->name,
				      fk_layout_role_name(f->role), f->name);
		if (!L->memories[f->memory].xip)
			fk_diag_error(d, &m->pos,
				      "module '%s' lives in '%s' on "
				      "memory '%s', which code cannot execute "
				      "from",
				      m->name, f->name,
				      L->memories[f->memory].name);
		check_module_header(L, m, d);
		if (m->ram < 0)
			continue;
		for (uint32_t j = 0; j < i; j++) {
			const struct fk_layout_module *o = &L->modules[j];
			const struct fk_layout_partition *a, *b;

			if (o->ram < 0)
				continue;
			a = &L->partitions[m->ram];
			b = &L->partitions[o->ram];
			if (overlaps(a->address, end_of(a), b->address,
				     end_of(b)))
				fk_diag_error(d, &m->pos_ram,
					      "the RAM of module "
					      "'%s' ('%s') overlaps the RAM of "
					      "module '%s' ('%s'); each module "
					      "needs its own RAM partition",
					      m->name, a->name, o->name,
					      b->name);
		}
	}
}

static void check_slot(const struct fk_layout *L,
		       const struct fk_layout_image *img, uint32_t slot,
		       const struct fk_pos *pos, const char *which,
		       struct fk_diag *d)
{
	const struct fk_layout_partition *p = &L->partitions[slot];
	const struct fk_layout_memory *mem = &L->memories[p->memory];

	if (p->role != FK_ROLE_SLOT)
		fk_diag_error(d, pos,
			      "image '%s': %s '%s' has role %s; a slot "
			      "needs 'role: slot'",
			      img->name, which, p->name,
			      fk_layout_role_name(p->role));
	/* ram-load runs a copy in RAM: its slots may be on any flash */
	if (mem->kind == FK_MEM_RAM || img->strategy == FK_STRATEGY_RAM_LOAD)
		return;
	if (!mem->xip &&
	    (!strcmp(which, "primary") || img->strategy == FK_STRATEGY_XIP))
		fk_diag_error(d, pos,
			      "image '%s': %s slot '%s' is on memory "
			      "'%s', which code cannot execute from; %s",
			      img->name, which, p->name, mem->name,
			      img->strategy == FK_STRATEGY_XIP ?
				      "an xip image runs from both slots, so "
				      "both must be on executable memory" :
				      "put the primary slot on internal or "
				      "memory-mapped flash");
}

static void check_strategy(const struct fk_layout *L,
			   const struct fk_layout_image *img, struct fk_diag *d)
{
	const struct fk_layout_partition *pri = &L->partitions[img->primary];
	const struct fk_layout_partition *sec;
	char a[32], b[32];

	if (img->secondary < 0) {
		fk_diag_error(d, &img->pos,
			      "image '%s' has no 'secondary': the "
			      "%s strategy needs a second slot to receive an "
			      "update into",
			      img->name,
			      fk_layout_strategy_name(img->strategy));
		return;
	}
	sec = &L->partitions[img->secondary];
	if ((uint32_t)img->secondary == img->primary) {
		fk_diag_error(d, &img->pos_secondary,
			      "image '%s' uses '%s' as "
			      "both primary and secondary; give it two slots",
			      img->name, pri->name);
		return;
	}
	check_slot(L, img, (uint32_t)img->secondary, &img->pos_secondary,
		   "secondary", d);
	/* a swap wants its staging slot larger (docs/boot.md, "Sizing") */
	if (pri->size != sec->size && img->strategy != FK_STRATEGY_SWAP)
		fk_diag_warning(d, &img->pos_secondary,
				"image '%s': slots '%s' "
				"(%s) and '%s' (%s) differ in size; an image "
				"must fit the smaller, so the rest of the "
				"larger is wasted",
				img->name, pri->name,
				fk_layout_fmt_size(a, sizeof(a), pri->size),
				sec->name,
				fk_layout_fmt_size(b, sizeof(b), sec->size));
}

/* Placeholders that let fk_boot_config_why() judge a layout's areas: the
 * hooks, keys and buffer are the bootloader's business, not the layout's. */
static void no_jump(void *ctx, const struct fk_boot_image_ref *refs,
		    uint32_t count)
{
	(void)ctx;
	(void)refs;
	(void)count;
}

static const struct fk_crypto_port no_crypto;
static const struct fk_image_keys no_keys = { .crypto = &no_crypto,
					      .keys = NULL,
					      .count = 0 };
static uint8_t no_buf[8192]; /* a multiple of any write unit up to 8K */

/* The boot state log must hold one update cycle (docs/boot-state.md,
 * "Capacity"); on small-page parts it spans several pages. Returns true
 * when it does (or the layout has other errors the rest reports). */
static bool check_boot_log(const struct fk_layout *L,
			   const struct fk_layout_image *img, struct fk_diag *d)
{
	const struct fk_layout_partition *state =
		img->boot_state >= 0 ? &L->partitions[img->boot_state] :
				       &L->partitions[img->primary];
	const struct fk_layout_memory *mem = &L->memories[state->memory];
	struct fk_boot_config_why why;
	struct fk_layout_boot view;
	uint32_t rec, index, start, page, per, bytes = 0;

	if (fk_layout_boot_view(L, img, &view))
		return true;
	view.cfg.port.jump = no_jump;
	view.cfg.keys = &no_keys;
	view.cfg.buf = no_buf;
	view.cfg.buf_len = sizeof(no_buf);
	if (fk_boot_config_why(&view.cfg, &why) != FK_ENOSPC ||
	    why.problem != FK_BOOT_CONFIG_LOG_SMALL)
		return true;
	rec = fk_layout_trailer_size(mem->write_unit);
	fk_layout_sector_at(mem, state->offset, &index, &start, &page);
	per = page / rec;
	if (per)
		bytes = (why.need + per - 1) / per * page;
	if (img->boot_state >= 0)
		fk_diag_error(d, &img->pos,
			      "image '%s': its boot state '%s' "
			      "holds %u records of %u bytes, one update needs "
			      "%u; give '%s' at least %u bytes (%u-byte "
			      "sectors; 2 KiB, the most its log spans, makes "
			      "the install's copy groups smallest)",
			      img->name, state->name, why.have, rec, why.need,
			      state->name, bytes, page);
	else
		fk_diag_error(d, &img->pos,
			      "image '%s': the boot state "
			      "trailer of slot '%s' holds %u records of %u "
			      "bytes, one update needs %u; give the boot state "
			      "a partition of at least %u bytes (role "
			      "boot-state)",
			      img->name, state->name, why.have, rec, why.need,
			      bytes);
	return false;
}

/* A plain image (strategy none): the vector table at the partition's
 * start plus the header, aligned for VTOR; some room for code. */
static void check_plain_room(const struct fk_layout *L,
			     const struct fk_layout_image *img,
			     struct fk_diag *d)
{
	const struct fk_layout_partition *p = &L->partitions[img->primary];

	if (img->header_size % 128)
		fk_diag_error(d, &img->pos_header,
			      "image '%s': header 0x%X must be a multiple of "
			      "128, because the vector table that follows it "
			      "must be aligned for VTOR; a plain application "
			      "usually has none (0, the default)",
			      img->name, img->header_size);
	else if (fk_layout_image_max_payload(L, img) == 0)
		fk_diag_error(d, &img->pos_header,
			      "image '%s' has no room for code: partition "
			      "'%s' is %u bytes and the header takes %u; "
			      "grow the partition or drop the header",
			      img->name, p->name, p->size, img->header_size);
}

static bool has_flashkit_bootloader(const struct fk_layout *L)
{
	for (uint32_t i = 0; i < L->partition_count; i++)
		if (L->partitions[i].role == FK_ROLE_BOOTLOADER)
			return true;
	return false;
}

static void check_image_room(const struct fk_layout *L,
			     const struct fk_layout_image *img,
			     struct fk_diag *d)
{
	uint32_t trailer = fk_layout_image_trailer(L, img);

	if (img->strategy == FK_STRATEGY_NONE) {
		check_plain_room(L, img, d);
		return;
	}
	/* header 0: installed by a bootloader flashkit does not build (the
	 * vendor's, a partition of role raw), which takes the bare binary */
	if (img->header_size == 0 && !has_flashkit_bootloader(L))
		return;
	if (img->header_size < 32 || img->header_size % 128) {
		fk_diag_error(d, &img->pos_header,
			      "image '%s': header 0x%X must "
			      "be at least 32 bytes (the image header) and a "
			      "multiple of 128, because the vector table that "
			      "follows it must be aligned for VTOR; 0x200 is "
			      "usual (0 only when a bootloader flashkit does "
			      "not build installs it: give the bootloader "
			      "partition role raw)",
			      img->name, img->header_size);
		return;
	}
	if (!check_boot_log(L, img, d))
		return;
	if (fk_layout_image_max_payload(L, img) == 0) {
		const struct fk_layout_partition *p =
			&L->partitions[img->primary];

		fk_diag_error(
			d, &img->pos_header,
			"image '%s' has no room for "
			"code: slot '%s' is %u bytes, the header takes %u, "
			"the boot state trailer %u%s; grow the slots",
			img->name, p->name, p->size, img->header_size, trailer,
			img->strategy == FK_STRATEGY_SWAP ?
				" and a swap needs the staging slot larger "
				"than "
				"the image by its save room (docs/boot.md)" :
				"");
	}
}

static void check_image_ram(const struct fk_layout *L,
			    const struct fk_layout_image *img,
			    struct fk_diag *d)
{
	for (uint32_t k = 0; k < img->module_count; k++) {
		const struct fk_layout_module *m = &L->modules[img->modules[k]];
		const struct fk_layout_partition *mr;

		if (m->ram < 0)
			continue;
		mr = &L->partitions[m->ram];
		for (uint32_t r = 0; r < img->ram_count; r++) {
			if (!overlaps(img->ram[r].start,
				      FK_LAYOUT_RAM_END(img, r), mr->address,
				      end_of(mr)))
				continue;
			fk_diag_error(
				d, &img->pos_ram,
				"the RAM of image '%s' "
				"(0x%08X..0x%08llX) overlaps the RAM of "
				"its module '%s' ('%s', 0x%08X..0x%08llX); "
				"give the image a RAM partition that "
				"leaves the module's out",
				img->name, img->ram[r].start,
				(unsigned long long)FK_LAYOUT_RAM_END(img, r),
				m->name, mr->name, mr->address,
				(unsigned long long)end_of(mr));
		}
	}
}

/*
 * The app itself writes two more places: the staging slot, when it
 * receives an update (fk_update_*), and its boot state, when it confirms
 * itself (fk_boot_confirm). On the external flash it executes from, those
 * calls too must run from RAM.
 */
static void check_self_writes(const struct fk_layout *L,
			      const struct fk_layout_image *img,
			      uint32_t run_mem, struct fk_diag *d)
{
	const struct fk_layout_partition *state =
		img->boot_state >= 0 ? &L->partitions[img->boot_state] :
				       &L->partitions[img->primary];

	if (img->secondary >= 0 &&
	    L->partitions[img->secondary].memory == run_mem)
		fk_diag_warning(
			d, &img->pos_secondary,
			"image '%s' executes "
			"from '%s' and receives its updates into '%s' "
			"on the same external flash: fk_update_*() "
			"must run from RAM (FK_RAMFUNC, with interrupts "
			"off or vectors in RAM)",
			img->name, L->memories[run_mem].name,
			L->partitions[img->secondary].name);
	if (state->memory == run_mem)
		fk_diag_warning(d, &img->pos,
				"image '%s' executes from '%s' "
				"and its boot state ('%s'%s) is on the same "
				"external flash: fk_boot_confirm() must run "
				"from RAM, or give the boot state a partition "
				"on another flash",
				img->name, L->memories[run_mem].name,
				state->name,
				img->boot_state >= 0 ? "" : ", slot trailer");
}

/* Code cannot write an external flash while it executes from it (a
 * ram-load image executes from RAM). */
static void check_uses(const struct fk_layout *L,
		       const struct fk_layout_image *img, struct fk_diag *d)
{
	uint32_t run_mem = L->partitions[img->primary].memory;

	if (L->memories[run_mem].kind != FK_MEM_EXTERNAL ||
	    img->strategy == FK_STRATEGY_RAM_LOAD)
		return;
	for (uint32_t u = 0; u < img->uses_count; u++) {
		const struct fk_layout_partition *p =
			&L->partitions[img->uses[u]];

		if (p->memory == run_mem && p->role != FK_ROLE_RAM)
			fk_diag_warning(d, &img->pos_uses,
					"image '%s' executes "
					"from '%s' and writes '%s' on the same "
					"external flash: the code that erases "
					"and programs it must run from RAM "
					"(with interrupts off or vectors in "
					"RAM)",
					img->name, L->memories[run_mem].name,
					p->name);
	}
	/* a plain image neither receives updates nor confirms itself */
	if (img->strategy != FK_STRATEGY_NONE)
		check_self_writes(L, img, run_mem, d);
}

/* `factory:`: a partition of role factory, for an overwrite image, that
 * is none of its slots (the boot core installs it when the primary slot
 * holds no valid image: docs/boot.md, OVERWRITE). */
static void check_factory(const struct fk_layout *L,
			  const struct fk_layout_image *img, struct fk_diag *d)
{
	const struct fk_layout_partition *f;

	if (img->factory < 0)
		return;
	f = &L->partitions[img->factory];
	if (f->role != FK_ROLE_FACTORY)
		fk_diag_error(d, &img->pos_factory,
			      "image '%s': factory '%s' has role %s; give "
			      "it 'role: factory'",
			      img->name, f->name, fk_layout_role_name(f->role));
	else if (img->strategy != FK_STRATEGY_OVERWRITE)
		fk_diag_error(d, &img->pos_factory,
			      "image '%s': a factory image is installed by "
			      "the overwrite strategy only (%s keeps the "
			      "previous image to go back to); remove "
			      "'factory' or use 'strategy: overwrite'",
			      img->name,
			      fk_layout_strategy_name(img->strategy));
	else if ((uint32_t)img->factory == img->primary ||
		 img->factory == img->secondary)
		fk_diag_error(d, &img->pos_factory,
			      "image '%s': '%s' is both its factory "
			      "partition and one of its slots; give the "
			      "factory image its own partition",
			      img->name, f->name);
}

static const char *ram_ref_name(const struct fk_layout *L,
				const struct fk_layout_ram_ref *r)
{
	return r->is_memory ? L->memories[r->index].name :
			      L->partitions[r->index].name;
}

/* The RAM a ram-load image is copied into (`load`): given for ram-load
 * only, room for the header and code, apart from the image's `ram` (the
 * bootloader's data and stack while it copies, the app's afterwards) and
 * from the other images' `load`. */
static void check_load(const struct fk_layout *L,
		       const struct fk_layout_image *img, struct fk_diag *d)
{
	const struct fk_layout_ram_ref *r = &img->load;
	uint64_t end = (uint64_t)r->start + r->size;

	if (img->strategy != FK_STRATEGY_RAM_LOAD) {
		if (img->has_load)
			fk_diag_error(d, &img->pos_load,
				      "image '%s': 'load' is for strategy "
				      "ram-load (the image is copied into that "
				      "RAM and runs from there); remove it or "
				      "write 'strategy: ram-load'",
				      img->name);
		return;
	}
	if (!img->has_load) {
		if (img->pos_load.line == img->pos.line &&
		    img->pos_load.col == img->pos.col)
			fk_diag_error(d, &img->pos_strategy,
				      "image '%s': strategy ram-load needs "
				      "'load', the RAM partition or memory the "
				      "bootloader copies the image into and "
				      "runs it from",
				      img->name);
		return;
	}
	if (r->size <= img->header_size + 1024u) {
		fk_diag_error(d, &img->pos_load,
			      "image '%s': 'load' RAM '%s' (%u bytes) has no "
			      "room for code after the 0x%X-byte header; "
			      "give it a RAM partition as large as the "
			      "largest image",
			      img->name, ram_ref_name(L, r), r->size,
			      img->header_size);
		return;
	}
	for (uint32_t k = 0; k < img->ram_count; k++)
		if (overlaps(r->start, end, img->ram[k].start,
			     FK_LAYOUT_RAM_END(img, k)))
			fk_diag_error(
				d, &img->pos_load,
				"image '%s': 'load' RAM '%s' "
				"(0x%08X..0x%08llX) overlaps its 'ram' "
				"'%s': the bootloader runs there while it "
				"copies; split the RAM into a load "
				"partition and a data partition",
				img->name, ram_ref_name(L, r), r->start,
				(unsigned long long)end,
				ram_ref_name(L, &img->ram[k]));
	for (uint32_t j = 0; j < img->id && j < L->image_count; j++) {
		const struct fk_layout_image *o = &L->images[j];

		if (o->has_load &&
		    overlaps(r->start, end, o->load.start,
			     (uint64_t)o->load.start + o->load.size))
			fk_diag_error(d, &img->pos_load,
				      "images '%s' and '%s' are both loaded "
				      "into RAM '%s'; give each its own",
				      o->name, img->name, ram_ref_name(L, r));
	}
}

static void check_images(const struct fk_layout *L, struct fk_diag *d)
{
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];

		check_slot(L, img, img->primary, &img->pos_primary, "primary",
			   d);
		if (img->strategy != FK_STRATEGY_NONE)
			check_strategy(L, img, d);
		check_factory(L, img, d);
		check_load(L, img, d);
		check_image_room(L, img, d);
		check_image_ram(L, img, d);
		check_uses(L, img, d);
		if (img->boot_state >= 0 &&
		    L->partitions[img->boot_state].role != FK_ROLE_BOOT_STATE)
			fk_diag_error(
				d, &img->pos,
				"image '%s': boot-state "
				"'%s' has role %s; give it 'role: "
				"boot-state' or write 'boot-state: "
				"trailer'",
				img->name, L->partitions[img->boot_state].name,
				fk_layout_role_name(
					L->partitions[img->boot_state].role));
		for (uint32_t j = 0; j < i; j++) {
			const struct fk_layout_image *o = &L->images[j];
			uint32_t mine[2] = { img->primary,
					     (uint32_t)img->secondary };
			uint32_t theirs[2] = { o->primary,
					       (uint32_t)o->secondary };

			for (int a = 0; a < 2; a++)
				for (int b = 0; b < 2; b++)
					if ((a == 0 || img->secondary >= 0) &&
					    (b == 0 || o->secondary >= 0) &&
					    mine[a] == theirs[b])
						fk_diag_error(
							d,
							a ? &img->pos_secondary :
							    &img->pos_primary,
							"slot '%s' is used by "
							"images '%s' and '%s'; "
							"each image needs its "
							"own slots",
							L->partitions[mine[a]]
								.name,
							o->name, img->name);
		}
	}
}

/*
 * A plain image (strategy none) runs without a bootloader, so the layout
 * may hold no bootloader for it to be unknown to: no partition of role
 * bootloader (a vendor's or ROM-started one that flashkit does not build
 * is a partition of role raw), and no image the bootloader manages.
 * Returns true when the layout has a plain image.
 */
static bool check_plain(const struct fk_layout *L, struct fk_diag *d)
{
	const struct fk_layout_image *plain = NULL;

	for (uint32_t i = 0; i < L->image_count && !plain; i++)
		if (L->images[i].strategy == FK_STRATEGY_NONE)
			plain = &L->images[i];
	if (!plain)
		return false;
	for (uint32_t i = 0; i < L->image_count; i++)
		if (L->images[i].strategy != FK_STRATEGY_NONE)
			fk_diag_error(
				d, &plain->pos_strategy,
				"image '%s' has no bootloader (strategy "
				"none) but image '%s' is installed by one "
				"(%s): that bootloader would not know '%s' "
				"and cannot start it; give every image a "
				"bootloader strategy, or none to all",
				plain->name, L->images[i].name,
				fk_layout_strategy_name(L->images[i].strategy),
				plain->name);
	for (uint32_t i = 0; i < L->partition_count; i++)
		if (L->partitions[i].role == FK_ROLE_BOOTLOADER)
			fk_diag_error(
				d, &plain->pos_strategy,
				"image '%s' has no bootloader (strategy "
				"none) but partition '%s' has role "
				"bootloader: that bootloader would not know "
				"the image; give the image a strategy, or "
				"'%s' role raw if it is a bootloader flashkit "
				"does not build",
				plain->name, L->partitions[i].name,
				L->partitions[i].name);
	return true;
}

/* The boot core runs every image of a device with one configuration:
 * one strategy and one boot state (struct fk_boot_config). */
static void check_one_boot_config(const struct fk_layout *L, struct fk_diag *d)
{
	/* not &L->images[0]: a layout without images has no array */
	const struct fk_layout_image *first = L->images;

	if (check_plain(L, d))
		return;
	for (uint32_t i = 1; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];

		if (img->strategy != first->strategy)
			fk_diag_error(d, &img->pos_strategy,
				      "image '%s' uses "
				      "strategy %s but image '%s' %s: the "
				      "bootloader installs every image of a "
				      "device the same way; pick one",
				      img->name,
				      fk_layout_strategy_name(img->strategy),
				      first->name,
				      fk_layout_strategy_name(first->strategy));
		if (img->boot_state == FK_LAYOUT_BOOT_STATE_TRAILER ||
		    img->boot_state != first->boot_state)
			fk_diag_error(
				d, &img->pos,
				"images '%s' and '%s' need "
				"one boot state between them (the "
				"bootloader keeps one for all images): "
				"give both 'boot-state: NAME' of the same "
				"partition of role boot-state",
				first->name, img->name);
	}
}

void fk_layout_check(const struct fk_layout *layout, struct fk_diag *d)
{
	uint32_t before = d->errors;

	check_memories(layout, d);
	check_partitions(layout, d);
	/* Images and modules are judged on partitions that are sound. */
	if (d->errors != before)
		return;
	check_modules(layout, d);
	check_images(layout, d);
	check_one_boot_config(layout, d);
	fk_layout_check_release(layout, d);
}
