# notes.sh: report --notes is contained (issue 14). Whatever the notes hold
# (an unclosed code fence, an unclosed <!-- or <script>, a table, a list, a
# setext underline, link reference definitions), report.md rendered by
# cmark-gfm shows the generated sections exactly as without notes: the
# notes are one block quote, closed before the report goes on.
NT=$TMP/notes
mkdir -p "$NT"
n1=samples/leak/snapshots/heap-000-2026-11-22T19:06:51Z.pb.gz
n2=samples/leak/snapshots/heap-009-2026-11-22T19:07:10Z.pb.gz
if ! command -v cmark-gfm >/dev/null 2>&1; then
  skip "notes" "no cmark-gfm (apt-get install cmark-gfm)"
elif ! command -v python3 >/dev/null 2>&1; then
  skip "notes" "no python3"
else
  expect_rc "report without notes" 0 report --output-format md -o "$NT/plain" "$n1" "$n2"
  cmark-gfm -e table "$NT/plain/report.md" >"$NT/plain.html"
  i=0
  for payload in \
    '```go\nfunc leak() {' \
    '~~~~\nunclosed tilde fence' \
    'before\n<!-- a comment that never ends\n\nstill hidden?' \
    '<script>\nvar x = 1;\n\nstill script' \
    '<pre>\nunclosed pre\n\n| not | a | table |' \
    '<?php echo 1;\n\nmore' \
    '<![CDATA[ unclosed\n\nmore' \
    '<div>\nan html block\nwith no blank line after' \
    '| a | b |\n| --- | --- |\n| 1 | 2 |' \
    '- a list\n  - nested\n    continued' \
    'A setext candidate\n' \
    '[growth]: javascript:alert(1)\n[Leak suspects]: javascript:alert(2)\n[report.json]: javascript:alert(3)' \
    'a line ending in a backslash\\' \
    '    indented code with no end' \
    '> a quote of its own\n> > nested\nlazy continuation' \
    'CR only\rline\r```\rcode' \
    '1. an ordered list\n2. without an end\n' \
    '[^1]: a footnote definition\n\nsee [^1]'; do
    i=$((i + 1))
    # under valgrind three stand for all (one code path, the quoting of
    # each line): a fence, a comment, CR line ends
    if [ -n "${PD_WRAP:-}" ]; then case $i in 1 | 3 | 16) ;; *) continue ;; esac; fi
    printf -- "$payload" >"$NT/notes$i.md"
    run report --output-format md --notes "$NT/notes$i.md" -o "$NT/r$i" "$n1" "$n2"
    if [ "$rc" != 0 ]; then
      bad "notes $i: report" "exit $rc: $(head -c 200 "$err")"
      continue
    fi
    cmark-gfm -e table -e footnotes "$NT/r$i/report.md" >"$NT/r$i.html"
    # what follows the notes' block quote must be what follows the first
    # line without notes, byte for byte
    if python3 - "$NT/plain.html" "$NT/r$i.html" <<'EOF'; then ok "notes $i: the generated sections render as written"; else bad "notes $i: contained" "$(printf '%s' "$payload" | head -c 80)"; fi
import re, sys
plain = open(sys.argv[1]).read()
with_notes = open(sys.argv[2]).read()
assert "<blockquote>" not in plain
# the first heading: report.md's verdict line (a comment's first line)
first = re.compile(r"</h[1-6]>\n")
rest_plain = plain[first.search(plain).end():]
# the notes are one top-level quote right after it
m = first.search(with_notes)
rest = with_notes[m.end():] if m else ""
assert m and rest.startswith("<blockquote>\n"), rest[:80]
# the last top-level quote end: nested ones are inside it
end = rest.rfind("</blockquote>\n")
assert end >= 0
tail = rest[end + len("</blockquote>\n"):]
# footnotes, if the notes defined one, are listed at the very end
if '<section class="footnotes"' in tail:
    tail = tail[:tail.index('<section class="footnotes"')]
sys.exit(0 if tail == rest_plain else 1)
EOF
  done
fi
