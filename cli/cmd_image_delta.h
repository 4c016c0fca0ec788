/*
 * `flashkit image delta`, `image apply` and `image compress`: patch and
 * compressed images (docs/delta.md), subcommands of `flashkit image`.
 */
#ifndef FLASHKIT_CLI_CMD_IMAGE_DELTA_H
#define FLASHKIT_CLI_CMD_IMAGE_DELTA_H

int fk_image_delta(int argc, char **argv);
int fk_image_apply(int argc, char **argv);
int fk_image_compress(int argc, char **argv);

struct fk_sign_result;
struct fk_key;

/* `image sign --compress`: writes the signed image in res compressed and
 * signed with key (NULL: digest only). Refuses a padded image (--pad,
 * --confirm, --test, --pending) and a non-binary output, saying so.
 * Returns 0, or -1 after printing why. */
int fk_image_save_compressed(const char *path, const struct fk_sign_result *res,
			     struct fk_key *key);

#endif
