#!/usr/bin/env python3
"""An alpha-beta cost model of data-parallel training, fitted to measured allreduce times.

  python3 bench/dist_cost_model.py [--measurements bench/dist_measurements.csv] [--markdown]
                                   [--from-bench FILE] [--ranks 1,2,4,...,1024]

Fit. Each (link, method) of the measurements gets alpha (seconds per message) and beta (seconds
per byte) of the ring's cost T(n, p) = 2 (p - 1) alpha + 2 (p - 1) / p n beta, by least squares
on the relative error (rows weighted by 1 / T^2, so 4 KiB counts as much as 256 MiB), in closed
form; a parameter that comes out negative is set to 0 and the other refitted. MPI_Allreduce is
given the same form as an effective cost. --from-bench FILE reads the output of
bench_dist_allreduce (or of bench/dist_two_hosts.sh, whose "== link:" lines name the link) in
place of the CSV's rows for the links it covers; its reduce+bcast column is fitted to the
binomial form 2 L (alpha + n beta), L = ceil(log2 p).

Links modelled: 25 and 100 Gbit/s, on two stated assumptions, neither measured at that rate;
each parameter is read where it dominates the measured time (the all-size fits describe these
two paths poorly: the unshaped veth's large messages are memory copies, the shaped link's
small ones ride the token bucket's burst):
  alpha = Open MPI over kernel TCP: the ring's smallest allreduce on tcp-veth (4 KiB, two
          messages on 2 ranks) / 2 (the ping-pong measured 12.9 us one way there);
  beta  = 1 / (nominal rate x e), e = the efficiency measured on the 1 Gbit/s shaped link: the
          ring's bus bandwidth at its largest message on tcp-1gbit / 0.125 GB/s.

Strategies for one bucket of b bytes on p ranks, L = ceil(log2 p):
  ring           2 (p - 1) alpha + 2 (p - 1) / p b beta
  allreduce      MPI_Allreduce's log-p algorithms, the cheaper of recursive doubling
                 L (alpha + b beta) and Rabenseifner's halving + doubling
                 2 L alpha + 2 (p - 1) / p b beta
  master-worker  MPI_Reduce of each bucket as a binomial tree, L (alpha + b beta); after rank 0's
                 optimizer step its weights are broadcast per tensor (as the reducer does),
                 binomial too: L (k alpha + n beta) for k tensors of n bytes in all
  async          a parameter server (rank 0) that serves one update at a time: 4 messages
                 (header, gradient, reply, weights), m = 4 alpha + 2 n beta; a round in which each
                 of the p - 1 workers makes one update takes max(compute + m, (p - 1) m)

Step time (synchronous strategies). compute = forward + backward with backward 2/3 of it (the
optimizer's update is counted with forward: it is serial either way). Gradient bytes appear at an
even rate over backward, last parameter first, packed into buckets as dist::GradientReducer packs
them (whole tensors; the first up to 1 MiB, then 25 MiB); bucket i is reduced once its last
tensor is ready and bucket i - 1 is done:
    f_i = max(ready_i, f_(i-1)) + c_i,   step = forward + max(backward, f_last)  (+ MW's broadcast)
Efficiency = step(1 rank) / step(p ranks) at a fixed batch per rank (weak scaling); for async it is
(p - 1) / p x compute / round, as the server trains on nothing. Left out: contention between
messages, stragglers, hierarchical (NVLink + network) collectives, the server's own update time.
"""
import argparse
import csv
import math
import os
import re
import sys

MIB = 1 << 20
FIRST_BUCKET, BUCKET = 1 * MIB, 25 * MIB  # dist::GradientReducer's defaults, as PyTorch DDP's
F32 = 4


# ---- measurements -------------------------------------------------------------------------

def read_csv(path):
    with open(path) as f:
        lines = [line for line in f if not line.startswith("#")]
    return [dict(link=r["link"], ranks=int(r["ranks"]), method=r["method"],
                 bytes=int(r["bytes"]), seconds=float(r["seconds"]))
            for r in csv.DictReader(lines)]


LINK_NAMES = {"unshaped veth": "tcp-veth", "1gbit": "tcp-1gbit"}  # bench/dist_two_hosts.sh's


