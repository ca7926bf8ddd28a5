"""Runs `magmadnn bench linalg --quick --json` and checks its rows: the configuration line, then
rows of the gemm, solve and fft tables with positive rates, times and ratios and finite errors.
No timing assertions: the numbers depend on the machine and its load.
Usage: python3 bench_linalg_check.py path/to/magmadnn"""
import json
import math
import subprocess
import sys


def fail(message):
    sys.exit(f"bench_linalg_check: {message}")


def check_positive(row, keys):
    for key in keys:
        value = row.get(key)
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            fail(f"{row['table']} row n={row.get('n')}: {key} = {value!r}, expected > 0")


def check_error(row, keys):
    for key in keys:
        value = row.get(key)
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            fail(f"{row['table']} row n={row.get('n')}: {key} = {value!r}, expected >= 0")


def main():
    run = subprocess.run([sys.argv[1], "bench", "linalg", "--quick", "--json"],
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        fail(f"exit status {run.returncode}\n{run.stderr}")
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    if not rows or rows[0].get("table") != "config":
        fail("the first line is not the configuration")
    config = rows[0]
    if not config.get("openblas") or config.get("threads", 0) <= 0:
        fail(f"configuration incomplete: {config}")
    tables = {}
    for row in rows[1:]:
        tables.setdefault(row.get("table"), []).append(row)
    if sorted(tables) != ["fft", "gemm", "solve"]:
        fail(f"tables {sorted(tables)}, expected fft, gemm, solve")
    for row in tables["gemm"]:
        check_positive(row, ["n", "magmadnn_gflops", "loop_gflops", "onednn_loop_gflops",
                             "vs_loop"])
        if (config["blis"] is None) != (row["blis_loop_gflops"] is None):
            fail(f"gemm row n={row['n']}: BLIS numbers and the configuration disagree")
        if row["blis_loop_gflops"] is not None:
            check_positive(row, ["blis_loop_gflops"])
        if row["loop"] not in ("serial", "omp"):
            fail(f"gemm row n={row['n']}: loop = {row['loop']!r}")
        if config["libxsmm"] is None:
            if row["libxsmm_gflops"] is not None or row["vs_libxsmm"] is not None:
                fail(f"gemm row n={row['n']}: libxsmm numbers without libxsmm")
        elif row["libxsmm_gflops"] is not None:
            check_positive(row, ["libxsmm_gflops", "vs_libxsmm"])
    for row in tables["solve"]:
        check_positive(row, ["n", "dgesv_s", "mixed_s", "speedup"])
        check_error(row, ["dgesv_backward_error", "mixed_backward_error", "iterations"])
        if not row.get("method"):
            fail(f"solve row n={row['n']}: no method")
    for row in tables["fft"]:
        check_positive(row, ["n", "fftw_ms", "split_ms", "ratio"])
        check_error(row, ["fftw_error", "split_error"])
    counts = ", ".join(f"{name} {len(tables[name])}" for name in ("gemm", "solve", "fft"))
    print(f"bench linalg --quick --json: {counts} rows, ok")


if __name__ == "__main__":
    main()
