#!/usr/bin/env bash
# packaging/deb.sh BINARY OUTDIR: the Debian package of a built profdiff,
# written to OUTDIR/profdiff_VERSION_ARCH.deb (its path is printed).
# `zig build deb` runs it on the release binary with OUTDIR zig-out/.
#
# The package holds /usr/bin/profdiff (stripped), the manual page, the
# nightly script and the GitLab note script (/usr/share/profdiff/nightly.sh
# and gitlab-note.sh, docs/ci.md), the copyright
# file and changelog.Debian.gz. Depends is computed by dpkg-shlibdeps from
# the libraries the binary links, so it names exactly the library packages
# of the machine it was built on (build on the oldest release you support);
# the scripts' curl and jq are Suggests (only they need them).
# The Debian version is packaging/changelog's first entry, which must carry
# the binary's own version (`profdiff --version`). The package is
# reproducible: file times come from that entry's date (SOURCE_DATE_EPOCH).
# Check it with `lintian zig-out/profdiff_*.deb`.
set -euo pipefail
bin=$(realpath "${1:?usage: packaging/deb.sh BINARY OUTDIR}")
out=$(realpath -m "${2:?usage: packaging/deb.sh BINARY OUTDIR}")
cd "$(dirname "$0")/.."
for tool in dpkg-deb dpkg-shlibdeps strip; do
  command -v "$tool" >/dev/null || {
    echo "deb.sh: $tool is missing: apt-get install -y dpkg-dev binutils" >&2
    exit 2
  }
done

version=$("$bin" --version | sed -n '1s/^profdiff //p')
debver=$(sed -n '1s/^profdiff (\([^)]*\)).*/\1/p' packaging/changelog)
case "$debver" in
  "$version"-*) ;;
  *)
    echo "deb.sh: packaging/changelog's first entry is ($debver), the binary is $version: add an entry" >&2
    exit 2
    ;;
esac
maintainer=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' packaging/changelog | head -1)
date=$(sed -n 's/^ -- .*>  \(.*\)/\1/p' packaging/changelog | head -1)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date -d "$date" +%s)}
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# dpkg-shlibdeps wants a source tree: debian/control and the package's
# files under debian/PACKAGE
root=$work/debian/profdiff
umask 022
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" \
  "$root/usr/share/doc/profdiff" "$root/usr/share/profdiff" "$root/usr/share/lintian/overrides"
install -m 755 "$bin" "$root/usr/bin/profdiff"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/profdiff"
gzip -9n <docs/profdiff.1 >"$root/usr/share/man/man1/profdiff.1.gz"
install -m 755 docs/nightly.sh "$root/usr/share/profdiff/nightly.sh"
install -m 755 docs/ci/gitlab-note.sh "$root/usr/share/profdiff/gitlab-note.sh"
install -m 644 packaging/copyright "$root/usr/share/doc/profdiff/copyright"
install -m 644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/profdiff"
gzip -9n <packaging/changelog >"$root/usr/share/doc/profdiff/changelog.Debian.gz"
chmod 644 "$root/usr/share/man/man1/profdiff.1.gz" "$root/usr/share/doc/profdiff/changelog.Debian.gz"

printf 'Source: profdiff\n\nPackage: profdiff\nArchitecture: any\n' >"$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O -e debian/profdiff/usr/bin/profdiff 2>"$work/shlibdeps.err" |
  sed -n 's/^shlibs:Depends=//p') || true
if [ -z "$depends" ]; then
  echo "deb.sh: dpkg-shlibdeps found no dependencies:" >&2
  cat "$work/shlibdeps.err" >&2
  exit 2
fi

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: profdiff
Version: $debver
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Suggests: curl, jq
Section: devel
Priority: optional
Description: offline profile diff and regression reports for pprof profiles
 profdiff reads a series of heap (or CPU) profiles in one command: pprof
 protobuf, folded stacks, Go's and gperftools' text heap profiles and cgroup
 memory.stat files. It aligns call stacks by symbol and says which functions
 grow, how fast and since when, and which only looked like growth.
 .
 It writes a Markdown pull-request comment, a self-contained HTML report,
 JSON, JUnit XML, SVG flame graphs and an exit status for CI gates.
CONTROL
chmod 644 "$root/DEBIAN/control"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb=$out/profdiff_${debver}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
