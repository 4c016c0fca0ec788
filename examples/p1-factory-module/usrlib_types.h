/*
 * Types of the usrlib module's API (examples/p1-factory-module): what
 * the module and the application both include. The functions
 * themselves are listed in usrlib.exports.
 */
#ifndef USRLIB_TYPES_H
#define USRLIB_TYPES_H

#include <stdint.h>

struct usrlib_vec {
	int32_t x, y;
};

#endif
