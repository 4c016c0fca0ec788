/*
 * The flashkit bootloader on QEMU mps2-an385: opens the file-backed flash
 * (mirrored at its bus address so the app executes in place), runs
 * fk_boot() and jumps to the image it chose, or reports recovery.
 *
 * Command-line words (run.sh --arg):
 *   cut-before=N, cut-after=N, cut-torn=N  the flash driver ends QEMU
 *                                          at flash operation N
 *   spin-at=N    print "boot: spinning at flash operation N" from the
 *                watchdog hook before operation N and never return, so
 *                run.sh --cut-on kills QEMU there (SIGKILL)
 */
#include <stdint.h>

#include "cortexm.h"
#include "qemu_boot_cfg.h"
#include "semihost.h"

static struct fk_qemu_flash qf;
static char cmdline[256];
static uint32_t spin_at = 0xFFFFFFFFu;

static void kick(void *ctx)
{
	(void)ctx;
	if (qf.ops == spin_at) {
		fk_sh_printf("boot: spinning at flash operation %u\n",
			     (unsigned)spin_at);
		for (;;)
			;
	}
}

static void jump(void *ctx, const struct fk_boot_image_ref *refs,
		 uint32_t count)
{
	const struct fk_image_version *v = &refs[0].info.hdr.version;
	uint32_t vt = qb_geo.base + refs[0].slot->off + refs[0].info.hdr.hdr_size;

	(void)ctx;
	(void)count;
	fk_sh_printf("boot: image %u.%u.%u valid, %u flash operations, "
		     "jumping to 0x%08x\n", v->major, v->minor,
		     (unsigned)v->revision, (unsigned)qf.ops, (unsigned)vt);
	if (!fk_cortexm_vector_table_ok(vt, 0x20000000, 0x20400000, vt,
					qb_geo.base + qb_geo.size)) {
		fk_sh_puts("boot: FAIL: bad vector table\n");
		fk_sh_exit(3);
	}
	fk_cortexm_jump(vt);
}

static void recovery(void *ctx, int reason)
{
	(void)ctx;
	fk_sh_printf("boot: recovery mode (%s)\n", fk_strerror(reason));
	fk_sh_exit(2);
}

static uint32_t number_after(const char *s, const char *key)
{
	for (; *s; s++) {
		const char *a = s, *k = key;
		uint32_t n = 0;

		while (*k && *a == *k)
			a++, k++;
		if (*k)
			continue;
		while (*a >= '0' && *a <= '9')
			n = n * 10 + (uint32_t)(*a++ - '0');
		return n;
	}
	return 0xFFFFFFFFu;
}

int main(void)
{
	struct fk_boot_config cfg = { 0 };
	int rc;

	fk_sh_cmdline(cmdline, sizeof(cmdline));
	rc = fk_qemu_flash_open(&qf, "flash.bin", &qb_geo,
				(void *)(uintptr_t)QB_FLASH_BASE);
	if (rc != FK_OK) {
		fk_sh_printf("boot: cannot open flash.bin: %s\n",
			     fk_strerror(rc));
		return 4;
	}
	fk_qemu_flash_cut_from_cmdline(&qf, cmdline);
	spin_at = number_after(cmdline, "spin-at=");
	qb_config(&cfg, &qf.flash);
	cfg.port.kick = kick;
	cfg.port.jump = jump;
	cfg.port.recovery = recovery;
	rc = fk_boot(&cfg);
	fk_sh_printf("boot: FAIL: fk_boot returned %s\n", fk_strerror(rc));
	return 5;
}
