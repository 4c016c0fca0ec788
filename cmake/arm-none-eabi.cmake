# Cross build of the device-side library for Cortex-M.
#   cmake -S . -B build/cm3  -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake -DFK_CPU=cortex-m3
#   cmake -S . -B build/cm4f -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake -DFK_CPU=cortex-m4f
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

if(NOT FK_CPU)
	set(FK_CPU cortex-m3)
endif()
set(FK_CPU ${FK_CPU} CACHE STRING "cortex-m3 or cortex-m4f")

if(FK_CPU STREQUAL "cortex-m3")
	set(FK_CPU_FLAGS "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
elseif(FK_CPU STREQUAL "cortex-m4f")
	set(FK_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
else()
	message(FATAL_ERROR "FK_CPU must be cortex-m3 or cortex-m4f, not '${FK_CPU}'")
endif()

set(CMAKE_C_FLAGS_INIT "${FK_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${FK_CPU_FLAGS} --specs=nano.specs")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
