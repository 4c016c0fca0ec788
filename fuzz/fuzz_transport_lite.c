/*
 * libFuzzer target: fuzz_transport.c's on a lite bootloader's serial
 * recovery. The receiver (src/transport/receiver.c) and the update API
 * (src/boot/lite_app.c) are built as a lite product builds them
 * (FK_BOOT_LITE: images checked by fk_image_check_lite(), the boot state
 * kept by lite_state.c), the receiver answers as a bootloader, and
 * fk_boot_lite() boots afterwards. The same checks: whatever comes in on
 * the line, nothing crashes, the protected bootloader is never written,
 * and the boot starts the old image or a validated one, never anything
 * else.
 */
#define FUZZ_TP_ROLE FK_TP_ROLE_BOOTLOADER
#define FUZZ_BOOT_CORE fk_boot_lite
#include "fuzz_transport.c"
