"""`magmadnn tune` end to end: a small real study on Fashion-MNIST with 2 workers whose best
configuration `train --config` reproduces, the command line's overrides and errors, the
coordinator SIGKILLed and resumed, MPI ranks as workers, and the report page. The synthetic
trial (tests/hpo/synthetic_trial.cpp) stands in for training where only the scheduling matters.
Python's standard library only.
Usage: python3 tune_cli_test.py path/to/magmadnn path/to/hpo_synthetic_trial [mpiexec [flags]]
       [TEST ...]"""
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

CLI = None
TRIAL = None
MPIEXEC = None
WORK = None


def run(*args, ok=True, timeout=600, prefix=()):
    p = subprocess.run([*prefix, CLI, *map(str, args)], capture_output=True, text=True,
                       timeout=timeout, cwd=WORK)
    want = 0 if ok else 1
    assert p.returncode == want, (f"{' '.join(map(str, args))}: exit {p.returncode}, expected "
                                  f"{want}\nstdout: {p.stdout[-3000:]}\nstderr: {p.stderr[-3000:]}")
    return p.stdout, p.stderr


def path(name):
    return os.path.join(WORK, name)


def write_json(name, obj):
    with open(path(name), "w") as f:
        json.dump(obj, f, indent=1)
    return path(name)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def synthetic_study(name, scheduler, max_epochs, trials, workers, sleep_ms=20):
    return {"name": name,
            "trial": {"command": [TRIAL, "--x", "{x}", "--y", "{y}", "--epochs", "{epochs}",
                                  "--start", "{start}", "--checkpoint", "{checkpoint}",
                                  "--sleep-ms", str(sleep_ms)]},
            "space": {"x": {"type": "uniform", "low": 0, "high": 1},
                      "y": {"type": "uniform", "low": 0, "high": 1}},
            "objective": {"metric": "val_accuracy"},
            "scheduler": {"kind": scheduler, "max_epochs": max_epochs, "trials": trials},
            "workers": workers, "seed": 3}


