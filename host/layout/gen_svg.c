/*
 * The picture of a layout: one column per memory, low addresses at the
 * top, partitions to scale within their memory but never shorter than
 * two lines of text, so a 2K devinfo page next to a 1M slot still shows
 * its name. Each box says name, size, role and protection; the start
 * address of every box and the end of the memory are written on the
 * left. Space no partition covers is drawn as a dashed "free" box. The
 * images are listed under the columns with their slots (primary <=>
 * secondary for swap and xip, primary <- secondary for overwrite) and
 * maximum payload.
 *
 * Plain SVG 1.1 with no scripts or external references, so browsers,
 * rsvg-convert and documentation tools all render it the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "layout_internal.h"

#define COL_W 230  /* width of a memory column */
#define ADDR_W 92  /* room on its left for addresses */
#define GAP 36	   /* between columns */
#define TOP 86	   /* title and column headings */
#define BODY_H 560 /* scaled height of each memory */
#define MIN_H 36   /* the smallest box: two lines of text */
#define MARGIN 20

struct box {
	const char *name;    /* NULL for free space */
	uint64_t start, end; /* bus addresses (offsets when unmapped) */
	const struct fk_layout_partition *part;
	double y, h;
};

static const char *fill_of(const struct fk_layout_partition *p)
{
	static const char *const fills[] = {
		[FK_ROLE_RAW] = "#e3e3e3",     [FK_ROLE_BOOTLOADER] = "#f6b3b3",
		[FK_ROLE_SLOT] = "#b3d1f6",    [FK_ROLE_BOOT_STATE] = "#f6d9b3",
		[FK_ROLE_FACTORY] = "#d3b8f4", [FK_ROLE_CONFIG] = "#b3f0e0",
		[FK_ROLE_DEVINFO] = "#f3eea8", [FK_ROLE_STORAGE] = "#c2efb0",
		[FK_ROLE_MODULE] = "#f4b8e6",  [FK_ROLE_RAM] = "#d7e4f7",
	};
	return p ? fills[p->role] : "#ffffff";
}

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/* The boxes of one memory, free space included, in address order. */
static uint32_t memory_boxes(const struct fk_layout *L, uint32_t mi,
			     struct box *boxes, uint32_t max)
{
	const struct fk_layout_memory *m = &L->memories[mi];
	uint64_t base = m->mapped ? m->base : 0, cursor = base;
	uint32_t n = 0;

	for (uint32_t i = 0; i < L->partition_count && n + 2 < max; i++) {
		const struct fk_layout_partition *p = &L->partitions[i];

		if (p->memory != mi)
			continue;
		if (p->address > cursor)
			boxes[n++] = (struct box){ NULL, cursor, p->address,
						   NULL, 0,	 0 };
		boxes[n++] = (struct box){
			p->name, p->address, (uint64_t)p->address + p->size,
			p,	 0,	     0
		};
		cursor = (uint64_t)p->address + p->size;
	}
	if (cursor < base + m->size && n < max)
		boxes[n++] = (struct box){ NULL, cursor, base + m->size,
					   NULL, 0,	 0 };
	return n;
}

/* Heights to scale, raised to MIN_H; returns the column height. */
static double place_boxes(const struct fk_layout_memory *m, struct box *b,
			  uint32_t n)
{
	double y = 0;

	for (uint32_t i = 0; i < n; i++) {
		double h = (double)(b[i].end - b[i].start) * BODY_H / m->size;

		b[i].h = h < MIN_H ? MIN_H : h;
		b[i].y = y;
		y += b[i].h;
	}
	return y;
}

/* The image whose RAM is a whole RAM memory covering a free box. */
static const char *ram_owner(const struct fk_layout *L, const struct box *b)
{
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];

		for (uint32_t r = 0; r < img->ram_count; r++)
			if (img->ram[r].is_memory &&
			    img->ram[r].start <= b->start &&
			    FK_LAYOUT_RAM_END(img, r) >= b->end)
				return img->name;
	}
	return NULL;
}

/* The module whose code a partition holds. */
static bool module_in(const struct fk_layout *L,
		      const struct fk_layout_partition *p, char *buf,
		      size_t len)
{
	for (uint32_t i = 0; i < L->module_count; i++) {
		if (&L->partitions[L->modules[i].flash] == p) {
			snprintf(buf, len, "%s", L->modules[i].name);
			return true;
		}
	}
	return false;
}

/* Who a RAM partition belongs to: "module usrlib", "image app", or
 * "2 images" when several share it. */
