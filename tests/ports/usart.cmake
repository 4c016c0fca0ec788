# STM32 USART driver (ports/stm32/usart.c) on its register model
# (models/usart.c): the seed boards' lines (usart_boards.c) on both
# register sets, bytes both ways, BRR for the boards' reset clocks, line
# errors reported and cleared, and each rule of the model caught when
# the image's misuse functions break it (test_usart.c).
uc_add_image(usart_image CPU cortex-m4
	SOURCES ${FK_ROOT}/ports/stm32/usart.c
		${FK_ROOT}/ports/stm32/usart_boards.c
		${CMAKE_CURRENT_LIST_DIR}/usart_image.c
	KEEP usart_test_load usart_test_set_clock usart_test_drop
		usart_test_open usart_test_read usart_test_read_n
		usart_test_write usart_test_stat usart_test_buf
		usart_misuse_brr_while_on usart_misuse_format_while_on
		usart_misuse_write_while_off usart_misuse_write_without_txe
		usart_misuse_write_without_tc
		usart_misuse_read_without_clearing usart_misuse_no_pull_up)
uc_add_port_test(port_usart IMAGE usart_image
	SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_usart.c
		${CMAKE_CURRENT_LIST_DIR}/models/usart.c)
