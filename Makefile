# Thin wrapper over CMake. Every target installs missing Debian packages
# first (scripts/deps.sh: apt-get as root, otherwise it prints the command).
#
#   make          host tool, library, simulator and tests (build/host;
#                 the compiler's output goes to build/host/build.log, V=1
#                 shows it)
#   make check    all tests through ctest, the host tests again with
#                 ASan+UBSan (build/asan), the fuzz smoke run and the
#                 Cortex-M builds, side by side (scripts/check.sh)
#   make size     text/data/bss of the device-side library per Cortex-M,
#                 and of each flash driver (ports/stm32, ports/nor) for
#                 Cortex-M3, M4F and M7
#   make bench    the benchmarks in bench/ (figures go to bench/RESULTS.md)
#   make demo     the end-to-end story on the examples
#   make fuzz     builds the libFuzzer targets and runs each for FUZZ_SECONDS
#   make kv-sweep the settings store's long power-cut sweep
#   make sweep-ports  the boot and settings-store power-cut sweeps through
#                 the flash drivers on their register models, in full
#   make sweep-lite  the lite and flag boot cores' sweeps and histories in full
#                 (ctest runs them CI-sized: tests/boot/CMakeLists.txt)
#   make target-crypto  the mbedTLS crypto port for Cortex-M3/M4F, built
#                 from Debian's mbedtls source package (fetched by deps)
#   make install  the flashkit command, the device library's sources and
#                 headers, the CMake package and pkg-config file into
#                 PREFIX (default /usr/local), under DESTDIR if given
#                 (docs/build-integration.md)
#   make deb      the Debian package build/deb/flashkit_<version>_<arch>.deb
#   make deb-install  as root: dpkg -i of that package, then its smoke
#                 test on /usr (tests/install/deb.sh --installed)

JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
FUZZ_SECONDS ?= 60
CTEST = ctest --output-on-failure -j $(JOBS)

.PHONY: all deps host asan check size target target-crypto bench demo fuzz fuzz-build fuzz-smoke kv-sweep sweep-ports sweep-lite clean \
	install deb deb-install

all: host

# The installer runs once per checkout (and again when scripts/deps.sh
# changes); `make deps` runs it on demand.
DEPS_STAMP = build/.deps-ok

$(DEPS_STAMP): scripts/deps.sh
	@bash scripts/deps.sh && mkdir -p build && touch $@

deps:
	@bash scripts/deps.sh && mkdir -p build && touch $(DEPS_STAMP)

host: $(DEPS_STAMP)
	@cmake -S . -B build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@bash scripts/build.sh build/host $(JOBS)

asan: $(DEPS_STAMP)
	@cmake -S . -B build/asan -DFK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@bash scripts/build.sh build/asan $(JOBS)

target: $(DEPS_STAMP)
	@for cpu in cortex-m3 cortex-m4f; do \
		cmake -S . -B build/$$cpu -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
			-DFK_CPU=$$cpu -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null && \
		bash scripts/build.sh build/$$cpu $(JOBS) || exit 1; \
	done

target-crypto: $(DEPS_STAMP)
	@for cpu in cortex-m3 cortex-m4f; do \
		cmake -S ports/crypto-mbedtls/target -B build/target-crypto/$$cpu \
			-DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/arm-none-eabi.cmake \
			-DFK_CPU=$$cpu -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null && \
		cmake --build build/target-crypto/$$cpu -j $(JOBS) >/dev/null || exit 1; \
		echo "== $$cpu: build/target-crypto/$$cpu"; \
		arm-none-eabi-size -t build/target-crypto/$$cpu/*.a | tail -1; \
	done

# The builds and test passes side by side, both cores busy to the end
# (scripts/check.sh: the host tests, the ASan+UBSan pass, the fuzz smoke
# run, the Cortex-M builds and `make size`).
check: $(DEPS_STAMP)
	@bash scripts/check.sh $(JOBS)

size: target
	@bash scripts/size.sh
	@bash scripts/size_ports.sh

bench: host
	@bash scripts/bench.sh

demo: host
	@bash scripts/demo.sh

# fuzz_targets (fuzz/CMakeLists.txt) depends on every fuzz/fuzz_*.c's
# target: one make pass builds the libraries and the targets side by side.
fuzz-build: $(DEPS_STAMP)
	@CC=clang cmake -S . -B build/fuzz -DFK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target fuzz_targets >build/fuzz/build.log 2>&1 || \
		{ tail -n 40 build/fuzz/build.log; exit 1; }

fuzz: fuzz-build
	@bash scripts/fuzz.sh build/fuzz $(FUZZ_SECONDS)

# Every fuzz target on the same 50000 inputs (seed 1) after its corpus:
# part of `make check`, deterministic, about a minute.
fuzz-smoke: fuzz-build
	@FUZZ_RUNS=50000 bash scripts/fuzz.sh build/fuzz 0

# The settings store's long power-cut sweeps, with bitmap and with
# compact sector headers (about 14 and 25 minutes of CPU: without the
# bitmap each check's gets scan the sectors back; make check runs the
# short ones).
kv-sweep: host
	@build/host/tests/kv/test_kv_powercut --long
	@build/host/tests/kv/test_kv_powercut --long --compact

# The power-cut sweeps through the flash drivers (ctest runs a subset).
sweep-ports: host
	@bash scripts/sweep_ports.sh build/host

# The lite boot core's sweeps and histories with every double cut and
# every update (ctest -L lite runs them CI-sized).
sweep-lite: host
	@cd build/host && FK_SWEEP_FULL=1 $(CTEST) -L "lite|flags"

# The update protocol's power-cut sweep alone (every second cut during a
# resumed session's keep; ctest's test_transport_sweep runs the same).
sweep-transport: host
	@build/host/tests/transport/test_transport sweep

PREFIX ?= /usr/local

install: host
	@DESTDIR="$(DESTDIR)" cmake --install build/host --prefix "$(PREFIX)"

deb: host
	@rm -f build/deb/flashkit_*.deb
	@cd build/host && cpack -G DEB -B $(CURDIR)/build/deb >/dev/null
	@ls build/deb/flashkit_*.deb

deb-install: deb
	@[ "$$(id -u)" = 0 ] || { echo "make deb-install: run it as root" >&2; exit 1; }
	@dpkg -i build/deb/flashkit_*.deb
	@bash tests/install/deb.sh --installed

clean:
	rm -rf build
