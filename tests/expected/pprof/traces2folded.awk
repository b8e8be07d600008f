# traces2folded.awk: `go tool pprof -traces` output -> folded stacks, root
# first, summed per stack, zero sums dropped. Names get the same substitution
# as `profdiff fold` (a ";" in a name becomes "_"). Used by regen.sh.
# go tool pprof -traces output -> folded stacks (root first), summed
/^-----------\+/ { if (n) flush(); n = 0; next }
/^ *[a-zA-Z_]+: / && n == 0 { next }   # label lines
{
  line = $0
  if (n == 0) {
    if (match(line, /^ *[^ ]+   /)) {
      v = substr(line, 1, RLENGTH); gsub(/ /, "", v); sub(/[A-Za-z]+$/, "", v)
      name = substr(line, RLENGTH + 1)
    } else next
  } else { name = line; sub(/^ +/, "", name) }
  sub(/ \((partial-)?inline\)$/, "", name)
  gsub(/;/, "_", name)
  frames[n++] = name
}
function flush(   s, i) {
  s = frames[n-1]
  for (i = n - 2; i >= 0; i--) s = s ";" frames[i]
  sum[s] += v
}
END { if (n) flush(); for (s in sum) if (sum[s] != 0) printf "%s %.0f\n", s, sum[s] }
