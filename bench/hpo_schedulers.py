"""Hyperband and ASHA against random search with the full budget per trial, on the seed MLP and
Fashion-MNIST: the best validation accuracy each finds and the epochs each trains, per study
seed, as a Markdown table (docs/PERFORMANCE.md). Also ASHA with 1 and 2 workers (trials
jobs and epochs per hour) and the coordinator's CPU time per trial.

    python3 bench/hpo_schedulers.py build/bin/magmadnn [--seeds 0,1,2] [--trials 27]
        [--max-epochs 9] [--workers 2] [--train-rows N] [--out DIR] [--throughput]
        [--sampler random|tpe]

Standard library only. Each study is `magmadnn tune --json` on a study file written here; its
storage and trials' logs stay in --out (default a temporary directory)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SPACE = {
    "lr": {"type": "loguniform", "low": 1e-3, "high": 0.5},
    "momentum": {"type": "uniform", "low": 0, "high": 0.95},
    "batch_size": {"type": "choice", "values": [32, 64, 128, 256]},
    "hidden": {"type": "int", "low": 64, "high": 1024, "log": True},
    "weight_decay": {"type": "loguniform", "low": 1e-6, "high": 1e-2},
}


def study(name, scheduler, seed, args):
    train_args = {"model": "mlp", "data": "fashion-mnist", "validation-split": 0.2}
    if args.train_rows:
        train_args["train-rows"] = args.train_rows
    sched = {"kind": scheduler, "max_epochs": args.max_epochs, "min_epochs": 1,
             "trials": args.trials}
    if scheduler == "hyperband":
        sched["reduction_factor"] = 3
        del sched["trials"]  # one pass over the brackets
    if scheduler == "asha":
        sched["reduction_factor"] = 3
    if scheduler != "random" and getattr(args, "sampler", "random") != "random":
        sched["sampler"] = args.sampler
    return {"name": name, "trial": {"command": "train", "args": train_args}, "space": SPACE,
            "objective": {"metric": "val_accuracy", "direction": "maximize"},
            "scheduler": sched, "workers": args.workers, "seed": seed}


def run_study(cli, out, name, config, workers=None):
    path = os.path.join(out, name + ".json")
    with open(path, "w") as f:
        json.dump(config, f, indent=1)
    cmd = [cli, "tune", "--study", path, "--json"]
    if workers:
        cmd += ["--workers", str(workers), "--storage", os.path.join(out, f"{name}-w{workers}.db")]
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - start
    if p.returncode != 0:
        sys.exit(f"{name}: exit {p.returncode}\n{p.stderr[-3000:]}")
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    summary, jobs = lines[-1], lines[:-1]
    summary["wall"] = wall
    summary["job_seconds"] = sum(j["seconds"] for j in jobs)
    return summary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--trials", type=int, default=27)
    ap.add_argument("--max-epochs", type=int, default=9)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--train-rows", type=int, default=0)
    ap.add_argument("--out", default="")
    ap.add_argument("--throughput", action="store_true",
                    help="also ASHA with 1 and 2 workers (seed 0)")
    ap.add_argument("--schedulers", default="random,hyperband,asha")
    ap.add_argument("--sampler", default="random",
                    help="hyperband's and asha's sampler (random search stays random)")
    args = ap.parse_args()
    cli = os.path.abspath(args.cli)
    out = args.out or tempfile.mkdtemp(prefix="magmadnn-hpo-bench-")
    os.makedirs(out, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    schedulers = args.schedulers.split(",")
    results = {}
    for seed in seeds:
        for kind in schedulers:
            name = f"{kind}-s{seed}"
            r = run_study(cli, out, name, study(name, kind, seed, args))
            results[(kind, seed)] = r
            print(json.dumps({"scheduler": kind, "seed": seed, "best": r["best"]["value"],
                              "epochs": r["epochs_trained"], "trials": r["trials"],
                              "wall": round(r["wall"], 1),
                              "coordinator_cpu": r["coordinator_cpu_seconds"],
                              "job_seconds": round(r["job_seconds"], 1)}), flush=True)
    print()
    print(f"| study seed | scheduler | trials | epochs trained | epochs / random's | best val_accuracy "
          f"| points below random | wall (s) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for seed in seeds:
        base = results.get(("random", seed))
        for kind in schedulers:
            r = results[(kind, seed)]
            ratio = r["epochs_trained"] / base["epochs_trained"] if base else float("nan")
            gap = 100 * (base["best"]["value"] - r["best"]["value"]) if base else float("nan")
            print(f"| {seed} | {kind} | {r['trials']} | {r['epochs_trained']} | {ratio:.2f} | "
                  f"{r['best']['value']:.4f} | {gap:+.2f} | {r['wall']:.0f} |")
    if "random" in schedulers:
        for kind in schedulers:
            if kind == "random":
                continue
            gaps = [100 * (results[("random", s)]["best"]["value"] -
                           results[(kind, s)]["best"]["value"]) for s in seeds]
            ratios = [results[(kind, s)]["epochs_trained"] /
                      results[("random", s)]["epochs_trained"] for s in seeds]
            print(f"\n{kind}: median points below random {statistics.median(gaps):+.2f} "
                  f"(max {max(gaps):+.2f}), median epoch ratio {statistics.median(ratios):.2f}")
    overhead = [r["coordinator_cpu_seconds"] / max(r["job_seconds"], 1e-9)
                for r in results.values()]
    print(f"\ncoordinator CPU / trial time: max {100 * max(overhead):.3f}% "
          f"(median {100 * statistics.median(overhead):.3f}%)")
    if args.throughput:
        print("\n| ASHA workers | threads per trial | jobs | epochs | wall (s) | jobs per hour "
              "| epochs per hour |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for w in (1, 2):
            name = "asha-throughput"
            r = run_study(cli, out, name, study(name, "asha", 0, args), workers=w)
            print(f"| {w} | {max(1, os.cpu_count() // w)} | {r['jobs']} | {r['epochs_trained']} | "
                  f"{r['wall']:.0f} | {3600 * r['jobs'] / r['wall']:.0f} | "
                  f"{3600 * r['epochs_trained'] / r['wall']:.0f} |", flush=True)
    print(f"\nstudies in {out}")


if __name__ == "__main__":
    main()
