#!/usr/bin/env python3
"""Runs the unit-test binaries of a build under valgrind memcheck, each binary once with every
test in it, two at a time, and exits non-zero when any reports an error or a definite leak.

Usage: python3 scripts/memcheck.py [BUILD] [--filter GTEST_FILTER] [--jobs N] [--only NAME,...]

The binaries are the ones behind CTest's `unit` label (not unit_gpu), run with their tests'
environment: a GoogleTest binary once with all its tests, any other (the fuzz targets' corpus
drivers) with its CTest command line. Suppressions: tests/valgrind.supp (each entry says why).
Logs go to BUILD/memcheck/<binary>.log.

f32 GEMM runs on OpenBLAS here (MAGMADNN_SGEMM=openblas unless the environment sets it):
oneDNN's JIT-generated sgemm makes 32-byte loads just past the end of its own packing buffers,
which memcheck reports from code it cannot name, so no suppression could single them out
without hiding everything. oneDNN's convolution primitives still run. Valgrind's virtual CPU
has no AVX-512, so the kernels run at the best target it reports (AVX2);
MAGMADNN_CPU_ISA=scalar in the environment runs the scalar ones."""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def unit_binaries(build):
    """{binary path: (arguments, environment)} for the tests labelled exactly `unit`."""
    out = subprocess.run(["ctest", "--test-dir", build, "-L", "^unit$", "--show-only=json-v1"],
                         capture_output=True, text=True, check=True).stdout
    found = {}
    for test in json.loads(out).get("tests", []):
        command = test.get("command") or []
        if not command:
            continue
        props = {p["name"]: p["value"] for p in test.get("properties", [])}
        env = dict(kv.split("=", 1) for kv in props.get("ENVIRONMENT", []) if "=" in kv)
        if "MAGMADNN_CPU_ISA" in env:  # the per-ISA reruns: the plain run covers the binary
            continue
        gtest = any(arg.startswith("--gtest_filter=") for arg in command[1:])
        found.setdefault(command[0], (None if gtest else command[1:], env))
    return found


def run_one(binary, args, env, build, gtest_filter):
    name = os.path.basename(binary)
    log = os.path.join(build, "memcheck", name + ".log")
    cmd = ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
           "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
           f"--suppressions={os.path.join(ROOT, 'tests', 'valgrind.supp')}",
           "--gen-suppressions=all", "--num-callers=30", f"--log-file={log}",
           binary, *(args if args is not None else [f"--gtest_filter={gtest_filter}"])]
    full_env = dict(os.environ, **env, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"),
                    MAGMADNN_SGEMM=os.environ.get("MAGMADNN_SGEMM", "openblas"))
    start = time.monotonic()
    p = subprocess.run(cmd, env=full_env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    text = open(log).read() if os.path.exists(log) else ""
    m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    errors = int(m.group(1)) if m else -1
    tests = re.search(r"\[==========\] (\d+) tests? ", p.stdout)
    passed = re.search(r"\[  PASSED  \] (\d+) test", p.stdout)
    if args is not None:  # not GoogleTest: one test, passed when it exits 0
        tests = passed = None
    return {"binary": name, "status": p.returncode, "errors": errors, "seconds": seconds,
            "tests": int(tests.group(1)) if tests else 1 if args is not None else 0,
            "passed": int(passed.group(1)) if passed else int(p.returncode == 0 and args is not None),
            "log": log,
            "tail": p.stdout[-1500:] if p.returncode not in (0, 99) else ""}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--filter", default="*")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated binary names")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    os.makedirs(os.path.join(build, "memcheck"), exist_ok=True)
    binaries = unit_binaries(build)
    if a.only:
        wanted = set(a.only.split(","))
        binaries = {b: v for b, v in binaries.items() if os.path.basename(b) in wanted}
    if not binaries:
        sys.exit(f"memcheck: no unit-test binaries found in {build} (build it first)")
    bad = 0
    total_tests = 0
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        jobs = [pool.submit(run_one, b, args, env, build, a.filter)
                for b, (args, env) in sorted(binaries.items())]
        for job in concurrent.futures.as_completed(jobs):
            r = job.result()
            total_tests += r["tests"]
            ok = r["status"] == 0 and r["errors"] == 0
            bad += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {r['binary']}: {r['passed']}/{r['tests']} tests, "
                  f"{r['errors']} valgrind errors, {r['seconds']:.0f} s ({r['log']})", flush=True)
            if r["tail"]:
                print(r["tail"], flush=True)
    print(f"memcheck: {len(binaries) - bad} of {len(binaries)} binaries clean, "
          f"{total_tests} tests run")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
