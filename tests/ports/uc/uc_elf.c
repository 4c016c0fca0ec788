/*
 * ELF32 reader (elf.h): checks the header names a 32-bit little-endian
 * ARM executable, then keeps each PT_LOAD's run and load addresses and
 * bytes and every named symbol of .symtab. Every offset read from the
 * file is checked against its length first.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen, strdup */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uc_elf.h"

static bool inside(const struct uc_elf *elf, uint64_t off, uint64_t len)
{
	return off <= elf->file_len && len <= elf->file_len - off;
}

static int read_file(struct uc_elf *elf, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	elf->file = malloc((size_t)n + 1);
	elf->file_len = (size_t)n;
	if (!elf->file || fread(elf->file, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int load_segments(struct uc_elf *elf, const Elf32_Ehdr *eh)
{
	if (!inside(elf, eh->e_phoff,
		    (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr)))
		return -1;
	elf->seg = calloc(eh->e_phnum + 1u, sizeof(*elf->seg));
	if (!elf->seg)
		return -1;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf32_Phdr ph;

		memcpy(&ph, elf->file + eh->e_phoff + i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (!inside(elf, ph.p_offset, ph.p_filesz) ||
		    ph.p_filesz > ph.p_memsz)
			return -1;
		elf->seg[elf->seg_count++] = (struct uc_segment){
			.addr = ph.p_vaddr,
			.paddr = ph.p_paddr,
			.filesz = ph.p_filesz,
			.memsz = ph.p_memsz,
			.data = elf->file + ph.p_offset,
		};
	}
	return 0;
}

static int load_symbols(struct uc_elf *elf, const Elf32_Ehdr *eh)
{
	Elf32_Shdr sh, strtab;

	if (!inside(elf, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(sh)))
		return -1;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		memcpy(&sh, elf->file + eh->e_shoff + i * sizeof(sh),
		       sizeof(sh));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		if (sh.sh_link >= eh->e_shnum ||
		    !inside(elf, sh.sh_offset, sh.sh_size))
			return -1;
		memcpy(&strtab,
		       elf->file + eh->e_shoff + sh.sh_link * sizeof(sh),
		       sizeof(strtab));
		if (!inside(elf, strtab.sh_offset, strtab.sh_size) ||
		    strtab.sh_size == 0)
			return -1;
		size_t n = sh.sh_size / sizeof(Elf32_Sym);

		elf->sym = calloc(n + 1, sizeof(*elf->sym));
		if (!elf->sym)
			return -1;
		for (size_t k = 0; k < n; k++) {
			Elf32_Sym s;

			memcpy(&s, elf->file + sh.sh_offset + k * sizeof(s),
			       sizeof(s));
			if (s.st_name == 0 || s.st_name >= strtab.sh_size)
				continue;
			const char *nm = (const char *)elf->file +
					 strtab.sh_offset + s.st_name;
			size_t max = strtab.sh_size - s.st_name;

			if (strnlen(nm, max) == max) /* unterminated */
				return -1;
			elf->sym[elf->sym_count].name = strdup(nm);
			elf->sym[elf->sym_count++].value = s.st_value;
		}
		return 0;
	}
	return 0;
}

int uc_elf_load(struct uc_elf *elf, const char *path)
{
	Elf32_Ehdr eh;

	memset(elf, 0, sizeof(*elf));
	if (read_file(elf, path) != 0) {
		fprintf(stderr, "uc: cannot read %s\n", path);
		uc_elf_free(elf);
		return -1;
	}
	if (!inside(elf, 0, sizeof(eh)) ||
	    memcmp(elf->file, ELFMAG, SELFMAG) != 0 ||
	    elf->file[EI_CLASS] != ELFCLASS32 ||
	    elf->file[EI_DATA] != ELFDATA2LSB) {
		fprintf(stderr, "uc: %s: not a little-endian ELF32 file\n",
			path);
		uc_elf_free(elf);
		return -1;
	}
	memcpy(&eh, elf->file, sizeof(eh));
	if (eh.e_machine != EM_ARM || eh.e_type != ET_EXEC ||
	    load_segments(elf, &eh) != 0 || load_symbols(elf, &eh) != 0) {
		fprintf(stderr, "uc: %s: not a well-formed ARM executable\n",
			path);
		uc_elf_free(elf);
		return -1;
	}
	return 0;
}

void uc_elf_free(struct uc_elf *elf)
{
	for (size_t i = 0; i < elf->sym_count; i++)
		free(elf->sym[i].name);
	free(elf->sym);
	free(elf->seg);
	free(elf->file);
	memset(elf, 0, sizeof(*elf));
}

int uc_elf_symbol(const struct uc_elf *elf, const char *name, uint32_t *value)
{
	for (size_t i = 0; i < elf->sym_count; i++) {
		if (strcmp(elf->sym[i].name, name) == 0) {
			*value = elf->sym[i].value;
			return 0;
		}
	}
	return -1;
}
