/*
 * The conformance suite (conformance.h). Each check is a function that
 * returns after its first failure; fail() records it. Sectors are chosen
 * once: the first and last sector and the first of each run of the map,
 * up to max_sectors. The data written is a counter pattern seeded by the
 * sector and the check, so two checks never write the same bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define CHUNK 4096u
#define MAX_PICK 16u

struct conf {
	const struct conf_target *t;
	const struct fk_flash *f;
	struct conf_result *res;
	uint8_t erased;
	uint32_t unit;
	uint32_t pick[MAX_PICK]; /* sector indices exercised */
	uint32_t npick;
	uint8_t *a, *b; /* CHUNK-byte scratch */
};

static bool fail(struct conf *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct conf *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->res->failures++ == 0) {
		n = snprintf(c->res->first, sizeof(c->res->first),
			     "%s: ", c->t->name);
		va_start(ap, fmt);
		vsnprintf(c->res->first + n, sizeof(c->res->first) - (size_t)n,
			  fmt, ap);
		va_end(ap);
	}
	return false;
}

/* The model's verdict on the last operation. */
static bool clean(struct conf *c, const char *what)
{
	const char *v = c->t->violation ? c->t->violation(c->t->ctx) : NULL;

	return v ? fail(c, "%s: the model saw a rule broken: %s", what, v) :
		   true;
}

/* An operation's code compared with the expected one. */
static bool expect(struct conf *c, int rc, int want, const char *what,
		   uint32_t off)
{
	if (!clean(c, what))
		return false;
	if (rc != want)
		return fail(c, "%s at 0x%x: %s, expected %s", what, off,
			    fk_strerror(rc), fk_strerror(want));
	return true;
}

static void pattern(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static bool sector(struct conf *c, uint32_t index, struct fk_sector *s)
{
	if (fk_flash_sector_by_index(c->f, index, s) != FK_OK)
		return fail(c, "sector %u is not in the map", index);
	return true;
}

/* [off, off+len) reads as want (NULL: as erased). */
static bool reads_as(struct conf *c, uint32_t off, uint32_t len,
		     const uint8_t *want, const char *what)
{
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done < CHUNK ? len - done : CHUNK;

		if (!expect(c, fk_flash_read(c->f, off + done, c->a, n), FK_OK,
			    "read", off + done))
			return false;
		for (uint32_t i = 0; i < n; i++) {
			uint8_t w = want ? want[done + i] : c->erased;

			if (c->a[i] != w)
				return fail(c,
					    "%s: byte at 0x%x reads 0x%02x, "
					    "expected 0x%02x",
					    what, off + done + i, c->a[i], w);
		}
		done += n;
	}
	return true;
}

static bool erase(struct conf *c, const struct fk_sector *s)
{
	return expect(c, fk_flash_erase(c->f, s->off, s->size), FK_OK, "erase",
		      s->off);
}

static bool program(struct conf *c, uint32_t off, const uint8_t *d,
		    uint32_t len)
{
	return expect(c, fk_flash_program(c->f, off, d, len), FK_OK, "program",
		      off);
}

/* ---- the checks ---- */

static bool check_geometry(struct conf *c)
{
	const struct fk_flash_geometry *g = &c->f->geo;

	if (fk_flash_check_geometry(g) != FK_OK)
		return fail(c, "the geometry is not self-consistent");
	if (g->erased_value != 0xFF && g->erased_value != 0x00)
		return fail(c, "erased value 0x%02x", g->erased_value);
	if (g->write_unit > CHUNK)
		return fail(c, "write unit %u above %u", g->write_unit, CHUNK);
	return true;
}

/* Erase gives the erased value over the whole sector. */
static bool check_erase_reads_erased(struct conf *c, uint32_t index)
{
	struct fk_sector s;

	return sector(c, index, &s) && erase(c, &s) &&
	       reads_as(c, s.off, s.size, NULL, "after erase");
}

