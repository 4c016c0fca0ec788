/*
 * ELF input: the bytes a programmer would write, i.e. every PT_LOAD
 * program header with file content, placed at its physical address
 * (p_paddr: where .data's initial values sit in flash, not where they
 * run in RAM), and e_entry as the entry point. A small reader of our
 * own, since only the program and section headers matter and every field
 * is bounds-checked against the file.
 *
 * Only what microcontroller firmware is: 32-bit little-endian ELF for ARM
 * (EM_ARM, Cortex-M) or RISC-V (EM_RISCV, RV32). Anything else, a host
 * program (x86-64), a 64-bit or a big-endian file, is refused with what
 * the file is, since converting it would give a file no MCU can run.
 */
#include "bytes.h"
#include "formats.h"

#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define EM_ARM 40
#define EM_RISCV 243
#define PT_LOAD 1
#define SHT_NOBITS 8
#define SHF_ALLOC 0x2

/* e_machine values a user may hand us by mistake. */
static const struct {
	uint16_t id;
	const char *name;
} machines[] = {
	{ 0, "no machine (EM_NONE)" },
	{ 2, "SPARC" },
	{ 3, "x86" },
	{ 4, "m68k" },
	{ 8, "MIPS" },
	{ 20, "PowerPC" },
	{ 21, "PowerPC64" },
	{ 22, "s390" },
	{ 40, "ARM" },
	{ 42, "SuperH" },
	{ 62, "x86-64" },
	{ 83, "AVR" },
	{ 94, "Xtensa" },
	{ 105, "MSP430" },
	{ 183, "AArch64" },
	{ 243, "RISC-V" },
	{ 258, "LoongArch" },
};

static const char *machine_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		if (machines[i].id == id)
			return machines[i].name;
	}
	return "an unknown machine";
}

/* Class, byte order and machine: firmware for an ARM or RISC-V MCU. */
static int check_ident(const uint8_t *in, const char *name, struct fk_diag *err)
{
	uint16_t machine =
		in[5] == ELFDATA2MSB ? fk_be16(in + 18) : fk_le16(in + 18);
	const char *what = in[4] == ELFCLASS64	? "a 64-bit" :
			   in[5] == ELFDATA2MSB ? "a big-endian" :
						  NULL;

	if (in[4] != ELFCLASS32 && in[4] != ELFCLASS64)
		return fk_fail(err,
			       "%s: offset 4: unknown ELF class %u "
			       "(1 is 32-bit, 2 is 64-bit)",
			       name, in[4]);
	if (in[5] != ELFDATA2LSB && in[5] != ELFDATA2MSB)
		return fk_fail(err,
			       "%s: offset 5: unknown ELF byte order "
			       "%u (1 is little-endian, 2 big-endian)",
			       name, in[5]);
	if (what)
		return fk_fail(err,
			       "%s: %s ELF file for %s (e_machine "
			       "%u); flashkit reads 32-bit little-endian "
			       "ELF files for ARM or RISC-V: give the "
			       "firmware's ELF, as arm-none-eabi-gcc or "
			       "a riscv32 toolchain links it",
			       name, what, machine_name(machine), machine);
	if (machine != EM_ARM && machine != EM_RISCV)
		return fk_fail(err,
			       "%s: offset 18: an ELF file for %s "
			       "(e_machine %u), not ARM (40) or RISC-V "
			       "(243); flashkit reads microcontroller "
			       "firmware: give the ELF your arm-none-eabi "
			       "or riscv toolchain linked",
			       name, machine_name(machine), machine);
	return 0;
}

/*
 * The part of a PT_LOAD's file content that sections cover. ld may map
 * the ELF and program headers into the first segment when they fit below
 * the code (a linker script with a gap before FLASH, such as an image
 * header area): those bytes are not part of the program and must not be
 * written over the header area. objcopy -O binary leaves them out the
 * same way. Without section headers, the whole segment counts.
 */
static void section_span(const uint8_t *in, size_t len, uint64_t off,
			 uint64_t filesz, uint64_t *lo, uint64_t *hi)
{
	uint64_t shoff = fk_le32(in + 32);
	uint64_t shentsize = fk_le16(in + 46), shnum = fk_le16(in + 48);
	uint64_t a = off + filesz, b = off;

	*lo = off;
	*hi = off + filesz;
	if (shnum == 0 || shentsize < 40 || shoff > len ||
	    shnum > (len - shoff) / shentsize)
		return;
	for (uint64_t i = 0; i < shnum; i++) {
		const uint8_t *h = in + shoff + i * shentsize;
		uint64_t type = fk_le32(h + 4), flags = fk_le32(h + 8);
		uint64_t soff = fk_le32(h + 16), size = fk_le32(h + 20);

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

/* Program header i: its file content, if PT_LOAD, into out. */
static int take_segment(const uint8_t *in, size_t len, const char *name,
			uint64_t i, const uint8_t *h, struct fk_segs *out,
			struct fk_diag *err)
{
	uint64_t off = fk_le32(h + 4), paddr = fk_le32(h + 12);
	uint64_t filesz = fk_le32(h + 16), lo, hi, clash;
	int rc;

	if (fk_le32(h) != PT_LOAD || filesz == 0)
		return 0;
	if (off > len || filesz > len - off)
		return fk_fail(err,
			       "%s: program header %llu: %llu bytes "
			       "at offset %llu run past the end of the file",
			       name, (unsigned long long)i,
			       (unsigned long long)filesz,
			       (unsigned long long)off);
	section_span(in, len, off, filesz, &lo, &hi);
	rc = fk_segs_add(out, paddr + (lo - off), in + lo, hi - lo, &clash);
	if (rc)
		return fk_fail(err,
			       "%s: program header %llu: %llu bytes at "
			       "0x%08llx %s%s",
			       name, (unsigned long long)i,
			       (unsigned long long)(hi - lo),
			       (unsigned long long)(paddr + lo - off),
			       fk_segs_strerror(rc),
			       rc == FK_SEGS_OVERLAP ? " (another PT_LOAD)" :
						       "");
	return 0;
}

int fk_elf_read(const uint8_t *in, size_t len, const char *name,
		const struct fk_read_opts *o, struct fk_segs *out,
		struct fk_diag *err)
{
	uint64_t phoff, phentsize, phnum;

	(void)o;
	if (len < 52 || in[0] != 0x7f || in[1] != 'E' || in[2] != 'L' ||
	    in[3] != 'F')
		return fk_fail(err, "%s: offset 0: not an ELF file", name);
	if (check_ident(in, name, err))
		return -1;
	phoff = fk_le32(in + 28);
	phentsize = fk_le16(in + 42);
	phnum = fk_le16(in + 44);
	out->has_entry = true;
	out->entry = fk_le32(in + 24);
	if (phnum == 0)
		return fk_fail(err,
			       "%s: no program headers; link the "
			       "program (an object file has none)",
			       name);
	if (phentsize < 32 || phoff > len || phnum > (len - phoff) / phentsize)
		return fk_fail(err,
			       "%s: offset %llu: %llu program headers "
			       "of %llu bytes run past the end of the file",
			       name, (unsigned long long)phoff,
			       (unsigned long long)phnum,
			       (unsigned long long)phentsize);
	for (uint64_t i = 0; i < phnum; i++) {
		if (take_segment(in, len, name, i, in + phoff + i * phentsize,
				 out, err))
			return -1;
	}
	return 0;
}
