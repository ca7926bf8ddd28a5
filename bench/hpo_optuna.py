"""Optuna (TPE sampler + SuccessiveHalvingPruner) driving `magmadnn train` on the space and
epoch budget of bench/hpo_schedulers.py, against `magmadnn tune` with ASHA (TPE sampler by
default) on the same budget:
the best validation accuracy of each, per study seed, and the median over the seeds.

    /path/to/venv/bin/python bench/hpo_optuna.py build/bin/magmadnn [--seeds 0,1,2]
        [--trials 27] [--max-epochs 9] [--workers 2] [--train-rows N] [--sampler tpe|random]

Needs optuna (PyPI) in the Python that runs it: a virtual environment for benchmarks, never the
build. Each Optuna trial runs `magmadnn train --json` with the sampled options and cores /
workers threads, reads its per-epoch val_accuracy, reports it to Optuna and is killed when
Optuna prunes it. Optuna runs trials `workers` at a time (n_jobs) until the epochs trained reach
the budget, which is the epochs magmadnn's ASHA study of the same seed trained; an epoch past
the budget is not trained (its trial is pruned), so neither side trains more."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hpo_schedulers  # noqa: E402  (the shared space and study runner)


def optuna_study(cli, seed, budget, args, threads):
    epochs_done = [0]
    lock = threading.Lock()
    overhead = [0.0]

    def objective(trial):
        t0 = time.thread_time()
        p = {}
        for name, spec in hpo_schedulers.SPACE.items():
            if spec["type"] == "loguniform":
                p[name] = trial.suggest_float(name, spec["low"], spec["high"], log=True)
            elif spec["type"] == "uniform":
                p[name] = trial.suggest_float(name, spec["low"], spec["high"])
            elif spec["type"] == "int":
                p[name] = trial.suggest_int(name, spec["low"], spec["high"], log=spec.get("log"))
            else:
                p[name] = trial.suggest_categorical(name, spec["values"])
        cmd = [cli, "train", "--json", "--model", "mlp", "--data", "fashion-mnist",
               "--validation-split", "0.2", "--epochs", str(args.max_epochs), "--threads",
               str(threads), "--seed", str(seed)]
        if args.train_rows:
            cmd += ["--train-rows", str(args.train_rows)]
        for name, value in p.items():
            cmd += ["--" + name.replace("_", "-"), str(value)]
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        overhead[0] += time.thread_time() - t0
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=env)
        last = None
        try:
            for line in proc.stdout:
                if not line.startswith("{") or '"epoch"' not in line:
                    continue
                r = json.loads(line)
                t1 = time.thread_time()
                with lock:  # the budget is magmadnn's epochs: no epoch past it counts
                    if epochs_done[0] >= budget:
                        proc.kill()
                        raise optuna.TrialPruned()
                    epochs_done[0] += 1
                last = r["val_accuracy"]
                trial.report(last, r["epoch"])
                prune = trial.should_prune()
                overhead[0] += time.thread_time() - t1
                if prune:
                    proc.kill()
                    raise optuna.TrialPruned()
        finally:
            proc.wait()
        if last is None:
            raise RuntimeError(f"trial {trial.number} reported nothing")
        return last

    sampler = optuna.samplers.TPESampler(seed=seed)
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.monotonic()
    study.optimize(objective, n_jobs=args.workers,
                   callbacks=[lambda s, t: s.stop() if epochs_done[0] >= budget else None])
    wall = time.monotonic() - start
    return {"best": study.best_value, "epochs": epochs_done[0], "trials": len(study.trials),
            "wall": wall, "overhead_cpu": overhead[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--trials", type=int, default=27)
    ap.add_argument("--max-epochs", type=int, default=9)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--train-rows", type=int, default=0)
    ap.add_argument("--out", default="")
    ap.add_argument("--sampler", default="tpe", help="magmadnn's sampler: random or tpe")
    args = ap.parse_args()
    cli = os.path.abspath(args.cli)
    out = args.out or tempfile.mkdtemp(prefix="magmadnn-optuna-bench-")
    os.makedirs(out, exist_ok=True)
    threads = max(1, os.cpu_count() // args.workers)
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        name = f"asha-s{seed}"
        ours = hpo_schedulers.run_study(cli, out, name,
                                        hpo_schedulers.study(name, "asha", seed, args))
        theirs = optuna_study(cli, seed, ours["epochs_trained"], args, threads)
        rows.append((seed, ours, theirs))
        print(json.dumps({"seed": seed, "magmadnn": ours["best"]["value"],
                          "magmadnn_epochs": ours["epochs_trained"], "optuna": theirs["best"],
                          "optuna_epochs": theirs["epochs"], "optuna_trials": theirs["trials"]}),
              flush=True)
    print(f"\noptuna {optuna.__version__}; magmadnn tune --scheduler asha --sampler "
          f"{args.sampler} (eta 3); "
          f"{args.workers} workers x {threads} threads\n")
    print("| study seed | magmadnn ASHA best | epochs | Optuna TPE+SHA best | epochs | Optuna trials "
          "| magmadnn - Optuna (points) | wall ours / Optuna (s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for seed, ours, theirs in rows:
        print(f"| {seed} | {ours['best']['value']:.4f} | {ours['epochs_trained']} | "
              f"{theirs['best']:.4f} | {theirs['epochs']} | {theirs['trials']} | "
              f"{100 * (ours['best']['value'] - theirs['best']):+.2f} | "
              f"{ours['wall']:.0f} / {theirs['wall']:.0f} |")
    med_ours = statistics.median(r[1]["best"]["value"] for r in rows)
    med_theirs = statistics.median(r[2]["best"] for r in rows)
    print(f"\nmedian best: magmadnn {med_ours:.4f}, Optuna {med_theirs:.4f} "
          f"({100 * (med_ours - med_theirs):+.2f} points)")
    for seed, ours, theirs in rows:
        print(f"seed {seed}: scheduling CPU per trial time: magmadnn "
              f"{100 * ours['coordinator_cpu_seconds'] / ours['job_seconds']:.3f}%, "
              f"Optuna's objective-side {100 * theirs['overhead_cpu'] / theirs['wall']:.3f}% of wall")


if __name__ == "__main__":
    main()
