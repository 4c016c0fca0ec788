/*
 * The file-backed flash driver of the QEMU port (see qemu_flash.h).
 *
 * Work goes in chunks of CHUNK bytes through a stack buffer: the largest
 * write unit, so a chunk always holds whole units. A program first checks
 * every chunk against the file, then writes: a refused program writes
 * nothing.
 */
#include <string.h>

#include "qemu_flash.h"
#include "semihost.h"

#define CHUNK 256u

static struct fk_qemu_flash *qf_of(const struct fk_flash *flash)
{
	return flash->ctx;
}

static int file_read(const struct fk_qemu_flash *qf, uint32_t off, void *buf,
		     uint32_t len)
{
	if (fk_sh_seek(qf->handle, off) != 0 ||
	    fk_sh_read(qf->handle, buf, len) != 0)
		return FK_EIO;
	return FK_OK;
}

static int file_write(const struct fk_qemu_flash *qf, uint32_t off,
		      const void *buf, uint32_t len)
{
	if (fk_sh_seek(qf->handle, off) != 0 ||
	    fk_sh_write(qf->handle, buf, len) != 0)
		return FK_EIO;
	if (qf->mirror)
		memcpy(qf->mirror + off, buf, len);
	return FK_OK;
}

/* Ends the run as a power cut would. */
static void __attribute__((noreturn)) cut_now(struct fk_qemu_flash *qf)
{
	fk_sh_printf("power cut at flash operation %u\n",
		     (unsigned int)qf->cut_op);
	fk_sh_exit(FK_QEMU_CUT_STATUS);
}

/* Counts the operation starting now and returns the cut that hits it;
 * a cut before it happens right here. */
static enum fk_qemu_cut next_op(struct fk_qemu_flash *qf)
{
	enum fk_qemu_cut cut = FK_QEMU_CUT_NONE;

	if (qf->cut != FK_QEMU_CUT_NONE && qf->ops == qf->cut_op)
		cut = qf->cut;
	qf->ops++;
	if (cut == FK_QEMU_CUT_BEFORE)
		cut_now(qf);
	return cut;
}

/* Writes [off, off+len): all of it, or with a torn cut only the first
 * half (rounded down to a byte) before the power goes. */
static int write_or_tear(struct fk_qemu_flash *qf, enum fk_qemu_cut cut,
			 uint32_t off, const void *buf, uint32_t len)
{
	int rc = file_write(qf, off, buf,
			    cut == FK_QEMU_CUT_TORN ? len / 2 : len);

	if (cut == FK_QEMU_CUT_TORN || cut == FK_QEMU_CUT_AFTER)
		cut_now(qf);
	return rc;
}

static int qemu_read(const struct fk_flash *flash, uint32_t off, void *buf,
		     uint32_t len)
{
	return file_read(qf_of(flash), off, buf, len);
}

/* May new[] be programmed over old[]? Bits only leave the erased state;
 * on program-once flash every unit must still be fully erased. */
static int check_program(const struct fk_flash_geometry *geo,
			 const uint8_t *old, const uint8_t *new, uint32_t len)
{
	uint8_t erased = geo->erased_value;

	for (uint32_t i = 0; i < len; i++) {
		uint8_t back = erased == 0xFF ? (uint8_t)(~old[i] & new[i]) :
						(uint8_t)(old[i] & ~new[i]);

		if (geo->program_once && old[i] != erased)
			return FK_EPROGONCE;
		if (back)
			return FK_ENOTERASED;
	}
	return FK_OK;
}

static int qemu_program(const struct fk_flash *flash, uint32_t off,
			const void *buf, uint32_t len)
{
	struct fk_qemu_flash *qf = qf_of(flash);
	enum fk_qemu_cut cut = next_op(qf);
	const uint8_t *src = buf;
	uint8_t old[CHUNK];
	int rc;

	for (uint32_t done = 0; done < len; done += CHUNK) {
		uint32_t n = len - done < CHUNK ? len - done : CHUNK;

		rc = file_read(qf, off + done, old, n);
		if (rc == FK_OK)
			rc = check_program(&flash->geo, old, src + done, n);
		if (rc != FK_OK && cut != FK_QEMU_CUT_NONE)
			cut_now(qf); /* refused, and then the power went */
		if (rc != FK_OK)
			return rc;
	}
	return write_or_tear(qf, cut, off, src, len);
}

