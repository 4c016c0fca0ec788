# `make install` and the Debian package: what flashkit installs, and the
# CPack settings of the .deb (`make deb`).
#
#   bin/flashkit                         the command
#   include/flashkit/*.h                 the device library's headers
#   share/flashkit/src/                  its sources (compiled by the
#                                        firmware's own toolchain)
#   share/cmake/flashkit/                find_package(flashkit): config,
#                                        version, flashkit-functions.cmake
#   share/pkgconfig/flashkit.pc          pkg-config (headers, sources)
#   share/flashkit/platformio/flashkit.py  the PlatformIO extra script
#   share/man/man1, bash and zsh completion   cli/CMakeLists.txt's own
#                                        install rules (generated from
#                                        the option tables)
#
# The package files are architecture independent (share/, not lib/): a
# cross-compiling firmware project (32-bit target) finds them too. Paths
# in them are relative to where they are installed, so DESTDIR, a
# different --prefix at install time and the .deb's /usr all work.
include(CMakePackageConfigHelpers)

# The version `flashkit version` prints.
file(GLOB _fk_cli_files ${FK_ROOT}/cli/*.c ${FK_ROOT}/cli/*.h)
foreach(f IN LISTS _fk_cli_files)
	file(STRINGS ${f} line REGEX "^#define FK_VERSION \"[0-9.]+\"")
	if(line)
		string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" FK_VERSION "${line}")
	endif()
endforeach()
if(NOT FK_VERSION)
	message(FATAL_ERROR "install.cmake: no #define FK_VERSION in cli/")
endif()

set(FK_INSTALL_BINDIR bin)
set(FK_INSTALL_INCLUDEDIR include)
set(FK_INSTALL_SRCDIR share/flashkit/src)
set(FK_INSTALL_CMAKEDIR share/cmake/flashkit)

install(TARGETS flashkit RUNTIME DESTINATION ${FK_INSTALL_BINDIR})
install(DIRECTORY ${FK_ROOT}/include/flashkit
	DESTINATION ${FK_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${FK_ROOT}/src/ DESTINATION ${FK_INSTALL_SRCDIR}
	FILES_MATCHING PATTERN "*.c" PATTERN "*.h")

set(_fk_pkg ${CMAKE_BINARY_DIR}/package)
configure_package_config_file(${FK_ROOT}/cmake/flashkit-config.cmake.in
	${_fk_pkg}/flashkit-config.cmake
	INSTALL_DESTINATION ${FK_INSTALL_CMAKEDIR}
	PATH_VARS FK_INSTALL_INCLUDEDIR FK_INSTALL_SRCDIR FK_INSTALL_BINDIR)
write_basic_package_version_file(${_fk_pkg}/flashkit-config-version.cmake
	VERSION ${FK_VERSION} COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
configure_file(${FK_ROOT}/cmake/flashkit.pc.in ${_fk_pkg}/flashkit.pc @ONLY)
install(FILES ${_fk_pkg}/flashkit-config.cmake
	${_fk_pkg}/flashkit-config-version.cmake
	${FK_ROOT}/cmake/flashkit-functions.cmake
	DESTINATION ${FK_INSTALL_CMAKEDIR})
install(FILES ${_fk_pkg}/flashkit.pc DESTINATION share/pkgconfig)
install(FILES ${FK_ROOT}/tools/platformio/flashkit.py
	DESTINATION share/flashkit/platformio)

# The Debian package (`make deb`: cpack -G DEB in the build folder).
# cpack packages what the build made (make deb builds first), and does
# not build the whole tree again (the tests run it from ctest).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME flashkit)
set(CPACK_PACKAGE_VERSION ${FK_VERSION})
set(CPACK_PACKAGE_CONTACT "flashkit developers <flashkit@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"flash layouts, signed images, bootloader and settings store for MCUs")
set(CPACK_PACKAGE_DESCRIPTION
	"The flashkit command (layout, image, merge, provision, kv, sim, upload), the device-side library's sources and headers, and a CMake package (find_package(flashkit)) with functions for firmware builds.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gcc-arm-none-eabi, cmake, openocd")
set(CPACK_STRIP_FILES ON)
include(CPack)
