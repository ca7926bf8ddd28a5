# Sourced by the dist shell tests. rank_pid PATTERN RANK: the PID of the magmadnn process of
# rank RANK (Open MPI's OMPI_COMM_WORLD_RANK) whose command line matches PATTERN, once it
# exists (up to 10 s); status 1 if it never does.
rank_pid() {
  for _ in $(seq 1 100); do
    for pid in $(pgrep -f "$1"); do
      if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
        if [ "$(cat /proc/$pid/comm 2>/dev/null)" = "magmadnn" ]; then echo "$pid"; return 0; fi
      fi
    done
    sleep 0.1
  done
  return 1
}
