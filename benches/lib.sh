# Shared by the side-by-side benchmark scripts (source it): timed runs and medians.

# time_run FILE CMD...: runs CMD once under /usr/bin/time (output discarded) and
# appends "wall-seconds peak-RSS-KiB" to FILE. Only time's last line is kept:
# for a command that exits non-zero (every scanner with findings) time writes
# "Command exited with non-zero status N" first.
time_run() {
  local file=$1; shift
  /usr/bin/time -f '%e %M' -o "$file.one" "$@" >/dev/null 2>&1 || true
  tail -n1 "$file.one" >>"$file"
}

# median: the median of the numbers on stdin, one a line.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