def read_bench(path):
    """Rows of bench_dist_allreduce's table: bytes, MPI_Allreduce us, busbw, allreduce us, busbw,
    ring us, busbw, ring/best, reduce+bcast us (MPI_Allreduce is 0.0 when not compiled in)."""
    rows, link, ranks = [], "shm", None
    columns = {1: "MPI_Allreduce", 3: "allreduce", 5: "ring", 8: "reduce+bcast"}
    with open(path) as f:
        for line in f:
            if m := re.match(r"== link: (.*)", line.strip()):
                link = LINK_NAMES.get(m[1], m[1].replace(" ", "-"))
            elif m := re.match(r"allreduce of f32 sums, (\d+) ranks", line):
                ranks = int(m[1])
            elif ranks and re.fullmatch(r"\d+(\s+[-\d.]+){8}", line.strip()):
                v = line.split()
                for i, method in columns.items():
                    if float(v[i]) > 0:
                        rows.append(dict(link=link, ranks=ranks, method=method,
                                         bytes=int(v[0]), seconds=float(v[i]) * 1e-6))
    return rows


# ---- the fit --------------------------------------------------------------------------------

def log2_ceil(p):
    return max(0, math.ceil(math.log2(p)))


# T = alpha * x(p) + beta * y(p) * n for each measured method
FORMS = {
    "ring": lambda p: (2 * (p - 1), 2 * (p - 1) / p),
    "reduce+bcast": lambda p: (2 * log2_ceil(p), 2 * log2_ceil(p)),
}


def fit(rows):
    """(alpha, beta, worst |model / measured - 1|) minimising the summed squared relative error."""
    form = FORMS.get(rows[0]["method"], FORMS["ring"])
    u, v = [], []  # the model's two terms over the measured time: we want a u + b v = 1
    for r in rows:
        x, y = form(r["ranks"])
        u.append(x / r["seconds"])
        v.append(y * r["bytes"] / r["seconds"])
    suu, svv, suv = sum(a * a for a in u), sum(b * b for b in v), sum(a * b for a, b in zip(u, v))
    su, sv = sum(u), sum(v)
    det = suu * svv - suv * suv
    alpha = (su * svv - sv * suv) / det if det > 0 else -1
    beta = (sv * suu - su * suv) / det if det > 0 else -1
    if alpha < 0:  # no negative costs: the other parameter alone
        alpha, beta = 0.0, sv / svv
    elif beta < 0:
        alpha, beta = su / suu, 0.0
    residual = max(abs(alpha * a + beta * b - 1) for a, b in zip(u, v))
    return alpha, beta, residual


def fit_all(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["link"], r["method"]), []).append(r)
    return {key: fit(group) + (len(group),) for key, group in groups.items()}


# ---- links, strategies, step time -----------------------------------------------------------

def target_links(rows, rates_gbit=(25, 100)):
    """{name: (alpha, beta)} for the modelled links, and the two readings they come from."""
    def ring_rows(link):
        found = sorted((r for r in rows if r["link"] == link and r["method"] == "ring"),
                       key=lambda r: r["bytes"])
        if not found:
            sys.exit(f"no ring rows for link {link}: the modelled links are read from it")
        return found
    small = ring_rows("tcp-veth")[0]
    alpha = small["seconds"] / (2 * (small["ranks"] - 1))
    large = ring_rows("tcp-1gbit")[-1]
    p = large["ranks"]
    efficiency = large["bytes"] / large["seconds"] * 2 * (p - 1) / p / 0.125e9
    links = {f"{g} Gbit/s": (alpha, 1 / (g * 1e9 / 8 * efficiency)) for g in rates_gbit}
    return links, (small, alpha), (large, efficiency)


def ring(b, p, alpha, beta):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * b * beta


def allreduce(b, p, alpha, beta):
    L = log2_ceil(p)
    return min(L * (alpha + b * beta), 2 * L * alpha + 2 * (p - 1) / p * b * beta)


def binomial(b, p, alpha, beta):  # one MPI_Reduce or MPI_Bcast
    return log2_ceil(p) * (alpha + b * beta)


def buckets(tensor_bytes):
    """dist::GradientReducer::plan: last tensor first, a new bucket when the next would overflow."""
    sizes, current = [], 0
    for n in reversed(tensor_bytes):
        cap = BUCKET if sizes else FIRST_BUCKET
        if current > 0 and current + n > cap:
            sizes.append(current)
            current = 0
        current += n
    return sizes + [current]