/* Program then read: first unit, last unit and a block in the middle. */
static bool check_program_reads_back(struct conf *c, uint32_t index)
{
	struct fk_sector s;
	uint32_t mid, len;

	if (!sector(c, index, &s) || !erase(c, &s))
		return false;
	len = s.size / 4 < CHUNK ? s.size / 4 : CHUNK;
	mid = s.size / 2;
	pattern(c->b, CHUNK, index * 31 + 1);
	if (!program(c, s.off, c->b, c->unit) ||
	    !program(c, s.off + s.size - c->unit, c->b + c->unit, c->unit) ||
	    !program(c, s.off + mid, c->b, len))
		return false;
	return reads_as(c, s.off, c->unit, c->b, "first unit") &&
	       reads_as(c, s.off + s.size - c->unit, c->unit, c->b + c->unit,
			"last unit") &&
	       reads_as(c, s.off + mid, len, c->b, "block") &&
	       reads_as(c, s.off + c->unit, mid - c->unit, NULL,
			"between the programmed ranges");
}

/* Erase touches its sector only: the neighbours' edge units survive. */
static bool check_erase_exact(struct conf *c, uint32_t index)
{
	struct fk_sector s, prev, next;
	uint32_t n = fk_flash_sector_count(c->f);
	uint8_t d[2 * 256];

	pattern(d, sizeof(d), index * 17 + 3);
	if (!sector(c, index, &s))
		return false;
	if (index > 0 && (!sector(c, index - 1, &prev) || !erase(c, &prev) ||
			  !program(c, s.off - c->unit, d, c->unit)))
		return false;
	if (index + 1 < n &&
	    (!sector(c, index + 1, &next) || !erase(c, &next) ||
	     !program(c, next.off, d + 256, c->unit)))
		return false;
	if (!erase(c, &s) || !reads_as(c, s.off, s.size, NULL, "erased"))
		return false;
	if (index > 0 && !reads_as(c, s.off - c->unit, c->unit, d,
				   "previous sector's last unit after erase"))
		return false;
	return index + 1 >= n ||
	       reads_as(c, next.off, c->unit, d + 256,
			"next sector's first unit after erase");
}

/* A second program of a unit: bits never move back to erased. On
 * program-once flash the second program is refused (FK_EPROGONCE) and
 * the unit keeps its first value; otherwise a program that only moves
 * more bits away from erased works, and one that would move a bit back is
 * refused or lands as the AND (OR for 0x00 erased) of both. */
static bool check_bits_one_way(struct conf *c, uint32_t index)
{
	struct fk_sector s;
	uint8_t first[256], more[256], back[256], want[256];
	uint32_t u = c->unit;
	int rc;

	if (!sector(c, index, &s) || !erase(c, &s))
		return false;
	pattern(first, u, index * 7 + 5);
	for (uint32_t i = 0; i < u; i++) {
		first[i] = c->erased ? (uint8_t)(first[i] | 0x81) :
				       (uint8_t)(first[i] & 0x7E);
		more[i] = c->erased ? (uint8_t)(first[i] & 0x7F) :
				      (uint8_t)(first[i] | 0x80);
		back[i] = (uint8_t)~first[i];
	}
	if (!program(c, s.off, first, u))
		return false;
	rc = fk_flash_program(c->f, s.off, more, u);
	if (c->f->geo.program_once) {
		return expect(c, rc, FK_EPROGONCE, "second program of a unit",
			      s.off) &&
		       reads_as(c, s.off, u, first, "after a refused program");
	}
	if (!expect(c, rc, FK_OK, "program moving more bits", s.off) ||
	    !reads_as(c, s.off, u, more, "after a second program"))
		return false;
	rc = fk_flash_program(c->f, s.off, back, u);
	if (!clean(c, "program moving bits back"))
		return false;
	for (uint32_t i = 0; i < u; i++)
		want[i] = rc != FK_OK ? more[i] :
			  c->erased   ? (uint8_t)(more[i] & back[i]) :
					(uint8_t)(more[i] | back[i]);
	return reads_as(c, s.off, u, want,
			rc != FK_OK ? "after a refused program" :
				      "after a program over programmed bits");
}

