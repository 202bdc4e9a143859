#!/bin/sh
# seeds.sh SRC BUILD OUT GEN_SEEDS: one seed directory per fuzz target,
# from the test suite's files (see CMakeLists.txt).
set -eu
src=$1 build=$2 out=$3 gen=$4
rm -rf "$out"
for t in elf dump ir_text rules flower_nl lift; do
	mkdir -p "$out/$t"
done
# objects under 1 MB (not the million-instruction one)
objs=$(find "$build/testsuite" -name '*.bpf.o' -size -1024k | sort)
for o in $objs; do
	cp "$o" "$out/elf/$(echo "$o" | sed "s|$build/||; s|/|_|g")"
done
for f in $(find "$src/testsuite" "$src/examples" -name '*.json' | sort); do
	cp "$f" "$out/dump/$(echo "$f" | sed "s|$src/||; s|/|_|g")"
done
for f in $(find "$src/testsuite" -name '*.ir' | sort); do
	cp "$f" "$out/ir_text/$(echo "$f" | sed "s|$src/||; s|/|_|g")"
done
for f in $(find "$src/testsuite" -name '*.flower' | sort); do
	cp "$f" "$out/rules/$(basename "$f")"
done
"$gen" nl "$out/flower_nl" $(find "$src/testsuite" -name '*.flower' | sort)
"$gen" lift "$out/lift" $objs
