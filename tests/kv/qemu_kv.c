/*
 * The settings store compiled for Cortex-M3 (-Os) and run on QEMU
 * mps2-an385 over the file-backed flash of the QEMU port, with the
 * driver's own power cuts. test_kv_qemu.sh runs it; the phase is the
 * first semihosting argument:
 *
 *   run [cut-before|cut-after|cut-torn=N]
 *          mounts a store on flash.bin and runs the workload, printing
 *          "done I" after each operation returns; with a cut, QEMU ends
 *          at flash operation N (exit status 99), as at a power loss
 *   check K
 *          a later boot after K operations had returned: mounts, checks
 *          that every key holds the state after K operations or after
 *          K+1 (the interrupted one, all of its keys or none), retries
 *          the interrupted operation if needed, runs the rest of the
 *          workload and checks the final state
 *
 * Flash: 2 x 1 KiB sectors, 8-byte write unit, erased 0xFF; the workload
 * formats sector 0, fills it, then opens sector 1, which collects
 * sector 0.
 */
#include <stdint.h>
#include <string.h>

#include "flashkit/kv.h"
#include "qemu_flash.h"
#include "semihost.h"

#define OPS 32
#define KEYS 8

static const struct fk_sector_run runs[] = { { 2, 1024 } };
static const struct fk_flash_geometry geo = {
	.base = 0x00200000,
	.size = 2048,
	.runs = runs,
	.run_count = 1,
	.write_unit = 8,
	.erased_value = 0xFF,
};
static const struct fk_kv_config cfg = { KEYS, 40, 64 , 0 };

static struct fk_qemu_flash qf;
static struct fk_area area;
static struct fk_kv kv;

struct model {
	uint8_t has[KEYS];
	uint8_t len[KEYS];
	uint8_t val[KEYS][40];
};

struct op {
	uint32_t count;
	struct fk_kv_entry e[2];
	uint8_t data[2][40];
};

/* Operation i: a set, a deletion (1 in 8) or a commit of two keys (1 in
 * 4), derived from i alone. */
static void make_op(uint32_t i, struct op *op)
{
	uint32_t h = i * 2654435761u + 12345;

	memset(op, 0, sizeof(*op));
	op->count = (h >> 8) % 4 == 0 ? 2 : 1;
	for (uint32_t n = 0; n < op->count; n++) {
		struct fk_kv_entry *e = &op->e[n];

		e->id = (uint16_t)((h >> (4 + 3 * n)) % KEYS);
		if (n == 1 && e->id == op->e[0].id)
			e->id = (uint16_t)((e->id + 1) % KEYS);
		/* A commit stays within record_max: 6 + 3 + 30 + 3 + 19. */
		e->len = (uint8_t)(n ? 8 + h % 12 :
				       10 + (h >> 16) % (op->count == 2 ? 21 : 31));
		for (uint8_t b = 0; b < e->len; b++)
			op->data[n][b] = (uint8_t)(i * 31 + b * 7 + n);
		e->value = (h >> 20) % 8 == 0 && n == 0 ? NULL : op->data[n];
	}
}

static int run_op(const struct op *op)
{
	return fk_kv_commit(&kv, op->e, op->count);
}

static void apply(struct model *m, uint32_t upto)
{
	struct op op;

	memset(m, 0, sizeof(*m));
	for (uint32_t i = 0; i < upto; i++) {
		make_op(i, &op);
		for (uint32_t n = 0; n < op.count; n++) {
			const struct fk_kv_entry *e = &op.e[n];

			m->has[e->id] = e->value != NULL;
			m->len[e->id] = e->value ? e->len : 0;
			if (e->value)
				memcpy(m->val[e->id], e->value, e->len);
		}
	}
}

static int matches(const struct model *m)
{
	uint8_t buf[40];

	for (uint16_t id = 0; id < KEYS; id++) {
		int rc = fk_kv_get(&kv, id, buf, sizeof(buf));

		if (!m->has[id] ? rc != FK_ENOENT :
				  rc != m->len[id] ||
					  memcmp(buf, m->val[id], m->len[id]))
			return 0;
	}
	return 1;
}

static int fail(const char *what, int rc)
{
	fk_sh_printf("FAIL: %s: %s\n", what, fk_strerror(rc));
	return 1;
}

static int run_from(uint32_t first)
{
	struct op op;
	int rc;

	for (uint32_t i = first; i < OPS; i++) {
		make_op(i, &op);
		rc = run_op(&op);
		if (rc != FK_OK)
			return fail("operation", rc);
		fk_sh_printf("done %u\n", (unsigned)i);
	}
	return 0;
}

static int phase_check(uint32_t k)
{
	static struct model before, after;
	int old_ok, new_ok;
	struct op op;

	apply(&before, k);
	apply(&after, k + 1 <= OPS ? k + 1 : OPS);
	old_ok = matches(&before);
	new_ok = matches(&after);
	if (!old_ok && !new_ok)
		return fail("store holds neither the old nor the new state",
			    FK_ECORRUPT);
	if (!new_ok && k < OPS) {
		make_op(k, &op);
		if (run_op(&op) != FK_OK || !matches(&after))
			return fail("retry of the interrupted operation",
				    FK_ECORRUPT);
	}
	if (k + 1 < OPS && run_from(k + 1))
		return 1;
	apply(&after, OPS);
	if (!matches(&after))
		return fail("final state", FK_ECORRUPT);
	fk_sh_printf("check: ok (%s)\n", new_ok ? "new" : "old");
	return 0;
}

static const char *word(const char *s, int n)
{
	while (n-- > 0) {
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return s;
}

int main(void)
{
	char cmdline[96];
	const char *phase;
	int rc;

	if (fk_sh_cmdline(cmdline, sizeof(cmdline)) != 0)
		return 2;
	phase = word(cmdline, 1);
	rc = fk_qemu_flash_open(&qf, "flash.bin", &geo, NULL);
	if (rc == FK_OK)
		rc = fk_area_init(&area, &qf.flash, 0, geo.size);
	if (rc == FK_OK && fk_qemu_flash_cut_from_cmdline(&qf, cmdline) < 0)
		rc = FK_EINVAL;
	if (rc == FK_OK)
		rc = fk_kv_mount(&kv, &area, &cfg);
	if (rc != FK_OK)
		return fail("mount", rc);
	if (memcmp(phase, "run", 3) == 0) {
		if (run_from(0))
			return 1;
		fk_sh_printf("run: %u flash operations\n", (unsigned)qf.ops);
		return 0;
	}
	if (memcmp(phase, "check", 5) == 0) {
		const char *p = word(phase, 1);
		uint32_t k = 0;

		while (*p >= '0' && *p <= '9')
			k = k * 10 + (uint32_t)(*p++ - '0');
		return phase_check(k);
	}
	return fail("unknown phase", FK_EINVAL);
}