static bool ram_user(const struct fk_layout *L,
		     const struct fk_layout_partition *p, char *buf, size_t len)
{
	uint32_t index = (uint32_t)(p - L->partitions), users = 0;

	for (uint32_t i = 0; i < L->module_count; i++) {
		if (L->modules[i].ram == (int32_t)index) {
			snprintf(buf, len, "module %s", L->modules[i].name);
			users++;
		}
	}
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];

		for (uint32_t r = 0; r < img->ram_count; r++) {
			if (img->ram[r].is_memory || img->ram[r].index != index)
				continue;
			snprintf(buf, len, "image %s", img->name);
			users++;
		}
		for (uint32_t u = 0; u < img->uses_count; u++) {
			if (img->uses[u] != index)
				continue;
			snprintf(buf, len, "image %s", img->name);
			users++;
		}
	}
	if (users > 1)
		snprintf(buf, len, "%u users", users);
	return users > 0;
}

static void draw_box(const struct fk_layout *L, const struct box *b, double x,
		     double y0, FILE *out)
{
	char size[32], line[160], user[96];
	const struct fk_layout_partition *p = b->part;
	const char *owner = p ? NULL : ram_owner(L, b);
	double y = y0 + b->y, cy = y + b->h / 2;

	fprintf(out,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
		"fill=\"%s\" stroke=\"%s\" stroke-width=\"1\"%s/>\n",
		x, y, COL_W, b->h, owner ? "#d7e4f7" : fill_of(p),
		p || owner ? "#444444" : "#999999",
		p || owner ? "" : " stroke-dasharray=\"5,4\"");
	if (p && p->protect != FK_PROTECT_NONE)
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" "
			"height=\"%.1f\" fill=\"#b00020\"/>\n",
			x, y, b->h);
	fk_layout_fmt_size(size, sizeof(size), b->end - b->start);
	if (p && p->role == FK_ROLE_MODULE &&
	    module_in(L, p, user, sizeof(user)))
		snprintf(line, sizeof(line), "%s \xc2\xb7 module %s%s", size,
			 user,
			 p->protect == FK_PROTECT_NONE ? "" :
							 " \xc2\xb7 protected");
	else if (p && p->role == FK_ROLE_RAM &&
		 ram_user(L, p, user, sizeof(user)))
		snprintf(line, sizeof(line), "%s \xc2\xb7 RAM of %s", size,
			 user);
	else if (p)
		snprintf(line, sizeof(line), "%s \xc2\xb7 %s%s", size,
			 fk_layout_role_name(p->role),
			 p->protect == FK_PROTECT_NONE ? "" :
			 p->protect == FK_PROTECT_WRITE ?
							 " \xc2\xb7 protected" :
							 " \xc2\xb7 secure");
	else if (owner)
		snprintf(line, sizeof(line), "%s \xc2\xb7 RAM of image %s",
			 size, owner);
	else
		snprintf(line, sizeof(line), "%s", size);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"name\">%s</text>\n",
		x + COL_W / 2.0, cy - 3,
		p     ? b->name :
		owner ? owner :
			"free");
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"info\">%s</text>\n",
		x + COL_W / 2.0, cy + 12, line);
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" class=\"addr\">0x%08llX"
		"</text>\n",
		x - 6, y + 11, (unsigned long long)b->start);
}

static void draw_column(const struct fk_layout *L, uint32_t mi, double x,
			struct box *b, uint32_t n, FILE *out)
{
	const struct fk_layout_memory *m = &L->memories[mi];
	char size[32], head[160];
	double y0 = TOP, end_y = TOP;

	fk_layout_fmt_size(size, sizeof(size), m->size);
	snprintf(head, sizeof(head), "%s, %s%s%s", fk_layout_kind_name(m->kind),
		 size, m->kind != FK_MEM_RAM && m->xip ? ", xip" : "",
		 m->mapped ? "" : ", not memory-mapped");
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"mem\">%s</text>\n",
		x + COL_W / 2.0, TOP - 26, m->name);
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"info\">%s</text>\n",
		x + COL_W / 2.0, TOP - 10, head);
	for (uint32_t i = 0; i < n; i++) {
		draw_box(L, &b[i], x, y0, out);
		end_y = y0 + b[i].y + b[i].h;
	}
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" class=\"addr\">0x%08llX"
		"</text>\n",
		x - 6, end_y,
		(unsigned long long)(m->mapped ? m->base : 0) + m->size);
}