/* The wrappers' range and alignment codes. */
static bool check_errors(struct conf *c)
{
	const struct fk_flash *f = c->f;
	uint32_t size = f->geo.size, u = c->unit;
	struct fk_sector last;

	memset(c->b, c->erased ^ 0x5A, CHUNK);
	if (!sector(c, fk_flash_sector_count(f) - 1, &last))
		return false;
	if (!expect(c, fk_flash_program(f, size, c->b, u), FK_ERANGE,
		    "program past the end", size) ||
	    !expect(c, fk_flash_program(f, size - u, c->b, 2 * u), FK_ERANGE,
		    "program across the end", size - u) ||
	    !expect(c, fk_flash_read(f, size - 1, c->a, 2), FK_ERANGE,
		    "read across the end", size - 1) ||
	    !expect(c, fk_flash_erase(f, last.off, 2 * last.size), FK_ERANGE,
		    "erase past the end", last.off) ||
	    !expect(c, fk_flash_erase(f, u, size - u), FK_EALIGN,
		    "erase from off a sector boundary to the end", u) ||
	    !expect(c, fk_flash_erase(f, 0, u), FK_EALIGN,
		    "erase to off a sector boundary", 0))
		return false;
	if (u > 1 && (!expect(c, fk_flash_program(f, 1, c->b, u), FK_EALIGN,
			      "misaligned program", 1) ||
		      !expect(c, fk_flash_program(f, 0, c->b, u + 1), FK_EALIGN,
			      "program of a partial unit", 0)))
		return false;
	return true;
}

/* ---- power cuts (only with the sim) ---- */

/* The program or erase of a cut check, on an erased (program) or
 * patterned (erase) sector. */
static int cut_op(struct conf *c, const struct fk_sector *s, bool is_erase,
		  const uint8_t *d, uint32_t len)
{
	return is_erase ? fk_flash_erase(c->f, s->off, s->size) :
			  fk_flash_program(c->f, s->off, d, len);
}

/* Puts the sector in its starting state: erased, and for an erase check
 * programmed with d. */
static bool cut_start(struct conf *c, const struct fk_sector *s, bool is_erase,
		      const uint8_t *d, uint32_t len)
{
	return erase(c, s) && (!is_erase || program(c, s->off, d, len));
}

/* After the cut: each byte of the range holds what the kind allows. */
static bool cut_left(struct conf *c, const struct fk_sector *s, bool is_erase,
		     enum fk_cut_kind kind, const uint8_t *d, uint32_t len)
{
	const char *what = kind == FK_CUT_BEFORE ? "cut before" :
			   kind == FK_CUT_AFTER	 ? "cut after" :
						   "torn";
	uint32_t span = is_erase ? s->size : len;

	for (uint32_t off = 0; off < span; off += c->unit) {
		int rc = fk_flash_read(c->f, s->off + off, c->a, c->unit);

		if (!clean(c, "read after a cut"))
			return false;
		if (rc == FK_EECC && kind == FK_CUT_TORN &&
		    c->f->geo.program_once)
			continue;
		if (rc != FK_OK)
			return fail(c, "%s: read at 0x%x: %s", what,
				    s->off + off, fk_strerror(rc));
		for (uint32_t i = 0; i < c->unit; i++) {
			uint8_t old = is_erase && off + i < len ? d[off + i] :
								  c->erased;
			uint8_t new = is_erase ? c->erased : d[off + i];
			uint8_t got = c->a[i];
			bool ok = kind == FK_CUT_BEFORE ? got == old :
				  kind == FK_CUT_AFTER	? got == new :
				  is_erase		? true :
				  c->erased		? (got & new) == new :
							  (got | new) == new;

			if (!ok)
				return fail(c,
					    "%s %s: byte at 0x%x is 0x%02x "
					    "(before 0x%02x, meant 0x%02x)",
					    what,
					    is_erase ? "erase" : "program",
					    s->off + off + i, got, old, new);
		}
	}
	return true;
}

/* One cut: the operation's sim operations are counted on a dry run, the
 * cut goes before the first, after the last, or torn in the middle one;
 * the operation must report FK_EPOWER, so must the next one until the
 * reboot, and afterwards the range holds what the kind allows and the
 * sector erases and programs again. */
static bool check_cut(struct conf *c, uint32_t index, bool is_erase,
		      enum fk_cut_kind kind)
{
	struct fk_sim *sim = c->t->sim;
	struct fk_sector s;
	uint32_t len;
	uint64_t start, n;
	int rc;

