#!/usr/bin/env bash
# tests/recursion.sh: the recursion audit of docs/fuzzing.md, repeatable.
# Compiles src/ to LLVM bitcode with clang, links it into one module and
# lists every cycle of its call graph (a function calling itself, or a set
# of functions calling each other). Each must be in the list below, with
# the reason its depth does not follow the input; any other is a failure.
# Calls through function pointers (callbacks) are not in the graph: the
# audit in docs/fuzzing.md covers them by hand.
#   tests/recursion.sh        # prints "recursion: N passed, N failed"
cd "$(dirname "$0")/.." || exit 2
W=tests/tmp/recursion
rm -rf "$W" && mkdir -p "$W"
PKGS="libprotobuf-c libxml-2.0 libcmark-gfm zlib libpcre2-8"
# function: why its depth is bounded (not by the input)
allowed="
S_merge: util/mem.c merge sort halves n each call: depth log2(n), at most 32
S_scale: model/units.c negative values recurse once as positive: depth 2
S_sig_clear: util/publish.c a report directory and its subdirectories (depth < 2, a constant): depth 2
"
for f in $(find src -name '*.c' | sort); do
  clang -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Isrc $(pkg-config --cflags $PKGS) -O0 \
    -emit-llvm -c "$f" -o "$W/$(echo "$f" | tr / _).bc" || { echo "recursion: 0 passed, 1 failed (does not compile)"; exit 1; }
done
llvm-link "$W"/*.bc -o "$W/all.bc"
pass=0 failed=0
# one line per cycle: "SCC #n : f, g, " (several functions) or "f, (Has self-loop)"
while IFS= read -r line; do
  names=$(echo "$line" | sed 's/^SCC #[0-9]* : //; s/ *(Has self-loop)\.//; s/, *$//; s/\.[0-9]*//g')
  ok=1
  for n in $(echo "$names" | tr -d ,); do
    echo "$allowed" | grep -q "^$n: " || ok=0
  done
  if [ "$ok" = 1 ]; then pass=$((pass + 1)); echo "ok   bounded recursion: $names"
  else failed=$((failed + 1)); echo "FAIL recursion: $names (make it iterative, or say in tests/recursion.sh why its depth is bounded)"; fi
done < <(opt -enable-new-pm=0 -print-callgraph-sccs -disable-output "$W/all.bc" 2>&1 | grep -E ', .+, |Has self-loop')
echo "recursion: $pass passed, $failed failed"
[ "$failed" = 0 ]
