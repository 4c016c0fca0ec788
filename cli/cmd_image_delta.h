/*
 * `flashkit image delta`, `image apply` and `image compress`: patch and
 * compressed images (docs/delta.md), subcommands of `flashkit image`.
 */
#ifndef FLASHKIT_CLI_CMD_IMAGE_DELTA_H
#define FLASHKIT_CLI_CMD_IMAGE_DELTA_H

int fk_image_delta(int argc, char **argv);
int fk_image_apply(int argc, char **argv);
int fk_image_compress(int argc, char **argv);

#endif