def overlapped(model, p, link, per_bucket):
    """forward + max(backward, when the last bucket's reduction ends), buckets in backward order."""
    forward, backward = model["compute"] / 3, model["compute"] * 2 / 3
    total, ready, done = sum(model["tensors"]), 0, 0.0
    for b in buckets(model["tensors"]):
        ready += b
        done = max(backward * ready / total, done) + per_bucket(b, p, *link)
    return forward + max(backward, done)


def step_and_efficiency(strategy, model, p, link):
    """(seconds per step, or per round of p - 1 updates for async; scaling efficiency)."""
    c = model["compute"]
    if p == 1:
        return c, 1.0
    alpha, beta = link
    if strategy == "async":
        m = 4 * alpha + 2 * sum(model["tensors"]) * beta
        t = max(c + m, (p - 1) * m)
        return t, (p - 1) / p * c / t
    if strategy == "master-worker":
        k, n = len(model["tensors"]), sum(model["tensors"])
        t = overlapped(model, p, link, binomial) + log2_ceil(p) * (k * alpha + n * beta)
    else:
        t = overlapped(model, p, link, ring if strategy == "ring" else allreduce)
    return t, c / t


STRATEGIES = ("ring", "allreduce", "master-worker", "async")


# ---- models ---------------------------------------------------------------------------------

def linear(n_in, n_out):
    return [n_in * n_out, n_out]


def conv(c_in, c_out, k, bias=True):
    return [c_out * c_in * k * k] + ([c_out] if bias else [])


def lenet5_tensors():
    side = 28            # 1x28x28, conv1 5x5 pad 2 keeps 28
    side = side // 2     # pool -> 14
    side = (side - 4) // 2  # conv2 5x5 -> 10, pool -> 5
    return conv(1, 6, 5) + conv(6, 16, 5) + linear(16 * side * side, 120) + linear(120, 84) + \
        linear(84, 10)


def resnet50_tensors():
    """torchvision's resnet50 parameters in order: convs without bias, a BN scale and shift each."""
    bn = lambda c: [c, c]
    t = conv(3, 64, 7, bias=False) + bn(64)
    c_in = 64
    for blocks, width in ((3, 64), (4, 128), (6, 256), (3, 512)):
        for i in range(blocks):
            t += conv(c_in, width, 1, False) + bn(width) + conv(width, width, 3, False) + \
                bn(width) + conv(width, 4 * width, 1, False) + bn(4 * width)
            if i == 0:
                t += conv(c_in, 4 * width, 1, False) + bn(4 * width)
            c_in = 4 * width
    return t + linear(2048, 1000)


def models():
    f32 = lambda params: [F32 * n for n in params]
    return [
        # the faster of the measured runs: less compute to hide communication behind
        dict(name="seed MLP 784-528-10", tensors=f32(linear(784, 528) + linear(528, 10)),
             compute=1.34e-3,
             source="measured: 1-rank step at batch 100, 1 thread (PERFORMANCE.md, step-time "
                    "table, the faster of 1.34 / 1.85 ms)"),
        dict(name="LeNet-5", tensors=f32(lenet5_tensors()), compute=0.856 / 937,
             source="measured: 0.856 s epoch / 937 steps at batch 64, 2 threads (PERFORMANCE.md, "
                    "LeNet-5 epoch table, the faster final run)"),
        dict(name="ResNet-50-sized gradient", tensors=f32(resnet50_tensors()), compute=0.1,
             source="assumed, not measured: 0.1 s forward + backward at batch 32 on a V100-class "
                    "GPU (~320 images/s, the few hundred a second published for FP32 training)"),
    ]


# ---- output ---------------------------------------------------------------------------------

def table(headers, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(headers) + " |",
                 "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    return "\n".join("  ".join(str(x).rjust(w) for x, w in zip(r, widths))
                     for r in [headers] + rows)


def ranges(ps, winners):
    """'allreduce at 2-1024' from per-p winners, runs of the same winner joined."""
    out = []
    for p, w in zip(ps, winners):
        if out and out[-1][0] == w:
            out[-1][2] = p
        else:
            out.append([w, p, p])
    return "; ".join(f"{w} at {a}" + (f"-{b}" if b != a else "") for w, a, b in out)