static void draw_images(const struct fk_layout *L, double y, FILE *out)
{
	fprintf(out,
		"<text x=\"%d\" y=\"%.1f\" class=\"title\">Images</text>\n",
		MARGIN, y);
	for (uint32_t i = 0; i < L->image_count; i++) {
		const struct fk_layout_image *img = &L->images[i];
		uint32_t max = fk_layout_image_max_payload(L, img);

		y += 20;
		fprintf(out,
			"<text x=\"%d\" y=\"%.1f\" class=\"img\">"
			"<tspan font-weight=\"bold\">%s</tspan> (id %u, %s): "
			"%s%s%s \xc2\xb7 header 0x%X \xc2\xb7 max payload %u "
			"bytes (%.1f KiB) \xc2\xb7 RAM ",
			MARGIN, y, img->name, img->id,
			img->strategy == FK_STRATEGY_NONE ?
				"no bootloader" :
				fk_layout_strategy_name(img->strategy),
			L->partitions[img->primary].name,
			img->secondary < 0 ? "" :
			img->strategy == FK_STRATEGY_OVERWRITE ?
					     " \xe2\x86\x90 " :
					     " \xe2\x87\x84 ",
			img->secondary >= 0 ?
				L->partitions[img->secondary].name :
				"",
			img->header_size, max, max / 1024.0);
		for (uint32_t r = 0; r < img->ram_count; r++)
			fprintf(out, "%s%s", r ? ", " : "",
				img->ram[r].is_memory ?
					L->memories[img->ram[r].index].name :
					L->partitions[img->ram[r].index].name);
		fprintf(out, "</text>\n");
	}
}

/* Frees the boxes of the first n memories and the arrays. */
static void free_boxes(struct box **boxes, uint32_t *counts, uint32_t n)
{
	for (uint32_t i = 0; boxes && i < n; i++)
		free(boxes[i]);
	free(boxes);
	free(counts);
}

int fk_gen_svg(const struct fk_layout *L, FILE *out)
{
	uint32_t cap = 2 * L->partition_count + 2;
	struct box **boxes = calloc(L->memory_count + 1, sizeof(*boxes));
	uint32_t *counts = calloc(L->memory_count + 1, sizeof(*counts));
	double tallest = 0, width, height;

	if (!boxes || !counts) {
		free_boxes(boxes, counts, 0);
		return -1;
	}
	for (uint32_t i = 0; i < L->memory_count; i++) {
		double h;

		boxes[i] = calloc(cap, sizeof(struct box));
		if (!boxes[i]) {
			free_boxes(boxes, counts, i);
			return -1;
		}
		counts[i] = memory_boxes(L, i, boxes[i], cap);
		h = place_boxes(&L->memories[i], boxes[i], counts[i]);
		if (h > tallest)
			tallest = h;
	}
	width = 2 * MARGIN + L->memory_count * (ADDR_W + COL_W + GAP);
	if (width < 640)
		width = 640;
	height = TOP + tallest + 50 + 20.0 * L->image_count + MARGIN;
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!-- Generated by `flashkit layout gen` from %s. -->\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
		fk_gen_source_name(L), width, height, width, height);
	fprintf(out,
		"<style>\n"
		"text { font-family: 'DejaVu Sans', Arial, sans-serif; "
		"fill: #111111; }\n"
		".title { font-size: 16px; font-weight: bold; }\n"
		".mem { font-size: 15px; font-weight: bold; "
		"text-anchor: middle; }\n"
		".name { font-size: 13px; font-weight: bold; "
		"text-anchor: middle; }\n"
		".info { font-size: 11px; text-anchor: middle; }\n"
		".addr { font-size: 11px; font-family: 'DejaVu Sans Mono', "
		"monospace; text-anchor: end; }\n"
		".img { font-size: 12px; }\n"
		"</style>\n");
	fprintf(out,
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(out, "<text x=\"%d\" y=\"26\" class=\"title\">", MARGIN);
	xml_text(out, L->title ? L->title : fk_gen_source_name(L));
	fprintf(out, "</text>\n");
	for (uint32_t i = 0; i < L->memory_count; i++) {
		double x = MARGIN + ADDR_W + i * (ADDR_W + COL_W + GAP);

		draw_column(L, i, x, boxes[i], counts[i], out);
	}
	if (L->image_count)
		draw_images(L, TOP + tallest + 40, out);
	fprintf(out, "</svg>\n");
	free_boxes(boxes, counts, L->memory_count);
	return 0;
}
