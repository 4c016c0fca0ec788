/*
 * Error codes shared by every part of flashkit.
 *
 * Every function that can fail returns 0 (FK_OK) or one of the negative
 * codes below; fk_strerror() names them. The host tool turns a code into a
 * message that also says where (file:line:col, address, partition).
 * Codes are grouped by layer; add new ones at the end of their group.
 */
#ifndef FLASHKIT_ERROR_H
#define FLASHKIT_ERROR_H

enum fk_error {
	FK_OK = 0,

	/* Arguments and geometry */
	FK_EINVAL = -1,	 /* argument makes no sense (NULL, zero size, ...) */
	FK_ERANGE = -2,	 /* address range outside the flash or area */
	FK_EALIGN = -3,	 /* not aligned to the write unit or sector */
	FK_ENOSPC = -4,	 /* no room left (slot, store, buffer) */
	FK_ENOENT = -5,	 /* no such key, field, TLV or image */
	FK_ENOTSUP = -6, /* feature not supported by this build or port */
	FK_EABI = -7,	 /* caller built with other compile-time sizes
			    than the library (a struct's layout differs) */

	/* Flash operations */
	FK_EIO = -20,	   /* the driver reported a failure */
	FK_EPROTECT = -21, /* program or erase inside a write-protected range */
	FK_ENOTERASED =
		-22, /* program would move a bit back to the erased state */
	FK_EPROGONCE = -23, /* second program of a program-once write unit */
	FK_EECC = -24,	    /* read of a write unit whose program was torn */
	FK_EPOWER = -25,    /* simulated power is off (after a cut) */

	/* Content */
	FK_ECORRUPT =
		-40, /* content fails its own checks (CRC, magic, bounds) */
	FK_EBADIMG = -41, /* image header or TLV area malformed */
	FK_EDIGEST = -42, /* image digest does not match */
	FK_ESIG = -43,	  /* signature missing or does not verify */
	FK_EKEY = -44,	  /* no key matches, or the key is unusable */
	FK_EDOWNGRADE =
		-45,	  /* security counter or version lower than installed */
	FK_EDEPEND = -46, /* an image dependency is not met */
	FK_ESTATE = -47,  /* operation not valid in the current state */
	FK_EMISMATCH = -48, /* made with another configuration or format
			       version than the one asked for */
};

/* Name of an error code, e.g. "FK_EALIGN: not aligned to the write unit or
 * sector". Never returns NULL. */
const char *fk_strerror(int err);

#endif
