/*
 * Geometry helpers and the checked wrappers around a driver's operations.
 *
 * Every call that reaches a driver goes through here, so range, overflow
 * and alignment are checked in one place. Nothing here keeps state.
 */
#include <string.h>

#include "flashkit/flash.h"

static bool is_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

int fk_flash_check_geometry(const struct fk_flash_geometry *geo)
{
	uint64_t total = 0;

	if (!geo || !geo->runs || geo->run_count == 0)
		return FK_EINVAL;
	if (!is_pow2(geo->write_unit) || geo->write_unit > 256)
		return FK_EINVAL;
	if (geo->erased_value != 0xFF && geo->erased_value != 0x00)
		return FK_EINVAL;
	for (uint32_t i = 0; i < geo->run_count; i++) {
		const struct fk_sector_run *run = &geo->runs[i];

		if (run->count == 0 || !is_pow2(run->size) ||
		    run->size < geo->write_unit)
			return FK_EINVAL;
		total += (uint64_t)run->count * run->size;
	}
	if (total != geo->size || total == 0)
		return FK_EINVAL;
	if ((uint64_t)geo->base + total - 1 > UINT32_MAX)
		return FK_EINVAL;
	return FK_OK;
}

uint32_t fk_flash_sector_count(const struct fk_flash *flash)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < flash->geo.run_count; i++)
		n += flash->geo.runs[i].count;
	return n;
}

int fk_flash_sector_at(const struct fk_flash *flash, uint32_t off,
		       struct fk_sector *out)
{
	uint32_t start = 0, index = 0;

	/* In 32 bits: a run's bytes fit them in a geometry that
	 * fk_flash_check_geometry() accepts (the total does), and off >=
	 * start throughout, as a run is passed only when off lies past its
	 * end. */
	for (uint32_t i = 0; i < flash->geo.run_count; i++) {
		const struct fk_sector_run *run = &flash->geo.runs[i];
		uint32_t run_bytes = run->count * run->size;

		if (off - start < run_bytes) {
			uint32_t k = (off - start) / run->size;

			out->off = start + k * run->size;
			out->size = run->size;
			out->index = index + k;
			return FK_OK;
		}
		start += run_bytes;
		index += run->count;
	}
	return FK_ERANGE;
}

int fk_flash_sector_by_index(const struct fk_flash *flash, uint32_t index,
			     struct fk_sector *out)
{
	uint32_t start = 0, first = 0;

	for (uint32_t i = 0; i < flash->geo.run_count; i++) {
		const struct fk_sector_run *run = &flash->geo.runs[i];

		if (index < first + run->count) {
			out->off = start + (index - first) * run->size;
			out->size = run->size;
			out->index = index;
			return FK_OK;
		}
		start += run->count * run->size;
		first += run->count;
	}
	return FK_ERANGE;
}

int fk_flash_check_range(const struct fk_flash *flash, uint32_t off,
			 uint32_t len)
{
	if (off > flash->geo.size || len > flash->geo.size - off)
		return FK_ERANGE;
	return FK_OK;
}

int fk_flash_check_write_align(const struct fk_flash *flash, uint32_t off,
			       uint32_t len)
{
	uint32_t mask = flash->geo.write_unit - 1;

	if ((off & mask) != 0 || (len & mask) != 0)
		return FK_EALIGN;
	return FK_OK;
}

bool fk_flash_is_sector_boundary(const struct fk_flash *flash, uint32_t off)
{
	struct fk_sector s;

	if (off == flash->geo.size)
		return true;
	if (fk_flash_sector_at(flash, off, &s) != FK_OK)
		return false;
	return s.off == off;
}

int fk_flash_read(const struct fk_flash *flash, uint32_t off, void *buf,
		  uint32_t len)
{
	int rc = fk_flash_check_range(flash, off, len);

	if (rc != FK_OK)
		return rc;
	if (len == 0)
		return FK_OK;
	if (!buf)
		return FK_EINVAL;
	return flash->ops->read(flash, off, buf, len);
}