def report(rows, ps, markdown):
    fits = fit_all(rows)
    print("## Fit: T(n, p) = 2 (p - 1) alpha + 2 (p - 1) / p n beta "
          "(reduce+bcast: 2 L (alpha + n beta)), weighted by 1 / T^2\n")
    print(table(["link", "method", "rows", "alpha (us)", "1/beta (GB/s)", "worst rel. residual"],
                [[l, m, str(k), f"{a * 1e6:.2f}", f"{1 / b / 1e9:.3f}" if b else "inf",
                  f"{r:.0%}"] for (l, m), (a, b, r, k) in sorted(fits.items())], markdown))
    if ("shm", "ring") in fits:
        a, b = fits[("shm", "ring")][:2]
        ratio = [2 * binomial(n, 4, a, b) / ring(n, 4, a, b) for n in (MIB, 64 * MIB)]
        print(f"\nCheck, shm ring fit, 4 ranks: master-worker's reduce + bcast / ring = "
              f"{ratio[0]:.2f}x at 1 MiB, {ratio[1]:.2f}x at 64 MiB")

    links, (small, alpha), (large, efficiency) = target_links(rows)
    print(f"\n## Links modelled\n\nalpha = {alpha * 1e6:.2f} us: the ring's "
          f"{small['bytes']}-byte allreduce on tcp-veth, {small['seconds'] * 1e6:.1f} us / "
          f"{2 * (small['ranks'] - 1)} messages\nefficiency = {efficiency:.0%} of the nominal "
          f"rate: the ring's bus bandwidth at {large['bytes']} bytes on tcp-1gbit / 0.125 GB/s")
    for name, (a, b) in links.items():
        print(f"- {name}: alpha {a * 1e6:.2f} us, 1/beta {1 / b / 1e9:.2f} GB/s")

    for model in models():
        n = sum(model["tensors"])
        print(f"\n## {model['name']}: {n // F32:,} parameters, {n / 1e6:.3g} MB of f32 gradient "
              f"in {len(model['tensors'])} tensors, buckets "
              f"{', '.join(f'{b / MIB:.3g}' for b in buckets(model['tensors']))} MiB; "
              f"compute {model['compute'] * 1e3:.3g} ms a step ({model['source']})")
        for name, link in links.items():
            body, winners = [], []
            for p in ps:
                cells = {s: step_and_efficiency(s, model, p, link) for s in STRATEGIES}
                best = max(e for _, e in cells.values())
                # within 0.5% of the best is a tie: the model is not that exact
                win = "-" if p == 1 else ", ".join(s for s in STRATEGIES
                                                  if cells[s][1] >= best * 0.995)
                winners.append(win)
                body.append([str(p)] + [f"{t * 1e3:.3g} ({e:.0%})" for t, e in cells.values()] +
                            [win])
            print(f"\n{model['name']}, {name}: step ms (efficiency); async: ms per round of "
                  f"p - 1 updates\n")
            print(table(["p"] + list(STRATEGIES) + ["best"], body, markdown))
            many = [(p, w) for p, w in zip(ps, winners) if p > 1]
            # against Horovod's published point: 90% on 512 GPUs
            need = compute_for(0.9, model, 512, link)
            print(f"\nBest: {ranges(*zip(*many)) if many else '-'}. Allreduce at 90% on 512 "
                  f"ranks needs compute >= {need * 1e3:.3g} ms a step")


def compute_for(target, model, p, link, strategy="allreduce"):
    """The compute per step at which the strategy's efficiency reaches target (bisection: the
    efficiency rises with compute, as more of the communication hides behind backward)."""
    lo, hi = 0.0, 1.0
    while step_and_efficiency(strategy, dict(model, compute=hi), p, link)[1] < target:
        lo, hi = hi, hi * 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if step_and_efficiency(strategy, dict(model, compute=mid), p, link)[1] < target:
            lo = mid
        else:
            hi = mid
    return hi


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--measurements", default=os.path.join(here, "dist_measurements.csv"))
    ap.add_argument("--from-bench", metavar="FILE",
                    help="bench_dist_allreduce output; replaces the CSV's rows of its links")
    ap.add_argument("--markdown", action="store_true", help="markdown tables")
    ap.add_argument("--ranks", default=",".join(str(1 << i) for i in range(11)),
                    help="rank counts of the tables, comma-separated (default 1,2,4,...,1024)")
    args = ap.parse_args(argv)
    rows = read_csv(args.measurements)
    if args.from_bench:
        fresh = read_bench(args.from_bench)
        if not fresh:
            sys.exit(f"{args.from_bench}: no bench_dist_allreduce table found")
        links = {r["link"] for r in fresh}
        rows = [r for r in rows if r["link"] not in links] + fresh
    report(rows, [int(p) for p in args.ranks.split(",")], args.markdown)


if __name__ == "__main__":
    main()
