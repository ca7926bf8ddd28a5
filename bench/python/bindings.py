"""nanobind against pybind11 on the same extension: build time and call overhead.

    python bench/python/bindings.py BUILD      # BUILD: a magmadnn build tree (magmadnn_DIR)

Builds bench/python/bindings/ (one module per library, ccache off) timing each target from
clean, then times, in one process, a call that does nothing and a 1-element magmadnn add
(math::add into a new tensor) through each module. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent / "bindings"


def build(build_tree: str, out: Path) -> dict[str, float]:
    env = dict(os.environ, CCACHE_DISABLE="1")
    subprocess.run(["cmake", "-S", str(HERE), "-B", str(out), f"-Dmagmadnn_DIR={build_tree}",
                    f"-DPython_EXECUTABLE={sys.executable}", "-DCMAKE_CXX_COMPILER_LAUNCHER="],
                   check=True, capture_output=True, env=env)
    seconds = {}
    # nanobind's own library first (built once per project), then each module's translation unit
    for target in ("nanobind-static", "nb_ext", "pb_ext"):
        t0 = time.perf_counter()
        subprocess.run(["cmake", "--build", str(out), "--target", target, "-j1"], check=True,
                       capture_output=True, env=env)
        seconds[target] = time.perf_counter() - t0
    return seconds


def per_call(stmt: str, ns: dict, number: int = 200_000) -> float:
    timer = timeit.Timer(stmt, globals=ns)
    return min(timer.repeat(repeat=7, number=number)) / number * 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("build_tree")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="binding-bench-"))
    try:
        seconds = build(os.path.abspath(args.build_tree), out)
        sys.path.insert(0, str(out))
        import nb_ext  # noqa: E402
        import pb_ext  # noqa: E402

        rows = []
        for name, mod in (("nanobind", nb_ext), ("pybind11", pb_ext)):
            a, b = mod.make(1.0), mod.make(2.0)
            assert mod.value(mod.add(a, b)) == 3.0
            ns = {"m": mod, "a": a, "b": b}
            rows.append((name, per_call("m.noop()", ns), per_call("m.add(a, b)", ns)))
        print(f"build (s, -j1, no ccache): nanobind's library {seconds['nanobind-static']:.1f}, "
              f"nanobind module {seconds['nb_ext']:.1f}, pybind11 module {seconds['pb_ext']:.1f}")
        print("| binding | no-op call (ns) | 1-element add (ns) |")
        print("| --- | --- | --- |")
        for name, noop, add in rows:
            print(f"| {name} | {noop:.0f} | {add:.0f} |")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
