/*
 * The harness (uc.h): a Unicorn Cortex-M with ROM, RAM and the return
 * trap mapped, the image loaded, peripheral windows dispatched to their
 * models, violations and power losses turned into a stopped emulation,
 * and uc_call's result read from where the CPU stopped.
 *
 * Windows are mapped with uc_mmio_map by whole 4 KiB pages (Unicorn's
 * granule); one page may hold several models' windows, so each access is
 * dispatched by its absolute address, and an address in a mapped page
 * that no window owns is a violation. Pages of ROM and RAM are never a
 * window's (a board program's ROM is part of the flash a model keeps).
 *
 * One hook watches every block the CPU enters: it counts the block's
 * instructions against the budget, stops a block from ROM while a model
 * forbids fetches there, and during uc_run_code ends the run at the first
 * block outside its range; a fetch that fails (windows are not
 * executable) ends it too. Unicorn's own instruction count (uc_emu_start's
 * count) would call a hook on every instruction, and a second and third
 * block hook a callback more on every block: together they took a third
 * of a port test's time (port_h750_boot).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <unicorn/unicorn.h>

#include "semihost.h"
#include "uc.h"
#include "uc_elf.h"

/*
 * FK_TEST_FILTER=<pattern> in the environment runs only the cmocka tests
 * whose names match it, in every port test (they all link this file):
 * tests/ports/mutants.sh runs a mutant's known killer first.
 */
__attribute__((constructor)) static void uc_test_filter(void)
{
	const char *pattern = getenv("FK_TEST_FILTER");

	if (pattern && *pattern)
		cmocka_set_test_filter(pattern);
}

#define PAGE 0x1000u
#define MAX_PERIPHS 16
#define MAX_MAPS 32
#define CODE_BLOCKS 4096 /* the instruction counts of blocks kept */

/* A block of code the CPU entered, its instructions, and the generation
 * of its memory's content they were counted in (0: none yet). */
struct code_block {
	uint32_t addr, size, insns, gen;
};

/* One run of pages mapped as MMIO; its callbacks get this as user data. */
struct mmio_map {
	struct uc *uc;
	uint32_t base;
	uint32_t size;
};

struct uc {
	uc_engine *e;
	struct uc_config cfg; /* rom_* and ram_* resolved */
	uint8_t *rom, *ram;   /* their bytes (uc_mem_map_ptr) */
	uint64_t executed;    /* instructions of the current call or run */
	bool budget_spent;
	/* Blocks seen, by address. A generation of ROM ends whenever the
	 * harness writes ROM (nothing else can); one of RAM whenever the
	 * harness writes RAM or the CPU stores to a page of it with code
	 * (tb_invalidate_phys_page_fast_arm: Unicorn 2.0 only, so RAM
	 * blocks are kept only there: ram_kept). */
	struct code_block blocks[CODE_BLOCKS];
	uint32_t rom_gen, ram_gen;
	bool ram_kept;
	/* RAM: where Unicorn keeps it (its ram_addr_t), and its pages the
	 * CPU ran code from (a bit each, never cleared) */
	uint64_t ram_addr;
	uint8_t *code_pages;
	struct uc *next_live; /* uc_create's list, for the store path */
	struct uc_elf elf;
	struct uc_periph periph[MAX_PERIPHS];
	unsigned periph_count;
	struct mmio_map map[MAX_MAPS];
	unsigned map_count;
	uint32_t violations;
	char first[512];
	bool violated; /* during the current call */
	bool power_lost;
	/* uc_run_code: the code range, and where the CPU left it */
	bool running_code, exited;
	uint32_t code_lo, code_hi, exit_pc, stop_at;
	const char *forbid_fetch;
	/* semihosting: the one file, and the position in it */
	bool semihosting;
	uint8_t *file;
	uint32_t file_len, file_cap, file_pos;
};

