/* No logging in the measured MCUboot. */
#ifndef __MCUBOOT_LOGGING_H__
#define __MCUBOOT_LOGGING_H__
#define MCUBOOT_LOG_MODULE_DECLARE(domain)
#define MCUBOOT_LOG_MODULE_REGISTER(domain)
#define MCUBOOT_LOG_ERR(...) IGNORE(__VA_ARGS__)
#define MCUBOOT_LOG_WRN(...) IGNORE(__VA_ARGS__)
#define MCUBOOT_LOG_INF(...) IGNORE(__VA_ARGS__)
#define MCUBOOT_LOG_DBG(...) IGNORE(__VA_ARGS__)
#define MCUBOOT_LOG_SIM(...) IGNORE(__VA_ARGS__)
#endif