int fk_flash_program(const struct fk_flash *flash, uint32_t off,
		     const void *buf, uint32_t len)
{
	int rc = fk_flash_check_range(flash, off, len);

	if (rc == FK_OK)
		rc = fk_flash_check_write_align(flash, off, len);
	if (rc != FK_OK)
		return rc;
	if (len == 0)
		return FK_OK;
	if (!buf)
		return FK_EINVAL;
	return flash->ops->program(flash, off, buf, len);
}

int fk_flash_erase(const struct fk_flash *flash, uint32_t off, uint32_t len)
{
	uint32_t end;
	int rc = fk_flash_check_range(flash, off, len);

	if (rc != FK_OK)
		return rc;
	end = off + len;
	if (!fk_flash_is_sector_boundary(flash, off) ||
	    !fk_flash_is_sector_boundary(flash, end))
		return FK_EALIGN;
	while (off < end) {
		struct fk_sector s;

		rc = fk_flash_sector_at(flash, off, &s);
		if (rc == FK_OK)
			rc = flash->ops->erase_sector(flash, s.off, s.size);
		if (rc != FK_OK)
			return rc;
		off += s.size;
	}
	return FK_OK;
}

static bool unit_is_erased(const uint8_t *p, uint32_t wu, uint8_t erased)
{
	for (uint32_t k = 0; k < wu; k++) {
		if (p[k] != erased)
			return false;
	}
	return true;
}

uint32_t fk_flash_data_run(const struct fk_flash *flash, const uint8_t *buf,
			   uint32_t len, uint32_t *pos)
{
	uint32_t wu = flash->geo.write_unit ? flash->geo.write_unit : 1;
	uint8_t erased = flash->geo.erased_value;
	uint32_t start = *pos, end = start;

	/* One walk over the units: erased ones before the run move its
	 * start, the first erased one after it ends it. */
	while (end + wu <= len) {
		bool blank = unit_is_erased(buf + end, wu, erased);

		if (blank && end > start)
			break;
		end += wu;
		if (blank)
			start = end;
	}
	*pos = start;
	return end - start;
}

/* fk_flash_is_erased() past its range check. Inlined in both callers:
 * a bootloader with trusted areas links fk_area_is_erased() alone, with
 * the loop in it. */
static inline __attribute__((always_inline)) int
is_erased(const struct fk_flash *flash, uint32_t off, uint32_t len, void *buf,
	  uint32_t buf_len)
{
	uint8_t *bytes = buf;
	int rc;

	if (!buf || buf_len == 0)
		return FK_EINVAL;
	while (len > 0) {
		uint32_t n = len < buf_len ? len : buf_len;

		rc = flash->ops->read(flash, off, buf, n);
		if (rc == FK_EECC)
			return 0; /* a torn unit is not erased */
		if (rc != FK_OK)
			return rc;
		for (uint32_t i = 0; i < n; i++) {
			if (bytes[i] != flash->geo.erased_value)
				return 0;
		}
		off += n;
		len -= n;
	}
	return 1;
}

int fk_flash_is_erased(const struct fk_flash *flash, uint32_t off, uint32_t len,
		       void *buf, uint32_t buf_len)
{
	int rc = fk_flash_check_range(flash, off, len);

	return rc ? rc : is_erased(flash, off, len, buf, buf_len);
}

int fk_area_init(struct fk_area *area, const struct fk_flash *flash,
		 uint32_t off, uint32_t size)
{
	int rc = fk_flash_check_range(flash, off, size);

	if (rc != FK_OK)
		return rc;
	if (size == 0)
		return FK_EINVAL;
	if (!fk_flash_is_sector_boundary(flash, off) ||
	    !fk_flash_is_sector_boundary(flash, off + size))
		return FK_EALIGN;
	area->flash = flash;
	area->off = off;
	area->size = size;
	return FK_OK;
}

static int area_check(const struct fk_area *area, uint32_t off, uint32_t len)
{
	if (off > area->size || len > area->size - off)
		return FK_ERANGE;
	return FK_OK;
}

