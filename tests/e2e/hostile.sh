# hostile.sh: function names built to break every output format (markup,
# Markdown, pipes, backticks, "]]>", "</script>", quotes, control bytes,
# newlines, invalid UTF-8, 3000 characters) must change nothing: each output
# stays well-formed, no name adds an element, a link, a script or a table
# cell. The profiles come from profdiff-test --write-fixtures.
PDTEST=${PD_TEST:-$(dirname "$PD")/profdiff-test}
H=$TMP/hostile
mkdir -p "$H"
if [ ! -x "$PDTEST" ]; then
  skip "hostile names" "no $PDTEST (zig build tests)"
else
  "$PDTEST" --write-fixtures "$H" || bad "write hostile fixtures" "profdiff-test failed"
  expect_rc "report on hostile names (the gate trips: exit 1)" 1 report -o "$H/out" --demangle full --title '<b>title</b> | `x`' \
    --fail-on 'function>1MB' "$H/hostile-before.pb.gz" "$H/hostile-after.pb.gz"
  head -c 400 "$err" | grep -q $'\x1b' && bad "summary line has no raw escape bytes" "$(head -c 200 "$err")" || ok "summary line has no raw escape bytes"
  o=$H/out
  # JSON: parses, every name is valid UTF-8, 15 functions
  jq -e '(.functions | length) == 15' "$o/report.json" >/dev/null && ok "hostile json parses" || bad "hostile json parses" "$(head -c 200 "$o/report.json")"
  iconv -f UTF-8 -t UTF-8 "$o/report.json" >/dev/null && ok "hostile json is UTF-8" || bad "hostile json is UTF-8" ""
  grep -q '</script>' "$o/report.json" && bad "json has no raw </script>" "found" || ok "json has no raw </script>"
  # JUnit: well-formed XML
  xmllint --noout "$o/junit.xml" 2>"$TMP/x" && ok "hostile junit.xml is well-formed" || bad "hostile junit.xml" "$(head -3 "$TMP/x")"
  # Markdown through cmark-gfm: every table row has the header's cell count,
  # and the only elements are the ones the report makes
  cmark-gfm -e table "$o/report.md" >"$H/md.html"
  awk '/<table>/{t++; w=-1} /<tr>/{c=0} /<t[hd][ >]/{c++} /<\/tr>/{ if (w<0) w=c; else if (c!=w) { print "table " t ": row with " c " cells, header " w; bad=1 } } END{exit bad}' "$H/md.html" \
    && ok "report.md tables keep their width" || bad "report.md tables keep their width" "$(awk '/<table>/{t++; w=-1} /<tr>/{c=0} /<t[hd][ >]/{c++} /<\/tr>/{ if (w<0) w=c; else if (c!=w) print "table " t ": " c " vs " w }' "$H/md.html" | head -3)"
  for tag in img script b a h1 h2 h3 strong em; do
    eval "n_$tag=\$(xmllint --html --xpath 'count(//$tag)' \"\$H/md.html\" 2>/dev/null)"
  done
  [ "$n_img" = 0 ] && [ "$n_script" = 0 ] && [ "$n_b" = 0 ] && [ "$n_strong" -le 3 ] && [ "$n_em" = 0 ] \
    && ok "report.md adds no markup from names" || bad "report.md adds no markup" "img=$n_img script=$n_script b=$n_b strong=$n_strong em=$n_em"
  xmllint --html --xpath '//a/@href' "$H/md.html" 2>/dev/null | grep -qi javascript && bad "no javascript: link" "found" || ok "no javascript: link"
  check "title escaped in report.md" grep -q '^\*\*\\<b\\>title\\</b\\> \\| \\`x\\`\*\*' "$o/report.md"
  # HTML: two scripts (ours), no element made from a name
  xmllint --html --noout "$o/report.html" 2>"$TMP/x"
  s=$(xmllint --html --xpath 'count(//script)' "$o/report.html" 2>/dev/null)
  i=$(xmllint --html --xpath 'count(//img[not(@alt="trend")])' "$o/report.html" 2>/dev/null)
  b=$(xmllint --html --xpath 'count(//b)' "$o/report.html" 2>/dev/null)
  [ "$s" = 2 ] && [ "$i" = 0 ] && [ "$b" = 0 ] && ok "report.html adds no markup from names" || bad "report.html adds no markup" "script=$s img=$i b=$b"
  grep -c '<code>' "$o/report.html" | grep -qv '^0$' && ok "names are code in report.html" || bad "names are code in report.html" ""
  grep -q '&lt;img src=x onerror=alert(1)&gt;' "$o/report.html" && ok "markup name shown as text" || bad "markup name shown as text" ""
fi
