/*
 * flashkit device info|confirm|reboot --port DEV: asks a device's
 * receiver of the update protocol (docs/update-protocol.md) who it is,
 * confirms its trial image, or resets it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "port_args.h"
#include "transport/link.h"

static const char *const phases[] = { "idle", "pending", "installing", "trial",
				      "reverting" };

static const char *phase_name(enum fk_boot_phase p)
{
	return (unsigned)p < 5 ? phases[p] : "unknown";
}

static void print_identity(const struct fk_upload_args *a,
			   const struct fk_tp_identity *id)
{
	const char *role = id->role == FK_TP_ROLE_BOOTLOADER ? "bootloader" :
							       "application";

	if (a->json) {
		printf("{\"port\": \"%s\", \"protocol\": %u, \"role\": \"%s\", "
		       "\"window\": %u, \"max_payload\": %u, \"phase\": "
		       "\"%s\", \"images\": [",
		       a->port, id->version, role, id->window, id->max_payload,
		       phase_name(id->phase));
		for (uint32_t i = 0; i < id->image_count; i++) {
			const struct fk_tp_image_info *im = &id->images[i];

			printf("%s{\"valid\": %s, \"version\": "
			       "\"%u.%u.%u+%u\", \"max_size\": %u}",
			       i ? ", " : "", im->valid ? "true" : "false",
			       im->major, im->minor, im->revision, im->build,
			       im->max_size);
		}
		printf("]}\n");
		return;
	}
	printf("%s: flashkit update protocol %u, answered by the %s\n", a->port,
	       id->version, role);
	printf("  window %u frames of up to %u bytes; boot state: %s\n",
	       id->window, id->max_payload, phase_name(id->phase));
	for (uint32_t i = 0; i < id->image_count; i++) {
		const struct fk_tp_image_info *im = &id->images[i];

		if (im->valid)
			printf("  image %u: runs %u.%u.%u+%u; takes images up "
			       "to %u bytes\n",
			       i, im->major, im->minor, im->revision, im->build,
			       im->max_size);
		else
			printf("  image %u: no valid image; takes images up "
			       "to %u bytes\n",
			       i, im->max_size);
	}
}

enum action { INFO, CONFIRM, REBOOT };

static int device_run(int argc, char **argv, enum action what,
		      const struct fk_command_help *help,
		      struct fk_upload_args *a)
{
	struct fk_tp_client *c = malloc(sizeof(*c));
	struct fk_link l = { -1, NULL };
	struct fk_tp_identity id;
	struct fk_tp_io io;
	int npos, rc = fk_opt_parse(help, argc, argv, &npos);

	if (!c) {
		fk_error("out of memory");
		return FK_EXIT_IO;
	}
	if (rc != 0 || npos != 0 || !a->port || fk_port_args_finish(a)) {
		if (rc == 0)
			fk_error("usage: %s", help->usage);
		free(c);
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	}
	if (fk_link_open(&l, a->port, a->baud, fk_cli_diag())) {
		free(c);
		return FK_EXIT_IO;
	}
	fk_link_io(&l, &io);
	fk_tp_client_init(c, &io);
	c->timeout_ms = (int)a->timeout_ms;
	rc = what == INFO    ? fk_tp_identify(c, &id, fk_cli_diag()) :
	     what == CONFIRM ? fk_tp_confirm(c, fk_cli_diag()) :
			       fk_tp_reboot(c, fk_cli_diag());
	fk_link_close(&l);
	free(c);
	if (rc == FK_TP_LOST && what == REBOOT) {
		printf("%s: rebooting (it reset before its reply came)\n",
		       a->port);
		return FK_EXIT_OK;
	}
	if (rc == FK_TP_LOST) {
		fk_port_no_answer(a->port);
		return FK_EXIT_IO;
	}
	if (rc != 0)
		return FK_EXIT_FAIL;
	if (what == INFO)
		print_identity(a, &id);
	else if (!a->json)
		printf("%s: %s\n", a->port,
		       what == CONFIRM ? "confirmed" : "rebooting");
	return FK_EXIT_OK;
}

static int device_info(int argc, char **argv)
{
	static struct fk_upload_args a;
	static const struct fk_option options[] = {
		FK_PORT_OPTIONS(a),
		{ 0, "json", NULL, "print JSON", 0, &a.json, NULL, NULL },
	};
	static const struct fk_command_help help = {
		.usage = "flashkit device info --port DEV [--baud N] [--json]",
		.summary = "Asks the device on DEV who answers (bootloader or "
			   "application), the version of each image it runs, "
			   "its boot state and the largest image it takes.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};

	return device_run(argc, argv, INFO, &help, &a);
}

static int device_confirm(int argc, char **argv)
{
	static struct fk_upload_args a;
	static const struct fk_option options[] = { FK_PORT_OPTIONS(a) };
	static const struct fk_command_help help = {
		.usage = "flashkit device confirm --port DEV [--baud N]",
		.summary = "Confirms the image on trial so that it stays "
			   "installed (what the application does itself after "
			   "its self-test).",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};

	return device_run(argc, argv, CONFIRM, &help, &a);
}

static int device_reboot(int argc, char **argv)
{
	static struct fk_upload_args a;
	static const struct fk_option options[] = { FK_PORT_OPTIONS(a) };
	static const struct fk_command_help help = {
		.usage = "flashkit device reboot --port DEV [--baud N]",
		.summary = "Resets the device, so its bootloader installs what "
			   "an upload marked.",
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};

	return device_run(argc, argv, REBOOT, &help, &a);
}

static const struct fk_subcommand subs[] = {
	{ "confirm", device_confirm, "confirm the image on trial" },
	{ "info", device_info, "who answers, what runs, the boot state" },
	{ "reboot", device_reboot, "reset the device" },
};

int cmd_device(int argc, char **argv)
{
	return fk_subcommand_run("device", subs, sizeof(subs) / sizeof(subs[0]),
				 argc, argv);
}
