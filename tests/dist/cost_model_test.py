#!/usr/bin/env python3
"""bench/dist_cost_model.py: the fit recovers the parameters that made its data, the strategies'
formulas say what they should, and the script runs on the checked-in measurements."""
import importlib.util
import os
import random
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCRIPT = os.path.join(ROOT, "bench", "dist_cost_model.py")
spec = importlib.util.spec_from_file_location("dist_cost_model", SCRIPT)
cm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cm)

SIZES = [4096 << (2 * i) for i in range(7)]  # 4 KiB .. 16 MiB, as the bench steps


class Fit(unittest.TestCase):
    def check_recovers(self, method, model):
        seed = int.from_bytes(os.urandom(4), "little")  # fresh parameters each run
        rng = random.Random(seed)
        for _ in range(20):
            alpha, beta = 10 ** rng.uniform(-7, -4), 10 ** rng.uniform(-11, -8)
            rows = [dict(link="x", ranks=p, method=method, bytes=n,
                         seconds=model(n, p, alpha, beta)) for p in (2, 4, 16) for n in SIZES]
            a, b, worst = cm.fit(rows)
            msg = f"seed {seed}: alpha {alpha}, beta {beta}"
            self.assertLess(abs(a / alpha - 1), 1e-6, msg)
            self.assertLess(abs(b / beta - 1), 1e-6, msg)
            self.assertLess(worst, 1e-6, msg)

    def test_ring_form(self):
        self.check_recovers("ring", cm.ring)

    def test_reduce_bcast_form(self):
        self.check_recovers("reduce+bcast", lambda n, p, a, b: 2 * cm.binomial(n, p, a, b))

    def test_negative_alpha_is_refitted_as_zero(self):
        # small messages faster than the rate allows (as a token bucket's burst lets them through):
        # the two-parameter fit would need alpha < 0
        rows = [dict(link="x", ranks=2, method="ring", bytes=n,
                     seconds=n * 1e-9 * (0.9 if n < 100_000 else 1.0)) for n in SIZES]
        a, b, _ = cm.fit(rows)
        self.assertEqual(a, 0.0)
        self.assertGreater(b, 0.0)


class Strategies(unittest.TestCase):
    def test_ring_sends_2_p_minus_1_over_p_of_the_data(self):
        for p in (2, 3, 4, 64, 1024):
            n = 25 << 20
            self.assertAlmostEqual(cm.ring(n, p, 0.0, 1.0), 2 * (p - 1) / p * n, delta=1e-6)
            self.assertEqual(cm.ring(0, p, 1.0, 0.0), 2 * (p - 1))  # and 2 (p - 1) messages

    def test_buckets_as_the_gradient_reducer_packs_them(self):
        mlp = [4 * n for n in (784 * 528, 528, 528 * 10, 10)]
        self.assertEqual(cm.buckets(mlp), [4 * (10 + 5280 + 528), 4 * 784 * 528])
        self.assertEqual(sum(cm.resnet50_tensors()), 25_557_032)  # torchvision's resnet50
        self.assertEqual(len(cm.resnet50_tensors()), 161)
        self.assertEqual(sum(cm.lenet5_tensors()), 61_706)
        for m in cm.models():
            self.assertEqual(sum(cm.buckets(m["tensors"])), sum(m["tensors"]))

    def test_efficiency_is_one_alone_and_falls_with_ranks(self):
        rows = cm.read_csv(os.path.join(ROOT, "bench", "dist_measurements.csv"))
        links, _, _ = cm.target_links(rows)
        ps = [1 << i for i in range(11)]
        for model in cm.models():
            for link in links.values():
                for s in cm.STRATEGIES:
                    eff = [cm.step_and_efficiency(s, model, p, link)[1] for p in ps]
                    self.assertEqual(eff[0], 1.0)
                    self.assertTrue(all(e < 1 for e in eff[1:]), (model["name"], s))
                    if s != "async":  # async's idle server rank weighs less as p grows
                        self.assertTrue(all(b < a for a, b in zip(eff, eff[1:])),
                                        (model["name"], s, eff))


BENCH_OUTPUT = """== link: unshaped veth
allreduce of f32 sums, 2 ranks (Open MPI v4.1.4); GB/s = 1e9 bytes/s
     bytes MPI_Allred us    busbw  allreduce us    busbw    ring us    busbw  ring/best reduce+bcast us
      4096          27.4     0.15          27.9     0.15       26.7     0.15       1.03            55.0
     65536          48.4     1.35          49.0     1.34       46.5     1.41       1.04            97.1
== link: 1gbit
allreduce of f32 sums, 2 ranks (Open MPI v4.1.4); GB/s = 1e9 bytes/s
     bytes MPI_Allred us    busbw  allreduce us    busbw    ring us    busbw  ring/best reduce+bcast us
      4096           0.0     0.00          38.0     0.11       38.2     0.11       0.99            80.0
  16777216           0.0     0.00      230317.0     0.07   202716.0     0.08       1.14        460000.0
"""


class Script(unittest.TestCase):
    def run_script(self, *args):
        out = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_runs_on_the_checked_in_measurements(self):
        out = self.run_script("--markdown")
        self.assertIn("| tcp-1gbit | ring | 4 |", out)
        self.assertEqual(out.count("| 1024 | "), 6)  # 3 models x 2 links
        self.assertEqual(out.count("\nBest: "), 6)

    def test_reads_the_bench_output(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(BENCH_OUTPUT)
        try:
            rows = cm.read_bench(f.name)
            out = self.run_script("--from-bench", f.name, "--ranks", "1,2,4", "--markdown")
        finally:
            os.unlink(f.name)
        methods = {(r["link"], r["method"]) for r in rows}
        self.assertIn(("tcp-veth", "MPI_Allreduce"), methods)
        self.assertNotIn(("tcp-1gbit", "MPI_Allreduce"), methods)  # 0.0: not compiled in
        self.assertIn(("tcp-1gbit", "reduce+bcast"), methods)
        self.assertEqual(len(rows), 2 * 4 + 2 * 3)
        big = [r for r in rows if r["bytes"] == 16777216 and r["method"] == "ring"][0]
        self.assertAlmostEqual(big["seconds"], 0.202716)
        self.assertIn("| tcp-veth | reduce+bcast | 2 |", out)
        self.assertIn("| shm | ring | 14 |", out)  # the CSV's rows for links the file lacks


if __name__ == "__main__":
    unittest.main()
