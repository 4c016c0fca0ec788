/*
 * The harness's ELF32 reader (little-endian ARM executables, as
 * arm-none-eabi-ld writes them): the PT_LOAD segments and the .symtab.
 * Nothing else of the format is read.
 */
#ifndef FLASHKIT_TESTS_UC_ELF_H
#define FLASHKIT_TESTS_UC_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uc_segment {
	uint32_t addr;	     /* run address (p_vaddr) */
	uint32_t paddr;	     /* load address (p_paddr): where the flash
			      * holds it (.data's copy in ROM) */
	uint32_t filesz;     /* bytes from the file */
	uint32_t memsz;	     /* filesz plus zero fill */
	const uint8_t *data; /* into the file image */
};

struct uc_symbol {
	char *name;
	uint32_t value;
};

struct uc_elf {
	uint8_t *file;
	size_t file_len;
	struct uc_segment *seg;
	size_t seg_count;
	struct uc_symbol *sym;
	size_t sym_count;
};

/* Reads path. Returns 0, or -1 with a message on stderr. */
int uc_elf_load(struct uc_elf *elf, const char *path);
void uc_elf_free(struct uc_elf *elf);
/* Value of a symbol (Thumb bit as in the table), 0 or -1 when absent. */
int uc_elf_symbol(const struct uc_elf *elf, const char *name, uint32_t *value);

#endif
