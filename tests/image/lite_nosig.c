/*
 * image_lite.c as a digest-only bootloader builds it (FK_IMAGE_LITE_NO_SIG:
 * no signature check), under another name, so that test_image_lite runs
 * it beside the full build.
 */
#define FK_IMAGE_LITE_NO_SIG
#define fk_image_check_lite fk_image_check_lite_nosig
#include "../../src/image/image_lite.c"
