/*
 * The model after reading: partitions in memory order with the sectors
 * each covers, and names that stay unique once they become C macros and
 * linker symbols.
 */
#include <ctype.h>
#include <string.h>

#include "layout_load.h"

/* Partitions in memory order, then by offset. Indices change, so this
 * runs before any name is resolved into an index. */
void fk_layout_sort_partitions(struct loader *ld)
{
	struct fk_layout *L = ld->L;

	for (uint32_t i = 1; i < L->partition_count; i++) {
		struct fk_layout_partition p = L->partitions[i];
		struct raw_part r = ld->raw[i];
		uint32_t j = i;

		while (j > 0 && (L->partitions[j - 1].memory > p.memory ||
				 (L->partitions[j - 1].memory == p.memory &&
				  L->partitions[j - 1].offset > p.offset))) {
			L->partitions[j] = L->partitions[j - 1];
			ld->raw[j] = ld->raw[j - 1];
			j--;
		}
		L->partitions[j] = p;
		ld->raw[j] = r;
	}
}

/* Sectors each partition covers (after placement). */
void fk_layout_fill_sectors(struct fk_layout *L)
{
	for (uint32_t i = 0; i < L->partition_count; i++) {
		struct fk_layout_partition *p = &L->partitions[i];
		const struct fk_layout_memory *mem = &L->memories[p->memory];
		uint32_t idx, start, size, end_idx;

		if (mem->kind == FK_MEM_RAM || !mem->run_count ||
		    p->offset >= mem->size || p->size == 0)
			continue;
		fk_layout_sector_at(mem, p->offset, &idx, &start, &size);
		p->first_sector = idx;
		if ((uint64_t)p->offset + p->size >= mem->size) {
			end_idx = mem->sector_count;
		} else {
			fk_layout_sector_at(mem, p->offset + p->size - 1,
					    &end_idx, &start, &size);
			end_idx++;
		}
		p->sector_count = end_idx - idx;
	}
}

/* Whether two names become the same C identifier (case, '-' vs '_'). */
static bool same_ident(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : (char)toupper((unsigned char)*a);
		char cb = *b == '-' ? '_' : (char)toupper((unsigned char)*b);

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

/* Names become C macros and linker symbols, so two names of one kind
 * must not collide even after upper-casing and '-' -> '_'. */
static void check_unique(struct loader *ld, const char *kind, uint32_t count,
			 const char *(*name)(struct fk_layout *, uint32_t),
			 const struct fk_pos *(*pos)(struct fk_layout *,
						     uint32_t))
{
	for (uint32_t i = 0; i < count; i++) {
		for (uint32_t j = 0; j < i; j++) {
			const char *a = name(ld->L, i), *b = name(ld->L, j);
			const struct fk_pos *pa = pos(ld->L, i);
			const struct fk_pos *pb = pos(ld->L, j);
			const struct fk_pos *late, *early;

			if (!same_ident(a, b))
				continue;
			late = pa->line > pb->line || (pa->line == pb->line &&
						       pa->col > pb->col) ?
				       pa :
				       pb;
			early = late == pa ? pb : pa;
			if (!strcmp(a, b))
				fk_diag_error(&ld->d, late,
					      "%s '%s' is defined "
					      "twice (first at line %u); %s "
					      "names must be unique",
					      kind, a, early->line, kind);
			else
				fk_diag_error(
					&ld->d, late,
					"%s names '%s' and "
					"'%s' (line %u) become the same C "
					"name; rename one",
					kind, late == pa ? a : b,
					late == pa ? b : a, early->line);
			break;
		}
	}
}

#define NAME_POS_FNS(kind, arr)                                         \
	static const char *kind##_name(struct fk_layout *L, uint32_t i) \
	{                                                               \
		return L->arr[i].name;                                  \
	}                                                               \
	static const struct fk_pos *kind##_pos(struct fk_layout *L,     \
					       uint32_t i)              \
	{                                                               \
		return &L->arr[i].pos;                                  \
	}
NAME_POS_FNS(mem, memories)
NAME_POS_FNS(part, partitions)
NAME_POS_FNS(mod, modules)
NAME_POS_FNS(img, images)

void fk_layout_check_names(struct loader *ld, const char *kind)
{
	struct fk_layout *L = ld->L;

	if (!strcmp(kind, "memory"))
		check_unique(ld, kind, L->memory_count, mem_name, mem_pos);
	else if (!strcmp(kind, "partition"))
		check_unique(ld, kind, L->partition_count, part_name, part_pos);
	else if (!strcmp(kind, "module"))
		check_unique(ld, kind, L->module_count, mod_name, mod_pos);
	else
		check_unique(ld, kind, L->image_count, img_name, img_pos);
}