const char *uc_run_name(enum uc_run r)
{
	static const char *const names[] = { "ok",
					     "violation",
					     "power lost",
					     "instruction budget spent",
					     "CPU fault",
					     "no such symbol",
					     "left the code range",
					     "waiting (WFE/WFI)" };

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

void uc_violation(struct uc *uc, const char *fmt, ...)
{
	va_list ap;

	if (uc->violations++ == 0) {
		va_start(ap, fmt);
		vsnprintf(uc->first, sizeof(uc->first), fmt, ap);
		va_end(ap);
	}
	uc->violated = true;
	uc_emu_stop(uc->e);
}

uint32_t uc_violations(const struct uc *uc)
{
	return uc->violations;
}

const char *uc_first_violation(const struct uc *uc)
{
	return uc->first;
}

void uc_clear_violations(struct uc *uc)
{
	uc->violations = 0;
	uc->first[0] = '\0';
}

void uc_power_lost(struct uc *uc)
{
	uc->power_lost = true;
	uc_emu_stop(uc->e);
}

void uc_forbid_rom_fetch(struct uc *uc, const char *why)
{
	uc->forbid_fetch = why;
}

/* ---- windows ---- */

static struct uc_periph *periph_at(struct uc *uc, uint32_t addr)
{
	for (unsigned i = 0; i < uc->periph_count; i++) {
		struct uc_periph *p = &uc->periph[i];

		if (addr - p->base < p->size)
			return p;
	}
	return NULL;
}

static uint32_t dispatch_read(struct uc *uc, uint32_t addr, unsigned size)
{
	struct uc_periph *p = periph_at(uc, addr);

	if (!p || addr - p->base + size > p->size) {
		uc_violation(uc,
			     "read of %u bytes at 0x%08x: no register there",
			     size, addr);
		return 0;
	}
	return p->read(p->ctx, addr - p->base, size);
}

static void dispatch_write(struct uc *uc, uint32_t addr, unsigned size,
			   uint32_t value)
{
	struct uc_periph *p = periph_at(uc, addr);

	if (!p || addr - p->base + size > p->size) {
		uc_violation(uc,
			     "write of %u bytes at 0x%08x: no register there",
			     size, addr);
		return;
	}
	p->write(p->ctx, addr - p->base, size, value);
}

static uint64_t mmio_read(uc_engine *e, uint64_t off, unsigned size, void *user)
{
	struct mmio_map *m = user;
	uint32_t addr = m->base + (uint32_t)off;

	(void)e;
	if (size == 8)
		return dispatch_read(m->uc, addr, 4) |
		       (uint64_t)dispatch_read(m->uc, addr + 4, 4) << 32;
	return dispatch_read(m->uc, addr, size);
}

static void mmio_write(uc_engine *e, uint64_t off, unsigned size,
		       uint64_t value, void *user)
{
	struct mmio_map *m = user;
	uint32_t addr = m->base + (uint32_t)off;

	(void)e;
	if (size == 8) {
		dispatch_write(m->uc, addr, 4, (uint32_t)value);
		dispatch_write(m->uc, addr + 4, 4, (uint32_t)(value >> 32));
		return;
	}
	dispatch_write(m->uc, addr, size, (uint32_t)value);
}

static bool in_rom(const struct uc *uc, uint32_t addr)
{
	return addr - uc->cfg.rom_base < uc->cfg.rom_size;
}

static bool in_ram(const struct uc *uc, uint32_t addr)
{
	return addr - uc->cfg.ram_base < uc->cfg.ram_size;
}

/* Mapped as a window, or plain ROM or RAM (never a window's). */
static bool page_mapped(const struct uc *uc, uint32_t page)
{
	if (in_rom(uc, page) || in_ram(uc, page))
		return true;
	for (unsigned i = 0; i < uc->map_count; i++) {
		if (page - uc->map[i].base < uc->map[i].size)
			return true;
	}
	return false;
}

/* Maps every page of [lo, hi] (page addresses) not mapped yet, in runs. */
static int map_pages(struct uc *uc, uint32_t lo, uint32_t hi)
{
	uint32_t page = lo;

	for (;;) {
		while (page_mapped(uc, page) && page != hi)
			page += PAGE;
		if (page_mapped(uc, page))
			return 0;
		uint32_t end = page;

		while (end != hi && !page_mapped(uc, end + PAGE))
			end += PAGE;
		if (uc->map_count == MAX_MAPS)
			return -1;
		struct mmio_map *m = &uc->map[uc->map_count++];

		*m = (struct mmio_map){ uc, page, end - page + PAGE };
		if (uc_mmio_map(uc->e, page, m->size, mmio_read, m, mmio_write,
				m) != UC_ERR_OK)
			return -1;
		if (end == hi)
			return 0;
		page = end + PAGE;
	}
}

int uc_add_periph(struct uc *uc, const struct uc_periph *p)
{
	if (p->size == 0 || uc->periph_count == MAX_PERIPHS ||
	    p->base + (p->size - 1) < p->base) {
		fprintf(stderr, "uc: window %s: bad size or too many\n",
			p->name);
		return -1;
	}
	for (unsigned i = 0; i < uc->periph_count; i++) {
		const struct uc_periph *q = &uc->periph[i];

		if (p->base - q->base < q->size ||
		    q->base - p->base < p->size) {
			fprintf(stderr, "uc: window %s overlaps %s\n", p->name,
				q->name);
			return -1;
		}
	}
	uint32_t lo = p->base & ~(PAGE - 1);
	uint32_t hi = (p->base + (p->size - 1)) & ~(PAGE - 1);

	if (map_pages(uc, lo, hi) != 0) {
		fprintf(stderr, "uc: window %s: cannot map 0x%08x..0x%08x\n",
			p->name, lo, hi + PAGE - 1);
		return -1;
	}
	uc->periph[uc->periph_count++] = *p;
	return 0;
}

/* ---- hooks the harness itself keeps ---- */

static bool hook_invalid(uc_engine *e, uc_mem_type type, uint64_t addr,
			 int size, int64_t value, void *user)
{
	struct uc *uc = user;
	uint32_t pc = 0;
	bool fetch = type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT;

	(void)value;
	if (fetch && uc->running_code) {
		uc->exited = true;
		uc->exit_pc = (uint32_t)addr;
		return false;
	}
	uc_reg_read(e, UC_ARM_REG_PC, &pc);
	uc_violation(uc, "%s of %d bytes at 0x%08x (pc 0x%08x): %s",
		     fetch			  ? "fetch" :
		     type == UC_MEM_READ_UNMAPPED ? "read" :
						    "write",
		     size, (uint32_t)addr, pc,
		     type == UC_MEM_WRITE_PROT ? "ROM is read-only" :
						 "nothing mapped there");
	return false;
}

/* Instructions in n bytes of Thumb code: a halfword whose top five bits
 * are 0b11101, 0b11110 or 0b11111 starts a 32-bit instruction. */
static uint32_t thumb_insns(const uint8_t *code, uint32_t n)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i + 1 < n; count++) {
		uint16_t hw = (uint16_t)(code[i] | code[i + 1] << 8);

		i += (hw & 0xF800u) >= 0xE800u ? 4 : 2;
	}
	return count;
}

