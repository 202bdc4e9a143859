# flowlift: the two commands the README leads with are `make demo` and
# `make check`; both install what is missing first.
BUILD    ?= build
SANITIZE ?=
JOBS     ?= $(shell nproc)
CMAKE_FLAGS ?=

ifeq ($(SANITIZE),1)
BUILD := $(BUILD)-asan
CMAKE_FLAGS += -DFLOWLIFT_SANITIZE=ON
# Leaks fail a test as any other ASan report does; UBSan reports stop the
# program (the build has -fno-sanitize-recover) with a stack.
export ASAN_OPTIONS ?= detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
endif
ifeq ($(CI),true)
CMAKE_FLAGS += -DFLOWLIFT_WERROR=ON
endif

.PHONY: all build deps check demo golden bench fuzz clean format

all: build

deps:
	@tools/install-deps $(if $(filter true,$(CI)),--e2e,)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The verify corpus table (program, rules, coverage, time) closes the run,
# pass or fail.
VERIFY_RESULTS = $(BUILD)/testsuite/verify/results

check: deps
	$(MAKE) build
	(cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)); \
	rc=$$?; \
	if [ -d $(VERIFY_RESULTS) ]; then \
		testsuite/verify/run-verify --summary $(VERIFY_RESULTS); fi; \
	exit $$rc

demo: deps
	$(MAKE) build
	@tools/demo $(BUILD)

# libFuzzer targets, each run FUZZ_SECONDS over its corpus (fuzz/run),
# JOBS at a time; fails if any found a crash, leak or timeout.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= $(shell command -v clang-14 || command -v clang)

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=$(FUZZ_CC) \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLOWLIFT_FUZZ=ON \
		-DFLOWLIFT_FUZZ_SECONDS=$(FUZZ_SECONDS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	printf '%s\n' elf dump ir_text rules flower_nl lift | \
		xargs -P $(JOBS) -I{} fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS) {}

golden: build
	testsuite/golden/regen $(BUILD)
	testsuite/devtools/regen $(BUILD)

clean:
	rm -rf build build-asan build-fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^include/uapi/')

# bench/run: Release build in build-bench (BENCH_BUILD), every benchmark,
# BENCHMARKS.md; BENCH_FULL=1 for the large sizes.
bench:
	bench/run $(BENCH_BUILD)
