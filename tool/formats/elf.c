/*
 * ELF input: the bytes a programmer would write, i.e. every PT_LOAD
 * program header with file content, placed at its physical address
 * (p_paddr: where .data's initial values sit in flash, not where they
 * run in RAM), and e_entry as the entry point. ELF32 and ELF64, either
 * byte order; a small reader of our own, since only the program and
 * section headers matter and every field is bounds-checked against the
 * file.
 */
#include "bytes.h"
#include "formats.h"

#define PT_LOAD 1
#define SHT_NOBITS 8
#define SHF_ALLOC 0x2

struct elf_view {
	const uint8_t *p;
	bool is64, big;
};

static uint64_t half(const struct elf_view *v, size_t off)
{
	return v->big ? fk_be16(v->p + off) : fk_le16(v->p + off);
}

static uint64_t word(const struct elf_view *v, size_t off)
{
	return v->big ? fk_be32(v->p + off) : fk_le32(v->p + off);
}

/* An address or offset field: 4 bytes in ELF32, 8 in ELF64. */
static uint64_t addr(const struct elf_view *v, size_t off)
{
	if (!v->is64)
		return word(v, off);
	return v->big ? fk_be64(v->p + off) : fk_le64(v->p + off);
}

/*
 * The part of a PT_LOAD's file content that sections cover. ld may map
 * the ELF and program headers into the first segment when they fit below
 * the code (a linker script with a gap before FLASH, such as an image
 * header area): those bytes are not part of the program and must not be
 * written over the header area. objcopy -O binary leaves them out the
 * same way. Without section headers, the whole segment counts.
 */
static void section_span(const struct elf_view *v, size_t len, uint64_t off,
			 uint64_t filesz, uint64_t *lo, uint64_t *hi)
{
	uint64_t shoff = addr(v, v->is64 ? 40 : 32);
	uint64_t shentsize = half(v, v->is64 ? 58 : 46);
	uint64_t shnum = half(v, v->is64 ? 60 : 48);
	uint64_t a = off + filesz, b = off;

	*lo = off;
	*hi = off + filesz;
	if (shnum == 0 || shentsize < (v->is64 ? 64u : 40u) || shoff > len ||
	    shnum > (len - shoff) / shentsize)
		return;
	for (uint64_t i = 0; i < shnum; i++) {
		size_t h = (size_t)(shoff + i * shentsize);
		uint64_t type = word(v, h + 4);
		uint64_t flags = addr(v, h + 8);
		uint64_t soff = addr(v, h + (v->is64 ? 24 : 16));
		uint64_t size = addr(v, h + (v->is64 ? 32 : 20));

		if (!(flags & SHF_ALLOC) || type == SHT_NOBITS || size == 0 ||
		    soff < off || soff > off + filesz ||
		    size > off + filesz - soff)
			continue;
		if (soff < a)
			a = soff;
		if (soff + size > b)
			b = soff + size;
	}
	if (a < b) {
		*lo = a;
		*hi = b;
	}
}

int fk_elf_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_fmt_error *err)
{
	struct elf_view v = { .p = in };
	uint64_t phoff, phentsize, phnum;

	(void)o;
	if (len < 52 || in[0] != 0x7f || in[1] != 'E' || in[2] != 'L' ||
	    in[3] != 'F')
		return fk_fmt_fail(err, "%s: offset 0: not an ELF file", name);
	if ((in[4] != 1 && in[4] != 2) || (in[5] != 1 && in[5] != 2))
		return fk_fmt_fail(err, "%s: offset 4: unknown ELF class %u or "
				   "byte order %u", name, in[4], in[5]);
	v.is64 = in[4] == 2;
	v.big = in[5] == 2;
	if (v.is64 && len < 64)
		return fk_fmt_fail(err, "%s: truncated ELF64 header", name);
	phoff = addr(&v, v.is64 ? 32 : 28);
	phentsize = half(&v, v.is64 ? 54 : 42);
	phnum = half(&v, v.is64 ? 56 : 44);
	out->has_entry = true;
	out->entry = addr(&v, 24);
	if (phnum == 0)
		return fk_fmt_fail(err, "%s: no program headers; link the "
				   "program (an object file has none)", name);
	if (phentsize < (v.is64 ? 56u : 32u) || phoff > len ||
	    phnum > (len - phoff) / phentsize)
		return fk_fmt_fail(err, "%s: offset %llu: %llu program headers "
				   "of %llu bytes run past the end of the file",
				   name, (unsigned long long)phoff,
				   (unsigned long long)phnum,
				   (unsigned long long)phentsize);
	for (uint64_t i = 0; i < phnum; i++) {
		size_t h = (size_t)(phoff + i * phentsize);
		uint64_t off, paddr, filesz, lo, hi, clash;
		int rc;

		if (word(&v, h) != PT_LOAD)
			continue;
		off = addr(&v, h + (v.is64 ? 8 : 4));
		paddr = addr(&v, h + (v.is64 ? 24 : 12));
		filesz = addr(&v, h + (v.is64 ? 32 : 16));
		if (filesz == 0)
			continue;
		if (off > len || filesz > len - off)
			return fk_fmt_fail(err, "%s: program header %llu: %llu "
					   "bytes at offset %llu run past the "
					   "end of the file", name,
					   (unsigned long long)i,
					   (unsigned long long)filesz,
					   (unsigned long long)off);
		section_span(&v, len, off, filesz, &lo, &hi);
		rc = fk_segs_add(out, paddr + (lo - off), in + lo, hi - lo,
				 &clash);
		if (rc)
			return fk_fmt_fail(err, "%s: program header %llu: %llu "
					   "bytes at 0x%08llx %s%s", name,
					   (unsigned long long)i,
					   (unsigned long long)(hi - lo),
					   (unsigned long long)(paddr + lo - off),
					   fk_segs_strerror(rc),
					   rc == FK_SEGS_OVERLAP ?
					   " (another PT_LOAD)" : "");
	}
	return 0;
}