/* Instructions of the block of size bytes at addr (ROM and RAM are
 * decoded, once per generation of their content; elsewhere, the return
 * trap, every instruction is 16-bit). */
static uint32_t block_insns(struct uc *uc, uint32_t addr, uint32_t size)
{
	uint32_t rom = addr - uc->cfg.rom_base, ram = addr - uc->cfg.ram_base;
	struct code_block *b = &uc->blocks[(addr >> 1) % CODE_BLOCKS];
	const uint8_t *code;
	uint32_t gen;

	if (rom < uc->cfg.rom_size && size <= uc->cfg.rom_size - rom) {
		code = uc->rom + rom;
		gen = uc->rom_gen;
	} else if (ram < uc->cfg.ram_size && size <= uc->cfg.ram_size - ram) {
		code = uc->ram + ram;
		gen = uc->ram_gen;
		if (!uc->ram_kept)
			return thumb_insns(code, size);
	} else {
		return size / 2;
	}
	if (b->addr != addr || b->size != size || b->gen != gen)
		*b = (struct code_block){ addr, size, thumb_insns(code, size),
					  gen };
	return b->insns;
}

/* The pages of RAM a block of size bytes at addr lies in hold code. */
static void mark_code(struct uc *uc, uint32_t addr, uint32_t size)
{
	uint32_t first = (addr - uc->cfg.ram_base) / PAGE;
	uint32_t last =
		(addr + (size ? size - 1 : 0) - uc->cfg.ram_base) / PAGE;

	for (uint32_t p = first; p <= last && p < uc->cfg.ram_size / PAGE; p++)
		uc->code_pages[p / 8] |= (uint8_t)(1u << (p % 8));
}

static bool page_has_code(const struct uc *uc, uint32_t off)
{
	uint32_t p = off / PAGE;

	return uc->code_pages[p / 8] & (1u << (p % 8));
}

/* Runs from reset (uc_run_code): a block outside the code range and RAM,
 * or at the stop address, ends the run before it executes. */
static bool leaves_code(struct uc *uc, uint32_t a)
{
	if (!uc->running_code ||
	    ((a - uc->code_lo < uc->code_hi - uc->code_lo || in_ram(uc, a)) &&
	     (a != uc->stop_at || !a)))
		return false;
	uc->exited = true;
	uc->exit_pc = a;
	return true;
}

/* Every block the CPU enters, before it executes: in RAM, its pages hold
 * code from now on; in ROM while a model forbids it, a violation; leaving
 * uc_run_code's range, the end of the run; else its instructions are
 * counted, and the call or run that spends its budget stops there. */
