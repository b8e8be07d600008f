# fuzz_build.sh: the libFuzzer targets in tests/fuzz/ still compile against
# src/ (the zig build never sees them, and twice an API change left them
# broken until the next fuzz pass): each is checked with the C compiler's
# -fsyntax-only, a second or so for all.
FB_CC=${CC:-cc}
if ! command -v "$FB_CC" >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
  skip "fuzz targets compile" "no $FB_CC or pkg-config"
else
  fb_flags="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -fsyntax-only -Werror=implicit-function-declaration
    -Werror=incompatible-pointer-types -Werror=int-conversion -Isrc -Itests/fuzz
    $(pkg-config --cflags libprotobuf-c libxml-2.0 libcmark-gfm zlib libpcre2-8 2>/dev/null)"
  for fb_src in tests/fuzz/fuzz_*.c; do
    # shellcheck disable=SC2086
    if "$FB_CC" $fb_flags "$fb_src" 2>"$TMP/fb.err"; then ok "fuzz target compiles: $fb_src"
    else bad "fuzz target compiles: $fb_src" "$(grep -m3 error "$TMP/fb.err" | cut -c1-200)"; fi
  done
fi
