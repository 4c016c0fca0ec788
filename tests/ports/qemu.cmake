# The QEMU port's file-backed flash driver under the harness, its file
# served by semihosting: the conformance suite (test_qemu_flash.c).
uc_add_image(qemu_flash_image CPU cortex-m3
	SOURCES ${FK_ROOT}/ports/qemu-mps2/qemu_flash.c
		${FK_ROOT}/ports/qemu-mps2/semihost.c ${FK_ROOT}/src/flash/flash.c
		${CMAKE_CURRENT_LIST_DIR}/qemu_image.c
	INCLUDES ${FK_ROOT}/ports/cortex-m ${FK_ROOT}/ports/qemu-mps2)
uc_add_port_test(port_qemu_flash IMAGE qemu_flash_image
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_qemu_flash.c)