static void hook_block(uc_engine *e, uint64_t addr, uint32_t size, void *user)
{
	struct uc *uc = user;
	uint32_t a = (uint32_t)addr;

	if (in_ram(uc, a)) /* translated, whether it runs or not */
		mark_code(uc, a, size);
	if (uc->forbid_fetch && in_rom(uc, a)) {
		uc_violation(uc, "code at 0x%08x runs from flash: %s", a,
			     uc->forbid_fetch);
		return;
	}
	if (leaves_code(uc, a)) {
		uc_emu_stop(e);
		return;
	}
	uc->executed += block_insns(uc, a, size);
	if (uc->executed > uc->cfg.budget) {
		uc->budget_spent = true;
		uc_emu_stop(e);
	}
}

/* ---- semihosting ---- */

#define EXCP_BKPT 7 /* QEMU's exception number for BKPT */

static bool file_room(struct uc *uc, uint32_t end)
{
	uint8_t *p;

	if (end <= uc->file_cap)
		return true;
	p = realloc(uc->file, end);
	if (!p)
		return false;
	uc->file = p;
	uc->file_cap = end;
	return true;
}

/* SYS_READ and SYS_WRITE: r0 is the count of bytes NOT transferred. */
static uint32_t sh_transfer(struct uc *uc, uint32_t buf, uint32_t len,
			    bool write)
{
	uint32_t pos = uc->file_pos, n;

	if (write) {
		if (!file_room(uc, pos + len) ||
		    uc_mem_read(uc->e, buf, uc->file + pos, len) != UC_ERR_OK)
			return len;
		if (pos + len > uc->file_len)
			uc->file_len = pos + len;
		uc->file_pos += len;
		return 0;
	}
	n = pos < uc->file_len ? uc->file_len - pos : 0;
	n = n < len ? n : len;
	uc->ram_gen++;
	if (n && uc_mem_write(uc->e, buf, uc->file + pos, n) != UC_ERR_OK)
		return len;
	uc->file_pos += n;
	return len - n;
}

/* One semihosting call: op and the address of its argument block. */
static uint32_t sh_call(struct uc *uc, uint32_t op, uint32_t argp)
{
	uint32_t a[3] = { 0 };
	char text[256] = "";

	uc_mem_read(uc->e, argp, a, sizeof(a));
	switch (op) {
	case SYS_OPEN:
		if (a[1] == FK_SH_WPLUSB)
			uc->file_len = 0;
		uc->file_pos = 0;
		return 1;
	case SYS_CLOSE:
		return 0;
	case SYS_WRITE:
	case SYS_READ:
		return sh_transfer(uc, a[1], a[2], op == SYS_WRITE);
	case SYS_SEEK:
		uc->file_pos = a[1];
		return 0;
	case SYS_FLEN:
		return uc->file_len;
	case SYS_WRITE0:
		uc_mem_read(uc->e, argp, text, sizeof(text) - 1);
		fprintf(stderr, "%s", text);
		return 0;
	case SYS_EXIT_EXTENDED:
		uc_power_lost(uc);
		return 0;
	default:
		uc_violation(uc, "semihosting call 0x%x not served", op);
		return (uint32_t)-1;
	}
}

/* A CPU exception: a semihosting BKPT is served and stepped over; any
 * other is a violation. */
static void hook_intr(uc_engine *e, uint32_t intno, void *user)
{
	struct uc *uc = user;
	uint32_t pc = 0, op = 0, argp = 0, r0;
	uint16_t insn = 0;

	uc_reg_read(e, UC_ARM_REG_PC, &pc);
	uc_mem_read(e, pc, &insn, sizeof(insn));
	if (intno != EXCP_BKPT || insn != 0xBEAB || !uc->semihosting) {
		uc_violation(uc, "CPU exception %u at pc 0x%08x", intno, pc);
		return;
	}
	uc_reg_read(e, UC_ARM_REG_R0, &op);
	uc_reg_read(e, UC_ARM_REG_R1, &argp);
	r0 = sh_call(uc, op, argp);
	pc = (pc + 2) | 1u;
	uc_reg_write(e, UC_ARM_REG_R0, &r0);
	uc_reg_write(e, UC_ARM_REG_PC, &pc);
}

void uc_enable_semihosting(struct uc *uc)
{
	uc->semihosting = true;
}

uint8_t *uc_semihost_file(struct uc *uc, uint32_t *len)
{
	*len = uc->file_len;
	return uc->file;
}

/* ---- Unicorn 2.0's store path ---- */