def trials_in(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        return {row[0]: row[1:] for row in
                c.execute("SELECT trial, status, resource, value, attempts FROM trials")}


def test_fashion_mnist_study_and_reproduction():
    """ASHA over lr, momentum, batch size, hidden units and weight decay on 3,000 Fashion-MNIST
    rows, 2 workers; the best configuration retrained by train --config gives the same
    val_accuracy."""
    study = write_json("fmnist.json", {
        "name": "fmnist",
        "trial": {"command": "train",
                  "args": {"model": "mlp", "data": "fashion-mnist", "train-rows": 3000,
                           "validation-split": 0.2}},
        "space": {"lr": {"type": "loguniform", "low": 0.01, "high": 0.3},
                  "momentum": {"type": "uniform", "low": 0, "high": 0.9},
                  "batch_size": {"type": "choice", "values": [32, 64]},
                  "hidden": {"type": "int", "low": 32, "high": 256, "log": True},
                  "weight_decay": {"type": "loguniform", "low": 1e-6, "high": 1e-3}},
        "objective": {"metric": "val_accuracy", "direction": "maximize"},
        "scheduler": {"kind": "asha", "max_epochs": 3, "min_epochs": 1, "trials": 6,
                      "reduction_factor": 3},
        "workers": 2, "seed": 1})
    out, _ = run("tune", "--study", study, "--json", "--logdir", path("tb"))
    lines = json_lines(out)
    jobs, summary = lines[:-1], lines[-1]
    assert summary["trials"] == 6 and summary["failed"] == 0, summary
    # TensorBoard: a run per trial, an event file per job (a promoted trial continues its run)
    for trial in range(6):
        files = [f for f in os.listdir(path(f"tb/trial-{trial}/train")) if "tfevents" in f]
        assert len(files) == sum(j["trial"] == trial for j in jobs), (trial, files)
    assert summary["complete"] >= 1, summary
    assert len(jobs) == summary["jobs"], (len(jobs), summary)
    assert {j["worker"] for j in jobs} == {"local worker 0", "local worker 1"}, jobs
    assert all(0.1 < j["value"] <= 1 for j in jobs), jobs
    # 6 trials at 1 epoch, the top 2 to 3 epochs: ASHA trains far less than 6 x 3 epochs
    assert summary["epochs_trained"] < 18, summary
    best = summary["best"]
    with open(summary["best_file"]) as f:
        result = json.load(f)
    assert result["trial"] == best["trial"] and result["value"] == best["value"], (result, best)
    assert result["train"]["epochs"] == 3 and result["train"]["threads"] == 1, result
    out, _ = run("train", "--config", summary["best_file"], "--json")
    epochs = [l for l in json_lines(out) if "epoch" in l]
    assert epochs[-1]["epoch"] == 3, epochs
    assert abs(epochs[-1]["val_accuracy"] - best["value"]) < 1e-9, (epochs[-1], best)
    # the study's storage is another study's for another budget
    _, err = run("tune", "--study", study, "--max-epochs", "4", ok=False)
    assert "holds another study: scheduler.max_epochs: 4 here, 3 there" in err, err
    _, err = run("tune", "--study", study, ok=False)
    assert "pass --resume" in err, err
    out, _ = run("tune", "--study", study, "--resume", "--json")  # finished: nothing to run
    assert json_lines(out)[-1]["jobs"] == 0, out


def test_bad_study_files_name_the_field():
    base = synthetic_study("bad", "random", 2, 2, 1)
    cases = [
        (dict(base, space={"z": {"type": "uniform", "low": 0, "high": 1}, **base["space"]}),
         "parameter 'z' of 'space' is never passed to the trial"),
        (dict(base, space={"x": {"type": "uniform", "low": 1, "high": 1},
                           "y": base["space"]["y"]}), "x"),
        (dict(base, space={"x": {"type": "loguniform", "low": 0, "high": 1},
                           "y": base["space"]["y"]}), "x"),
        (dict(base, scheduler={"kind": "random", "max_epochs": 0, "trials": 2}),
         "'scheduler.max_epochs' is 0; a trial trains at least 1 epoch"),
        (dict(base, workers=0), "'workers' is 0"),
    ]
    for study, message in cases:
        _, err = run("tune", "--study", write_json("bad.json", study), ok=False)
        assert message in err, (message, err)
    train = {"name": "t", "trial": {"command": "train", "args": {"validation-split": 0.1}},
             "space": {"units": {"type": "int", "low": 8, "high": 64}},
             "scheduler": {"kind": "random", "max_epochs": 1, "trials": 1}}
    _, err = run("tune", "--study", write_json("bad.json", train), ok=False)
    assert "parameter 'units' of 'space' is not an option of magmadnn train" in err, err
    _, err = run("tune", "--study", path("absent.json"), ok=False)
    assert "no such file" in err, err
    # a storage that is not a study
    with open(path("notes.db"), "w") as f:
        f.write("not sqlite\n")
    _, err = run("tune", "--study", write_json("ok.json", base), "--storage", path("notes.db"),
                 ok=False)
    assert "is not a SQLite file" in err, err


def test_overrides_and_a_crashing_trial():
    study = synthetic_study("over", "random", 2, 3, 2)
    study["trial"]["command"] += ["--crash-above", "0.5"]
    out, _ = run("tune", "--study", write_json("over.json", study), "--trials", "8",
                 "--max-epochs", "3", "--scheduler", "sha", "--reduction-factor", "2", "--json")
    lines = json_lines(out)
    summary = lines[-1]
    assert summary["trials"] == 8, summary
    failed = [j for j in lines[:-1] if j["status"] == "FAIL"]
    assert failed and all("exit status 3" in j["message"] for j in failed), failed
    assert summary["failed"] == len(failed), summary
    assert summary["best"]["epochs"] == 3, summary


def test_coordinator_killed_and_resumed():
    """kill -9 of `magmadnn tune` twice mid-study, then --resume: the same completed trials and
    values as a study never killed (Hyperband's brackets are synchronous, so this holds with 2
    workers); jobs that were running are counted as requeued."""
    study = synthetic_study("hb", "hyperband", 9, 16, 2, sleep_ms=30)
    whole = write_json("hb_whole.json", dict(study, storage="hb_whole.db"))
    run("tune", "--study", whole, "--json")
    killed = write_json("hb_killed.json", dict(study, storage="hb_killed.db"))
    for attempt in range(2):
        args = [CLI, "tune", "--study", killed, "--json"] + (["--resume"] if attempt else [])
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=WORK,
                             text=True)
        seen = 0
        while seen < 4 + 5 * attempt:  # finished jobs before the kill
            line = p.stdout.readline()
            assert line, p.stderr.read()
            seen += line.startswith("{")
        deadline = time.monotonic() + 30
        while not any(v[0] == "RUNNING" for v in trials_in(path("hb_killed.db")).values()):
            assert time.monotonic() < deadline, "no job started after the finished ones"
            time.sleep(0.002)  # kill with a job running: it must be run again
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert p.returncode == -signal.SIGKILL
    out, err = run("tune", "--study", killed, "--resume", "--json")
    assert "run again" in err, err
    assert json_lines(out)[-1]["requeued"] >= 1, out
    a, b = trials_in(path("hb_whole.db")), trials_in(path("hb_killed.db"))
    done_a = {t: v[1:3] for t, v in a.items() if v[0] == "COMPLETE"}
    done_b = {t: v[1:3] for t, v in b.items() if v[0] == "COMPLETE"}
    assert done_a and done_a == done_b, (done_a, done_b)
    assert not [t for t, v in b.items() if v[0] == "FAIL"], b


