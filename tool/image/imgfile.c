/*
 * Reading firmware and images, writing signed images (imgfile.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "imgfile.h"

int fk_input_load(const char *path, struct fk_input *in)
{
	memset(in, 0, sizeof(*in));
	in->format = "bin";
	return fk_read_file(path, &in->data, &in->len);
}

int fk_input_load_image(const char *path, struct fk_input *in)
{
	return fk_input_load(path, in);
}

void fk_input_free(struct fk_input *in)
{
	free(in->data);
	in->data = NULL;
}

int fk_output_save(const char *path, const struct fk_sign_opts *o,
		   const struct fk_sign_result *res, const struct fk_input *in,
		   const char *hex_addr)
{
	(void)o;
	(void)in;
	(void)hex_addr;
	return fk_write_file(path, res->data, res->len);
}