/*
 * Unicorn 2.0 keeps no dirty bits, so every store the CPU makes to RAM
 * takes QEMU's "not dirty" slow path, which looks for translated code to
 * throw away. Before it looks, it builds a "page collection" of the
 * pages to lock: a GLib tree, two allocations and their frees per store.
 * Unicorn compiled the page locks out, so the collection is built for
 * nothing; Unicorn 2.1 builds none (upstream commit 75d26b7, "Ignore
 * page_collection_lock": lock returns NULL, unlock does nothing). Under
 * 2.0.1 it was 40% of a port test's time, most of it malloc and free
 * (more under ASan).
 *
 * The harness defines the two functions as 2.1 has them: a definition in
 * the executable takes precedence over the library's (libunicorn calls
 * them through its PLT, ARM's *_arm names only). The search for code to
 * throw away (tb_invalidate_phys_page_fast) is the library's, unchanged:
 * in 2.0.1 it uses the collection only to free it. With any other
 * version than 2.0 the library's own functions run (dlsym RTLD_NEXT).
 */
struct page_collection;

static bool unicorn_2_0(void)
{
	static int is = -1;
	unsigned major = 0, minor = 0;

	if (is < 0) {
		uc_version(&major, &minor);
		is = major == 2 && minor == 0;
	}
	return is;
}

struct page_collection *page_collection_lock_arm(void *uc, uint64_t start,
						  uint64_t end);
void page_collection_unlock_arm(struct page_collection *set);

struct page_collection *page_collection_lock_arm(void *uc, uint64_t start,
						  uint64_t end)
{
	static struct page_collection *(*lib)(void *, uint64_t, uint64_t);

	if (unicorn_2_0())
		return NULL;
	if (!lib)
		*(void **)&lib = dlsym(RTLD_NEXT, "page_collection_lock_arm");
	return lib(uc, start, end);
}

void page_collection_unlock_arm(struct page_collection *set)
{
	static void (*lib)(struct page_collection *);

	if (unicorn_2_0())
		return;
	if (!lib)
		*(void **)&lib = dlsym(RTLD_NEXT, "page_collection_unlock_arm");
	lib(set);
}

/*
 * Then, for every store to RAM, tb_invalidate_phys_page_fast looks the
 * page up in QEMU's table of pages with translated code (a walk of four
 * levels), to throw away what the store changes; for the stack and data
 * it finds nothing, a tenth of a port test's time. Code is translated
 * only to be run, and hook_block sees every block run, first thing in
 * it: a page of RAM it never saw a block in holds no translated code, and
 * a store there has nothing to throw away. The harness answers for those
 * pages and passes every other store to the library's search, unchanged
 * (test_uc.c: code in RAM that the CPU rewrites). Unicorn 2.0 only, as
 * above; start is Unicorn's address of the RAM (ram_addr_t), which
 * uc_create reads (qemu_ram_addr_from_host).
 */
static struct uc *live;

void tb_invalidate_phys_page_fast_arm(void *e, struct page_collection *pages,
				      uint64_t start, int len,
				      uintptr_t retaddr);

void tb_invalidate_phys_page_fast_arm(void *e, struct page_collection *pages,
				      uint64_t start, int len,
				      uintptr_t retaddr)
{
	static void (*lib)(void *, struct page_collection *, uint64_t, int,
			   uintptr_t);

	if (unicorn_2_0()) {
		for (struct uc *uc = live; uc; uc = uc->next_live) {
			if (uc->e != e ||
			    start - uc->ram_addr >= uc->cfg.ram_size)
				continue;
			if (!page_has_code(uc,
					   (uint32_t)(start - uc->ram_addr)))
				return;
			uc->ram_gen++; /* the code there may change */
		}
	}
	if (!lib)
		*(void **)&lib =
			dlsym(RTLD_NEXT, "tb_invalidate_phys_page_fast_arm");
	lib(e, pages, start, len, retaddr);
}

/* Joins the list the store path looks in, with Unicorn's address of the
 * RAM (Unicorn 2.0's qemu_ram_addr_from_host; UINT64_MAX otherwise: no
 * store is answered here). */
static void go_live(struct uc *uc)
{
	uint64_t (*ram_addr)(void *, void *) = NULL;

	if (unicorn_2_0())
		*(void **)&ram_addr =
			dlsym(RTLD_NEXT, "qemu_ram_addr_from_host_arm");
	uc->ram_addr = ram_addr ? ram_addr(uc->e, uc->ram) : UINT64_MAX;
	uc->ram_kept = uc->ram_addr != UINT64_MAX;
	uc->next_live = live;
	live = uc;
}

static void leave_live(struct uc *uc)
{
	for (struct uc **p = &live; *p; p = &(*p)->next_live) {
		if (*p == uc) {
			*p = uc->next_live;
			return;
		}
	}
}

/* ---- creation and loading ---- */

