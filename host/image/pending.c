/*
 * Where a --pending image goes and what an addressed file of it holds
 * (pending.h). The window comes from the boot core itself, through the
 * layout's boot view: the same fk_boot_staging_offset() and
 * fk_boot_max_image_size() the bootloader runs.
 */
#include <string.h>

#include "layout/layout_internal.h"
#include "pending.h"

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) / a * a;
}

int fk_pending_window(const struct fk_layout *L,
		      const struct fk_layout_image *img,
		      struct fk_pending_window *w)
{
	const struct fk_layout_partition *s;
	struct fk_layout_boot view;
	struct fk_area win;
	struct fk_sector last;

	memset(w, 0, sizeof(*w));
	if (img->secondary < 0 || fk_layout_boot_view(L, img, &view))
		return -1;
	s = &L->partitions[img->secondary];
	w->strategy = view.cfg.strategy;
	w->slot = s->name;
	/* xip: slot B, linked for it; overwrite: 0 */
	w->offset = fk_boot_staging_offset(&view.cfg, 0);
	w->addr = (uint64_t)s->address + w->offset;
	w->size = s->size - w->offset;
	win = view.cfg.images[0].secondary;
	win.off += w->offset;
	win.size = w->size;
	if (w->size == 0 || fk_area_sector_at(&win, w->size - 1, &last))
		return -1;
	w->trailer_off = last.off;
	w->boot_max = fk_boot_max_image_size(&view.cfg, 0);
	w->max_image =
		w->boot_max < w->trailer_off ? w->boot_max : w->trailer_off;
	w->write_unit = win.flash->geo.write_unit;
	w->max_align = w->write_unit > 8 ? w->write_unit : 8;
	return 0;
}

int fk_pending_segs(const struct fk_pending_window *w, bool confirmed,
		    const struct fk_sign_result *res, struct fk_segs *out)
{
	uint32_t magic = align_up(16, w->max_align);
	int rc = fk_segs_add(out, w->addr, res->data, res->image_len, NULL);

	if (rc == FK_SEGS_OK && confirmed)
		rc = fk_segs_add(out, w->addr + w->size - magic - w->max_align,
				 res->data + w->size - magic - w->max_align,
				 w->max_align, NULL);
	if (rc == FK_SEGS_OK)
		rc = fk_segs_add(out, w->addr + w->size - magic,
				 res->data + w->size - magic, magic, NULL);
	return rc;
}