def test_report_page():
    study = write_json("rep.json", synthetic_study("rep", "asha", 4, 6, 2, sleep_ms=5))
    run("tune", "--study", study)
    out, _ = run("tune", "--report", path("rep.db"), "-o", path("rep.html"))
    assert "rep.html" in out, out
    with open(path("rep.html")) as f:
        html = f.read()
    assert html.count("<svg") >= 3 and "rep" in html, html[:500]
    _, err = run("tune", "--report", path("absent.db"), ok=False)
    assert "absent.db" in err, err


def test_mpi_ranks_as_workers():
    """mpirun -n 3: rank 0 coordinates, ranks 1 and 2 run the jobs."""
    if not MPIEXEC:
        print("  (no mpiexec given: skipped)")
        return
    study = write_json("mpi.json", synthetic_study("mpi", "asha", 4, 8, 1, sleep_ms=10))
    out, _ = run("tune", "--study", study, "--json", prefix=(*MPIEXEC, "-n", "3"))
    lines = json_lines(out)
    summary = lines[-1]
    assert summary["trials"] == 8 and summary["failed"] == 0, summary
    workers = {j["worker"].split(" on ")[0] for j in lines[:-1]}
    assert workers == {"rank 1", "rank 2"}, workers
    # the same study run locally on one worker finds the same best configuration (ASHA's
    # promotions may differ with the order results arrive, the best sampled one wins both)
    local = write_json("mpi_local.json", synthetic_study("mpi", "asha", 4, 8, 1, sleep_ms=10)
                       | {"storage": "mpi_local.db"})
    best_local = json_lines(run("tune", "--study", local, "--json")[0])[-1]["best"]
    assert summary["best"]["trial"] == best_local["trial"], (summary["best"], best_local)


def test_example_study_file():
    """examples/tune/mlp_fashion.json runs (cut to 2 trials of 1 epoch)."""
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples",
                           "tune", "mlp_fashion.json")
    out, _ = run("tune", "--study", example, "--scheduler", "random", "--trials", 2,
                 "--max-epochs", 1, "--storage", path("example.db"), "--json")
    summary = json_lines(out)[-1]
    assert summary["complete"] == 2 and summary["best"]["value"] > 0.5, summary


TESTS = [test_example_study_file, test_fashion_mnist_study_and_reproduction, test_bad_study_files_name_the_field,
         test_overrides_and_a_crashing_trial, test_coordinator_killed_and_resumed,
         test_report_page, test_mpi_ranks_as_workers]


def main():
    global CLI, TRIAL, MPIEXEC, WORK
    CLI, TRIAL = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    rest = sys.argv[3:]
    names = [a for a in rest if a.startswith("test_")]
    launcher = [a for a in rest if not a.startswith("test_")]
    MPIEXEC = launcher or None
    chosen = [t for t in TESTS if not names or t.__name__ in names]
    with tempfile.TemporaryDirectory(prefix="magmadnn-tune-") as work:
        WORK = work
        for t in chosen:
            start = time.time()
            t()
            print(f"ok {t.__name__} ({time.time() - start:.1f} s)")
    print(f"{len(chosen)} tests passed")


if __name__ == "__main__":
    main()