static int cpu_model(const char *cpu)
{
	if (!cpu || strcmp(cpu, "cortex-m4") == 0)
		return UC_CPU_ARM_CORTEX_M4;
	if (strcmp(cpu, "cortex-m3") == 0)
		return UC_CPU_ARM_CORTEX_M3;
	if (strcmp(cpu, "cortex-m7") == 0)
		return UC_CPU_ARM_CORTEX_M7;
	return -1;
}

static bool seg_fits(const struct uc_segment *s, uint32_t base, uint32_t size)
{
	return s->addr - base < size && s->memsz <= size - (s->addr - base);
}

/* Where a segment's bytes go: its run address for a test image, its
 * load address (in ROM) for a program run from reset. */
static uint32_t seg_addr(const struct uc *uc, const struct uc_segment *s)
{
	return uc->cfg.from_reset ? s->paddr : s->addr;
}

/* Writes the image's segments (all, or only those in RAM: .ramfunc and
 * .data, as a reset handler copies them). A program run from reset has
 * only its file bytes written, at their load addresses, and nothing in
 * RAM: its startup code copies and clears. */
static int load_image(struct uc *uc, bool ram_only)
{
	for (size_t i = 0; i < uc->elf.seg_count; i++) {
		const struct uc_segment *s = &uc->elf.seg[i];

		if (uc->cfg.from_reset && (ram_only || s->filesz == 0))
			continue;
		if (ram_only &&
		    !seg_fits(s, uc->cfg.ram_base, uc->cfg.ram_size))
			continue;
		if (uc_mem_write(uc->e, seg_addr(uc, s), s->data, s->filesz) !=
		    UC_ERR_OK)
			return -1;
	}
	return 0;
}

/* A test image's segments lie in ROM or RAM; the bytes of a program run
 * from reset, in ROM at their load addresses. */
static bool seg_placed(const struct uc *uc, const struct uc_segment *s)
{
	struct uc_segment at = *s;

	at.addr = seg_addr(uc, s);
	if (uc->cfg.from_reset) {
		at.memsz = s->filesz;
		return at.memsz == 0 ||
		       seg_fits(&at, uc->cfg.rom_base, uc->cfg.rom_size);
	}
	return seg_fits(&at, uc->cfg.rom_base, uc->cfg.rom_size) ||
	       seg_fits(&at, uc->cfg.ram_base, uc->cfg.ram_size);
}

static int check_segments(const struct uc *uc)
{
	for (size_t i = 0; i < uc->elf.seg_count; i++) {
		const struct uc_segment *s = &uc->elf.seg[i];

		if (!seg_placed(uc, s)) {
			fprintf(stderr,
				"uc: %s: segment at 0x%08x (%u bytes) is "
				"outside ROM%s\n",
				uc->cfg.elf, seg_addr(uc, s), s->memsz,
				uc->cfg.from_reset ? "" : " and RAM");
			return -1;
		}
	}
	return 0;
}

/* size bytes of zeros, page-aligned, each page made when first touched
 * (as uc_mem_map's own); NULL when out of memory. */