	if (!sector(c, index, &s))
		return false;
	len = s.size < CHUNK ? s.size : CHUNK;
	pattern(c->b, len, index * 13 + (uint32_t)kind + (is_erase ? 50 : 0));
	if (!cut_start(c, &s, is_erase, c->b, len))
		return false;
	start = fk_sim_op_index(sim);
	if (!expect(c, cut_op(c, &s, is_erase, c->b, len), FK_OK,
		    is_erase ? "erase" : "program", s.off))
		return false;
	n = fk_sim_op_index(sim) - start;
	if (n == 0)
		return fail(c, "a %s reached no flash operation",
			    is_erase ? "erase" : "program");
	if (!cut_start(c, &s, is_erase, c->b, len))
		return false;
	start = fk_sim_op_index(sim);
	fk_sim_schedule_cut(sim,
			    kind == FK_CUT_BEFORE ? start :
			    kind == FK_CUT_AFTER  ? start + n - 1 :
						    start + n / 2,
			    kind, FK_TEAR_SEEDED, index * 3 + 1);
	rc = cut_op(c, &s, is_erase, c->b, len);
	fk_sim_cancel_cut(sim);
	if (!expect(c, rc, FK_EPOWER, "the operation cut", s.off) ||
	    !expect(c, fk_flash_read(c->f, s.off, c->a, c->unit), FK_EPOWER,
		    "a read with the power off", s.off))
		return false;
	fk_sim_reboot(sim);
	return cut_left(c, &s, is_erase, kind, c->b, len) &&
	       check_program_reads_back(c, index);
}

static bool check_cuts(struct conf *c, uint32_t index)
{
	static const enum fk_cut_kind kinds[] = { FK_CUT_BEFORE, FK_CUT_AFTER,
						  FK_CUT_TORN };

	for (int e = 0; e < 2; e++) {
		for (size_t k = 0; k < 3; k++) {
			c->res->checks++;
			if (!check_cut(c, index, e, kinds[k]))
				return false;
		}
	}
	return true;
}

/* ---- the run ---- */

static void add_pick(struct conf *c, uint32_t index, uint32_t max)
{
	for (uint32_t i = 0; i < c->npick; i++) {
		if (c->pick[i] == index)
			return;
	}
	if (c->npick < max)
		c->pick[c->npick++] = index;
}

/* The first sector of each run, the last one, the second one. */
static void pick_sectors(struct conf *c, uint32_t max)
{
	uint32_t n = fk_flash_sector_count(c->f), first = 0;

	c->npick = 0;
	for (uint32_t r = 0; r < c->f->geo.run_count; r++) {
		add_pick(c, first, max);
		first += c->f->geo.runs[r].count;
	}
	add_pick(c, n - 1, max);
	if (n > 1)
		add_pick(c, 1, max);
}

int conf_run(const struct conf_target *t, struct conf_result *res)
{
	bool (*const per_sector[])(struct conf *, uint32_t) = {
		check_erase_reads_erased,
		check_program_reads_back,
		check_erase_exact,
		check_bits_one_way,
	};
	struct conf c = { .t = t, .f = t->flash, .res = res };
	uint32_t max = t->max_sectors ? t->max_sectors : 6;

	memset(res, 0, sizeof(*res));
	res->checks++;
	if (!check_geometry(&c))
		return -1;
	c.erased = t->flash->geo.erased_value;
	c.unit = t->flash->geo.write_unit;
	c.a = malloc(CHUNK);
	c.b = malloc(CHUNK);
	if (!c.a || !c.b) {
		fail(&c, "out of memory");
		goto out;
	}
	pick_sectors(&c, max < MAX_PICK ? max : MAX_PICK);
	for (uint32_t p = 0; p < c.npick; p++) {
		for (size_t k = 0; k < sizeof(per_sector) / sizeof(*per_sector);
		     k++) {
			res->checks++;
			per_sector[k](&c, c.pick[p]);
		}
	}
	res->checks++;
	check_errors(&c);
	if (t->sim)
		check_cuts(&c, c.pick[c.npick > 1 ? 1 : 0]);
out:
	free(c.a);
	free(c.b);
	return res->failures ? -1 : 0;
}
