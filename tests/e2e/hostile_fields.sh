# hostile_fields.sh: every string field of a pprof profile in turn (sample
# and period types and units, comment, doc URL, mapping file and build id,
# function, system and file names, label key, value and unit, drop/keep
# frames, default sample type), and the input file's own name, holds one
# payload of every kind of trouble (profdiff-test --write-hostile-fields:
# markup, script ends, quotes, comment ends, fences, pipes, ESC sequences,
# CR and newlines, invalid UTF-8, XML-forbidden controls, NUL, 3,000
# characters). For each: the report's files parse (report.json strictly,
# the SVGs and junit.xml with libxml2), report.md rendered by cmark-gfm and
# report.html parsed by libxml2 hold no element the payload made, and
# nothing printed (stderr, top's table) carries a control character.
# tests/browser/check.mjs loads the same report.html files in Chromium.
PDTEST=${PD_TEST:-$(dirname "$PD")/profdiff-test}
HF=$TMP/hostile_fields
mkdir -p "$HF"
# a terminal must get none of: C0 controls but newline, DEL, C1 controls,
# U+2028/9, bidi overrides and isolates
S_ctl='[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9\xaa-\xae]|\xe2\x81[\xa6-\xa9]'
term_clean() { LC_ALL=C perl -ne "exit 1 if /$S_ctl/" "$@"; }
# report.json: UTF-8, no NaN/Infinity, no duplicate keys
json_strict() {
  python3 - "$1" <<'EOF'
import json, sys
def pairs(kv):
    keys = [k for k, _ in kv]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(kv)
def bad(c):
    raise ValueError("non-standard constant " + c)
with open(sys.argv[1], encoding="utf-8", errors="strict") as f:
    json.load(f, object_pairs_hook=pairs, parse_constant=bad)
EOF
}
# elements and attributes an injection would add, in an HTML file (report.html's
# own graphs are inline <svg>, each a <figure>'s child with its own <style>,
# and the legends under them; its own h1 elements are $2, default 1: the title)
html_injected() {
  xmllint --html --xpath "count(//script) + count(//img[not(@alt='trend')]) + count(//svg[not(parent::figure) and not(@class='pd-legend')]) + count(//iframe) + count(//object) + count(//*[@*[starts-with(name(),'on')]]) + count(//a[starts-with(normalize-space(@href),'javascript')]) + count(//style[not(parent::svg[parent::figure])]) + count(//b) + count(//h1) - ${2:-1}" "$1" 2>/dev/null
}
# report.md without the raw HTML it writes itself (a comment's <details>
# blocks, whose summaries are its own words, and the --comment-id marker)
md_own_html_out() {
  grep -Ev '^(<details><summary>[A-Za-z ,]+( \([0-9]+\))?</summary>|</details>|<!-- profdiff:[A-Za-z0-9._-]+ -->)$' "$1"
}

if [ ! -x "$PDTEST" ]; then
  skip "hostile fields" "no $PDTEST (zig build tests)"
elif ! command -v cmark-gfm >/dev/null || ! command -v xmllint >/dev/null || ! command -v python3 >/dev/null; then
  skip "hostile fields" "cmark-gfm, xmllint and python3 needed"