#ifndef FK_FLASH_TRUSTED_AREAS
int fk_area_read(const struct fk_area *area, uint32_t off, void *buf,
		 uint32_t len)
{
	int rc = area_check(area, off, len);

	return rc ? rc : fk_flash_read(area->flash, area->off + off, buf, len);
}

int fk_area_program(const struct fk_area *area, uint32_t off, const void *buf,
		    uint32_t len)
{
	int rc = area_check(area, off, len);

	return rc ? rc :
		    fk_flash_program(area->flash, area->off + off, buf, len);
}

int fk_area_erase(const struct fk_area *area, uint32_t off, uint32_t len)
{
	int rc = area_check(area, off, len);

	return rc ? rc : fk_flash_erase(area->flash, area->off + off, len);
}

int fk_area_is_erased(const struct fk_area *area, uint32_t off, uint32_t len,
		      void *buf, uint32_t buf_len)
{
	int rc = area_check(area, off, len);

	return rc ? rc :
		    fk_flash_is_erased(area->flash, area->off + off, len, buf,
				       buf_len);
}
#else
/*
 * FK_FLASH_TRUSTED_AREAS (a bootloader whose areas were checked when its
 * configuration was built: each inside its memory, on sector boundaries)
 * reaches the driver from the area's own checks, the same codes for the
 * same calls, without the memory-level range check that such an area
 * cannot fail.
 */

/* fk_flash_read() (program false) or fk_flash_program()'s checks after
 * the range: the write unit (program), nothing for len 0, FK_EINVAL
 * without a buffer. One function for both, out of line: smaller than
 * two. */
static __attribute__((noinline)) int area_io(const struct fk_area *area,
					     uint32_t off, const void *buf,
					     uint32_t len, bool program)
{
	const struct fk_flash *flash = area->flash;
	uint32_t at = area->off + off;
	uint32_t mask = program ? flash->geo.write_unit - 1 : 0;
	int rc = area_check(area, off, len);

	if (rc == FK_OK && ((at | len) & mask))
		rc = FK_EALIGN;
	if (rc || !len)
		return rc;
	if (!buf)
		return FK_EINVAL;
	/* read's buffer came in as void *: fk_area_read() */
	return program ?
		       flash->ops->program(flash, at, buf, len) :
		       flash->ops->read(flash, at, (void *)(uintptr_t)buf, len);
}

int fk_area_read(const struct fk_area *area, uint32_t off, void *buf,
		 uint32_t len)
{
	return area_io(area, off, buf, len, false);
}

int fk_area_program(const struct fk_area *area, uint32_t off, const void *buf,
		    uint32_t len)
{
	return area_io(area, off, buf, len, true);
}

/* fk_flash_erase()'s checks: both ends on sector boundaries before the
 * first erase. */
int fk_area_erase(const struct fk_area *area, uint32_t off, uint32_t len)
{
	const struct fk_flash *flash = area->flash;
	uint32_t at = area->off + off, end = at + len;
	struct fk_sector s;
	int rc = area_check(area, off, len);

	if (rc == FK_OK && (!fk_flash_is_sector_boundary(flash, at) ||
			    !fk_flash_is_sector_boundary(flash, end)))
		rc = FK_EALIGN;
	/* at < end <= the memory's size: at starts a sector */
	for (; rc == FK_OK && at < end; at += s.size) {
		fk_flash_sector_at(flash, at, &s);
		rc = flash->ops->erase_sector(flash, at, s.size);
	}
	return rc;
}

int fk_area_is_erased(const struct fk_area *area, uint32_t off, uint32_t len,
		      void *buf, uint32_t buf_len)
{
	int rc = area_check(area, off, len);

	return rc ? rc :
		    is_erased(area->flash, area->off + off, len, buf, buf_len);
}
#endif

int fk_area_sector_at(const struct fk_area *area, uint32_t off,
		      struct fk_sector *out)
{
	int rc = area_check(area, off, 1);

	if (rc == FK_OK)
		rc = fk_flash_sector_at(area->flash, area->off + off, out);
	if (rc == FK_OK)
		out->off -= area->off;
	return rc;
}
