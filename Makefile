# flowlift: the two commands the README leads with are `make demo` and
# `make check`; both install what is missing first.
BUILD    ?= build
SANITIZE ?=
JOBS     ?= $(shell nproc)
CMAKE_FLAGS ?=

ifeq ($(SANITIZE),1)
BUILD := $(BUILD)-asan
CMAKE_FLAGS += -DFLOWLIFT_SANITIZE=ON
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

check: deps
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_FLAGS)

demo: deps
	$(MAKE) build
	@tools/demo $(BUILD)

golden: build
	testsuite/golden/regen $(BUILD)

clean:
	rm -rf build build-asan

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^include/uapi/')