else
  "$PDTEST" --write-hostile-fields "$HF" || bad "write hostile-field profiles" "profdiff-test failed"
  # the input's own name: everything a file name may hold but '/' and NUL
  hname=$'h<img src=x onerror=alert(9)>"\' `|x|` ]]> -->\x1b[2J\x1b]0;t\x07\r\nprofdiff: forged\xff\xc2\x9b.pb.gz'
  cp "$HF/all-1.pb.gz" "$HF/1-$hname"
  cp "$HF/all-2.pb.gz" "$HF/2-$hname"
  fields="sample_type sample_unit period_type period_unit comment doc_url mapping_file build_id function_name
    system_name file_name label_key label_value label_unit drop_frames keep_frames default_sample_type all filename"
  # under valgrind the fields that reach most outputs stand for all
  [ -n "${PD_WRAP:-}" ] && fields="all filename"
  nfail=0
  for f in $fields; do
    a=$HF/$f-1.pb.gz b=$HF/$f-2.pb.gz o=$HF/out-$f
    [ "$f" = filename ] && a=$HF/1-$hname b=$HF/2-$hname
    gran=function
    case "$f" in file_name | mapping_file | build_id) gran=line ;; esac
    run report -o "$o" --granularity "$gran" --comment-id hostile-fields --fail-on 'total>1%' "$a" "$b"
    t=$TMP/hf-term-$f
    cp "$err" "$t"
    if [ "$rc" = 2 ] && { [ "$f" = drop_frames ] || [ "$f" = keep_frames ]; }; then
      # a profile the payload makes unreadable (a drop_frames that is not a
      # regular expression): one line, named, terminal-safe
      [ "$(wc -l <"$err")" = 1 ] || { bad "hostile $f: error is one line" "$(head -c 300 "$err" | cat -v)"; nfail=$((nfail + 1)); }
    elif [ "$rc" != 1 ]; then
      bad "hostile $f: report exits 1 (its gate trips)" "exit $rc: $(head -c 300 "$err" | cat -v)"
      nfail=$((nfail + 1))
      continue
    fi
    for cmd in top "top --granularity line" "flame -o $HF/flame-$f.svg" "flame --diff -o $HF/diff-$f.svg"; do
      set -- "$a"
      case "$cmd" in *diff*) set -- "$a" "$b" ;; esac
      ${PD_WRAP:-} "$PD" $cmd "$@" >>"$t" 2>&1
    done
    term_clean "$t" || { bad "hostile $f: no control character reaches the terminal" "$(LC_ALL=C grep -naP "$S_ctl" "$t" | head -3 | cut -c1-200 | cat -v)"; nfail=$((nfail + 1)); }
    for svg in "$HF/flame-$f.svg" "$HF/diff-$f.svg"; do
      [ -e "$svg" ] || continue
      xmllint --noout "$svg" 2>"$TMP/x" || { bad "hostile $f: $(basename "$svg") is well-formed" "$(head -2 "$TMP/x")"; nfail=$((nfail + 1)); }
    done
    [ "$rc" = 1 ] || continue
    json_strict "$o/report.json" 2>"$TMP/x" || { bad "hostile $f: report.json parses strictly" "$(tail -1 "$TMP/x")"; nfail=$((nfail + 1)); }
    for x in "$o"/*.svg "$o/junit.xml"; do
      xmllint --noout "$x" 2>"$TMP/x" || { bad "hostile $f: $(basename "$x") is well-formed" "$(head -2 "$TMP/x")"; nfail=$((nfail + 1)); }
    done
    # report.md: cmark-gfm (safe by default) finds no raw HTML but its own,
    # and with raw HTML let through it makes no element the payload wrote
    md_own_html_out "$o/report.md" | cmark-gfm -e table >"$HF/md-$f.html"
    cmark-gfm -e table --unsafe "$o/report.md" >"$HF/md-unsafe-$f.html"
    if grep -q 'raw HTML omitted' "$HF/md-$f.html" || [ "$(html_injected "$HF/md-unsafe-$f.html" 0)" != 0 ]; then
      bad "hostile $f: report.md holds no raw HTML" "$(grep -c 'raw HTML omitted' "$HF/md-$f.html") omitted, $(html_injected "$HF/md-unsafe-$f.html" 0) injected"
      nfail=$((nfail + 1))
    fi
    # every table row keeps the header's cell count
    awk '/<table>/{w=-1} /<tr>/{c=0} /<t[hd][ >]/{c++} /<\/tr>/{ if (w<0) w=c; else if (c!=w) bad=1 } END{exit bad}' "$HF/md-$f.html" \
      || { bad "hostile $f: report.md tables keep their width" "a row with another cell count"; nfail=$((nfail + 1)); }
    n=$(html_injected "$o/report.html")
    s=$(xmllint --html --xpath 'count(//script)' "$o/report.html" 2>/dev/null)
    # the count allows our own two scripts and style
    [ "$n" = 3 ] && [ "$s" = 2 ] || { bad "hostile $f: report.html has no injected element" "$n elements (3 are ours), $s scripts"; nfail=$((nfail + 1)); }
    grep -q "script-src 'sha256-" "$o/report.html" && ! grep -q "unsafe-inline'[^;]*; *img" "$o/report.html" && ! grep -q "script-src[^;]*unsafe-inline" "$o/report.html" \
      || { bad "hostile $f: report.html allows only its own scripts" "$(grep -o 'script-src[^;]*' "$o/report.html" | cut -c1-120)"; nfail=$((nfail + 1)); }
  done
  [ "$nfail" = 0 ] && ok "hostile fields: $(echo $fields | wc -w) fields, every output parses, nothing injected, terminal clean"
  # the payload's text survives as text (escaped, not dropped)
  if [ -z "${PD_WRAP:-}" ]; then
    jq -e --arg p "<script>alert('s')</script>" '.sample_type | contains($p)' "$HF/out-sample_type/report.json" >/dev/null \
      && ok "hostile sample type kept as text in report.json" || bad "hostile sample type kept" "$(jq -r .sample_type "$HF/out-sample_type/report.json" | head -c 100)"
    grep -q "Values are \\\\<script\\\\>alert('s')\\\\</script\\\\>" "$HF/out-sample_type/report.md" \
      && ok "hostile sample type escaped in report.md's method" || bad "sample type escaped in report.md" "$(grep -o 'Values are.\{0,60\}' "$HF/out-sample_type/report.md")"
  fi
fi