static uint8_t *zeroed_pages(uint32_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void free_pages(uint8_t *p, uint32_t size)
{
	if (p)
		munmap(p, size);
}

static int map_core(struct uc *uc)
{
	/* b . ; b . : a call that returns here is stopped by uc_emu_start's
	 * until; anything jumping here otherwise spins out its budget. */
	static const uint8_t spin[4] = { 0xfe, 0xe7, 0xfe, 0xe7 };
	uc_hook h;

	uc->rom = zeroed_pages(uc->cfg.rom_size);
	uc->ram = zeroed_pages(uc->cfg.ram_size);
	uc->code_pages = calloc(uc->cfg.ram_size / PAGE / 8 + 1, 1);
	if (!uc->rom || !uc->ram || !uc->code_pages)
		return -1;
	if (uc_mem_map_ptr(uc->e, uc->cfg.rom_base, uc->cfg.rom_size,
			   UC_PROT_READ | UC_PROT_EXEC, uc->rom) != UC_ERR_OK ||
	    uc_mem_map_ptr(uc->e, uc->cfg.ram_base, uc->cfg.ram_size,
			   UC_PROT_ALL, uc->ram) != UC_ERR_OK ||
	    uc_mem_map(uc->e, UC_TRAP_BASE, PAGE,
		       UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK ||
	    uc_mem_write(uc->e, UC_TRAP_BASE, spin, sizeof(spin)) != UC_ERR_OK)
		return -1;
	if (uc_hook_add(uc->e, &h,
			UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_WRITE_PROT |
				UC_HOOK_MEM_FETCH_PROT,
			(void *)hook_invalid, uc, 1, 0) != UC_ERR_OK ||
	    uc_hook_add(uc->e, &h, UC_HOOK_BLOCK, (void *)hook_block, uc, 1,
			0) != UC_ERR_OK ||
	    uc_hook_add(uc->e, &h, UC_HOOK_INTR, (void *)hook_intr, uc, 1, 0) !=
		    UC_ERR_OK)
		return -1;
	return 0;
}

struct uc *uc_create(const struct uc_config *cfg)
{
	struct uc *uc = calloc(1, sizeof(*uc));
	int model = cpu_model(cfg->cpu);

	if (!uc)
		return NULL;
	uc->cfg = *cfg;
	uc->rom_gen = uc->ram_gen = 1;
	if (!uc->cfg.budget)
		uc->cfg.budget = UC_DEFAULT_BUDGET;
	if (!uc->cfg.rom_size) {
		uc->cfg.rom_base = UC_ROM_BASE;
		uc->cfg.rom_size = UC_ROM_SIZE;
	}
	if (!uc->cfg.ram_size) {
		uc->cfg.ram_base = UC_RAM_BASE;
		uc->cfg.ram_size = UC_RAM_SIZE;
	}
	if (model < 0) {
		fprintf(stderr, "uc: unknown cpu '%s'\n", cfg->cpu);
		free(uc);
		return NULL;
	}
	if (uc_elf_load(&uc->elf, cfg->elf) != 0) {
		free(uc);
		return NULL;
	}
	if (check_segments(uc) != 0 ||
	    uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &uc->e) !=
		    UC_ERR_OK) {
		uc_elf_free(&uc->elf);
		free(uc);
		return NULL;
	}
	if (uc_ctl_set_cpu_model(uc->e, model) != UC_ERR_OK ||
	    map_core(uc) != 0 || load_image(uc, false) != 0) {
		fprintf(stderr, "uc: cannot set up the emulator for %s\n",
			cfg->elf);
		uc_destroy(uc);
		return NULL;
	}
	go_live(uc);
	return uc;
}

void uc_destroy(struct uc *uc)
{
	if (!uc)
		return;
	leave_live(uc);
	if (uc->e)
		uc_close(uc->e);
	free_pages(uc->rom, uc->cfg.rom_size);
	free_pages(uc->ram, uc->cfg.ram_size);
	free(uc->code_pages);
	uc_elf_free(&uc->elf);
	free(uc->file);
	free(uc);
}

int uc_symbol(const struct uc *uc, const char *name, uint32_t *addr)
{
	if (uc_elf_symbol(&uc->elf, name, addr) != 0)
		return -1;
	*addr &= ~1u;
	return 0;
}

static bool plain_memory(const struct uc *uc, uint32_t addr, uint32_t len)
{
	uint32_t rom = uc->cfg.rom_base, ram = uc->cfg.ram_base;

	return (in_rom(uc, addr) && len <= uc->cfg.rom_size - (addr - rom)) ||
	       (in_ram(uc, addr) && len <= uc->cfg.ram_size - (addr - ram));
}

int uc_read_mem(struct uc *uc, uint32_t addr, void *buf, uint32_t len)
{
	if (!plain_memory(uc, addr, len))
		return -1;
	return uc_mem_read(uc->e, addr, buf, len) == UC_ERR_OK ? 0 : -1;
}

int uc_write_mem(struct uc *uc, uint32_t addr, const void *buf, uint32_t len)
{
	if (!plain_memory(uc, addr, len))
		return -1;
	if (in_rom(uc, addr))
		uc->rom_gen++;
	else
		uc->ram_gen++;
	return uc_mem_write(uc->e, addr, buf, len) == UC_ERR_OK ? 0 : -1;
}

void uc_reboot(struct uc *uc)
{
	static uint8_t zero[PAGE];

	uc->ram_gen++;
	for (uint32_t a = 0; a < uc->cfg.ram_size; a += PAGE)
		uc_mem_write(uc->e, uc->cfg.ram_base + a, zero, PAGE);
	load_image(uc, true);
	uc->power_lost = false;
	uc->forbid_fetch = NULL;
	for (unsigned i = 0; i < uc->periph_count; i++) {
		if (uc->periph[i].reset)
			uc->periph[i].reset(uc->periph[i].ctx);
	}
}

/* ---- calls ---- */

enum uc_run uc_call(struct uc *uc, uint32_t addr, const uint32_t *args,
		    unsigned nargs, uint32_t *ret)
{
	static const int argreg[4] = { UC_ARM_REG_R0, UC_ARM_REG_R1,
				       UC_ARM_REG_R2, UC_ARM_REG_R3 };
	uint32_t sp = uc->cfg.ram_base + uc->cfg.ram_size;
	uint32_t lr = UC_TRAP_BASE | 1u;
	uint32_t pc = 0, r0 = 0;
	uc_err err;

	for (unsigned i = 0; i < nargs && i < 4; i++)
		uc_reg_write(uc->e, argreg[i], &args[i]);
	uc_reg_write(uc->e, UC_ARM_REG_SP, &sp);
	uc_reg_write(uc->e, UC_ARM_REG_LR, &lr);
	uc->violated = false;
	uc->power_lost = false;
	uc->executed = 0;
	uc->budget_spent = false;
	err = uc_emu_start(uc->e, addr | 1u, UC_TRAP_BASE, 0, 0);
	uc_reg_read(uc->e, UC_ARM_REG_PC, &pc);
	uc_reg_read(uc->e, UC_ARM_REG_R0, &r0);
	if (uc->violated)
		return UC_RUN_VIOLATION;
	if (uc->power_lost)
		return UC_RUN_POWER;
	if (err != UC_ERR_OK) {
		uc_violation(uc, "CPU fault at pc 0x%08x: %s", pc,
			     uc_strerror(err));
		return UC_RUN_FAULT;
	}
	if (uc->budget_spent || (pc & ~1u) != UC_TRAP_BASE) {
		uc_violation(uc,
			     "no return after %llu instructions (pc 0x%08x): "
			     "a busy wait that never ends?",
			     (unsigned long long)uc->cfg.budget, pc);
		return UC_RUN_BUDGET;
	}
	if (ret)
		*ret = r0;
	return UC_RUN_OK;
}

enum uc_run uc_call_sym(struct uc *uc, const char *name, const uint32_t *args,
			unsigned nargs, uint32_t *ret)
{
	uint32_t addr;

	if (uc_symbol(uc, name, &addr) != 0) {
		uc_violation(uc, "the image has no symbol %s", name);
		return UC_RUN_NOSYM;
	}
	return uc_call(uc, addr, args, nargs, ret);
}

/* ---- runs from reset ---- */

/* True when the instruction before pc is a WFE or WFI (Unicorn ends the
 * emulation after either, as an invalid instruction). */
static bool after_wait(struct uc *uc, uint32_t pc)
{
	uint16_t insn = 0;

	if (uc_mem_read(uc->e, (pc & ~1u) - 2, &insn, sizeof(insn)) !=
	    UC_ERR_OK)
		return false;
	return insn == 0xBF20 || insn == 0xBF30;
}

enum uc_run uc_run_code(struct uc *uc, uint32_t sp, uint32_t pc, uint32_t lo,
			uint32_t hi, uint32_t *stop_pc)
{
	uint32_t zero = 0, at = 0;
	uc_err err;

	if (sp) {
		uc_reg_write(uc->e, UC_ARM_REG_MSP, &sp);
		uc_reg_write(uc->e, UC_ARM_REG_CONTROL, &zero);
		uc_reg_write(uc->e, UC_ARM_REG_SP, &sp);
	}
	uc->code_lo = lo;
	uc->code_hi = hi;
	uc->running_code = true;
	uc->exited = uc->violated = uc->power_lost = false;
	uc->executed = 0;
	uc->budget_spent = false;
	err = uc_emu_start(uc->e, pc | 1u, 0, 0, 0);
	uc->running_code = false;
	uc_reg_read(uc->e, UC_ARM_REG_PC, &at);
	*stop_pc = uc->exited ? uc->exit_pc : at;
	if (uc->exited)
		return UC_RUN_EXIT;
	if (uc->violated)
		return UC_RUN_VIOLATION;
	if (uc->power_lost)
		return UC_RUN_POWER;
	if (err == UC_ERR_INSN_INVALID && after_wait(uc, at))
		return UC_RUN_WAIT;
	if (err != UC_ERR_OK) {
		uc_violation(uc, "CPU fault at pc 0x%08x: %s", at,
			     uc_strerror(err));
		return UC_RUN_FAULT;
	}
	uc_violation(uc,
		     "still in 0x%08x..0x%08x after %llu instructions (pc "
		     "0x%08x)",
		     lo, hi, (unsigned long long)uc->cfg.budget, at);
	return UC_RUN_BUDGET;
}

void uc_run_stop_at(struct uc *uc, uint32_t addr)
{
	uc->stop_at = addr;
}

void uc_core_read(struct uc *uc, struct uc_core *out)
{
	uc_reg_read(uc->e, UC_ARM_REG_MSP, &out->msp);
	uc_reg_read(uc->e, UC_ARM_REG_PSP, &out->psp);
	uc_reg_read(uc->e, UC_ARM_REG_CONTROL, &out->control);
	uc_reg_read(uc->e, UC_ARM_REG_PRIMASK, &out->primask);
}
