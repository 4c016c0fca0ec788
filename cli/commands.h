/*
 * The subcommand table. One line per subcommand: name, entry function,
 * one-line summary. Keep it sorted by name.
 */
#ifndef FLASHKIT_TOOL_COMMANDS_H
#define FLASHKIT_TOOL_COMMANDS_H

#define FK_COMMANDS(X)                                                        \
	X(convert, cmd_convert,                                               \
	  "convert between bin, HEX, S-record, UF2, DfuSe, ELF")              \
	X(device, cmd_device,                                                 \
	  "ask a device over a serial port what it runs; confirm, reboot")    \
	X(image, cmd_image, "sign, verify and inspect MCUboot-format images") \
	X(key, cmd_key,                                                       \
	  "generate signing keys, print public keys for the bootloader")      \
	X(kv, cmd_kv, "build and dump settings store images")                 \
	X(layout, cmd_layout, "check a layout file and generate from it")     \
	X(merge, cmd_merge,                                                   \
	  "merge inputs into one production file per memory")                 \
	X(module, cmd_module,                                                 \
	  "entry table and import side of a library module")                  \
	X(provision, cmd_provision,                                           \
	  "per-device records (serials, MACs, keys) and a manifest")          \
	X(sim, cmd_sim,                                                       \
	  "prove an update survives power cuts on the layout's flash")        \
	X(upload, cmd_upload,                                                 \
	  "send an image to a device over a serial port, resumably")          \
	X(version, cmd_version, "print the version of flashkit")

#define FK_DECLARE_COMMAND(name, fn, summary) int fn(int argc, char **argv);
FK_COMMANDS(FK_DECLARE_COMMAND)
#undef FK_DECLARE_COMMAND

#endif
