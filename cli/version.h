/*
 * The version of flashkit, printed by `flashkit --version` and written
 * into the man pages. A build may give its own (-DFK_VERSION="...").
 */
#ifndef FLASHKIT_TOOL_VERSION_H
#define FLASHKIT_TOOL_VERSION_H

#ifndef FK_VERSION
#define FK_VERSION "0.1.0"
#endif

#endif