static int qemu_erase_sector(const struct fk_flash *flash, uint32_t off,
			     uint32_t sector_size)
{
	struct fk_qemu_flash *qf = qf_of(flash);
	enum fk_qemu_cut cut = next_op(qf);
	uint32_t end = cut == FK_QEMU_CUT_TORN ? sector_size / 2 : sector_size;
	uint8_t erased[CHUNK];
	int rc = FK_OK;

	memset(erased, flash->geo.erased_value, sizeof(erased));
	for (uint32_t done = 0; done < end && rc == FK_OK; done += CHUNK) {
		uint32_t n = end - done < CHUNK ? end - done : CHUNK;

		rc = file_write(qf, off + done, erased, n);
	}
	if (cut != FK_QEMU_CUT_NONE)
		cut_now(qf);
	return rc;
}

static const struct fk_flash_ops qemu_flash_ops = {
	.read = qemu_read,
	.program = qemu_program,
	.erase_sector = qemu_erase_sector,
};

/* A new or short file: append erased bytes up to size. */
static int extend(struct fk_qemu_flash *qf, uint32_t from, uint32_t size)
{
	uint8_t erased[CHUNK];

	memset(erased, qf->flash.geo.erased_value, sizeof(erased));
	while (from < size) {
		uint32_t n = size - from < CHUNK ? size - from : CHUNK;

		if (fk_sh_seek(qf->handle, from) != 0 ||
		    fk_sh_write(qf->handle, erased, n) != 0)
			return FK_EIO;
		from += n;
	}
	return FK_OK;
}

int fk_qemu_flash_open(struct fk_qemu_flash *qf, const char *path,
		       const struct fk_flash_geometry *geo, void *mirror)
{
	long len;
	int rc;

	if (!qf || !path || fk_flash_check_geometry(geo) != FK_OK)
		return FK_EINVAL;
	qf->flash.geo = *geo;
	qf->flash.ops = &qemu_flash_ops;
	qf->flash.ctx = qf;
	qf->mirror = mirror;
	qf->ops = 0;
	qf->cut = FK_QEMU_CUT_NONE;
	qf->handle = fk_sh_open(path, FK_SH_RPLUSB);
	if (qf->handle < 0)
		qf->handle = fk_sh_open(path, FK_SH_WPLUSB);
	if (qf->handle < 0)
		return FK_EIO;
	len = fk_sh_flen(qf->handle);
	if (len < 0 || (unsigned long)len > geo->size) {
		fk_sh_close(qf->handle);
		return len < 0 ? FK_EIO : FK_EINVAL;
	}
	rc = extend(qf, (uint32_t)len, geo->size);
	if (rc == FK_OK && mirror)
		rc = file_read(qf, 0, mirror, geo->size);
	if (rc != FK_OK)
		fk_sh_close(qf->handle);
	return rc;
}

int fk_qemu_flash_close(struct fk_qemu_flash *qf)
{
	return fk_sh_close(qf->handle) == 0 ? FK_OK : FK_EIO;
}

void fk_qemu_flash_schedule_cut(struct fk_qemu_flash *qf, uint32_t op,
				enum fk_qemu_cut kind)
{
	qf->cut_op = op;
	qf->cut = kind;
}

static int starts_with(const char *s, const char *prefix)
{
	while (*prefix && *s == *prefix)
		s++, prefix++;
	return *prefix == '\0';
}

int fk_qemu_flash_cut_from_cmdline(struct fk_qemu_flash *qf,
				   const char *cmdline)
{
	static const struct {
		const char *word;
		enum fk_qemu_cut kind;
	} words[] = {
		{ "cut-before=", FK_QEMU_CUT_BEFORE },
		{ "cut-after=", FK_QEMU_CUT_AFTER },
		{ "cut-torn=", FK_QEMU_CUT_TORN },
	};
	const char *p = cmdline;

	while (*p) {
		for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]);
		     i++) {
			const char *w = words[i].word;
			uint32_t n = 0, digits = 0;
			const char *q = p;

			if (!starts_with(p, w))
				continue;
			while (*w)
				w++, q++;
			for (; *q >= '0' && *q <= '9' && digits < 10;
			     q++, digits++)
				n = n * 10 + (uint32_t)(*q - '0');
			if (digits == 0 || (*q != ' ' && *q != '\0'))
				return FK_EINVAL;
			fk_qemu_flash_schedule_cut(qf, n, words[i].kind);
			return 1;
		}
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return 0;
}
