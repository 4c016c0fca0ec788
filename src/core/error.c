/*
 * fk_strerror: names for the FK_E* codes. The host tool prints these; the
 * device side can leave this file out when it never prints.
 */
#include "flashkit/error.h"

struct error_name {
	int code;
	const char *text;
};

static const struct error_name error_names[] = {
	{ FK_OK, "FK_OK: success" },
	{ FK_EINVAL, "FK_EINVAL: invalid argument" },
	{ FK_ERANGE, "FK_ERANGE: address range outside the flash or area" },
	{ FK_EALIGN, "FK_EALIGN: not aligned to the write unit or sector" },
	{ FK_ENOSPC, "FK_ENOSPC: no room left" },
	{ FK_ENOENT, "FK_ENOENT: not found" },
	{ FK_ENOTSUP, "FK_ENOTSUP: not supported by this build or port" },
	{ FK_EABI, "FK_EABI: caller and library built with different "
		   "compile-time sizes" },
	{ FK_EIO, "FK_EIO: flash driver failure" },
	{ FK_EPROTECT, "FK_EPROTECT: write-protected range" },
	{ FK_ENOTERASED,
	  "FK_ENOTERASED: program would set a bit back to the erased state" },
	{ FK_EPROGONCE,
	  "FK_EPROGONCE: write unit already programmed (program-once flash)" },
	{ FK_EECC, "FK_EECC: ECC error reading a torn write unit" },
	{ FK_EPOWER, "FK_EPOWER: power is off" },
	{ FK_ECORRUPT, "FK_ECORRUPT: content fails its integrity checks" },
	{ FK_EBADIMG, "FK_EBADIMG: malformed image header or TLV area" },
	{ FK_EDIGEST, "FK_EDIGEST: image digest does not match" },
	{ FK_ESIG, "FK_ESIG: signature missing or invalid" },
	{ FK_EKEY, "FK_EKEY: no matching or usable key" },
	{ FK_EDOWNGRADE, "FK_EDOWNGRADE: downgrade refused" },
	{ FK_EDEPEND, "FK_EDEPEND: image dependency not met" },
	{ FK_ESTATE, "FK_ESTATE: not valid in the current state" },
	{ FK_EMISMATCH,
	  "FK_EMISMATCH: made with another configuration or format" },
};

const char *fk_strerror(int err)
{
	for (unsigned i = 0; i < sizeof(error_names) / sizeof(error_names[0]);
	     i++) {
		if (error_names[i].code == err)
			return error_names[i].text;
	}
	return "unknown flashkit error";
}
