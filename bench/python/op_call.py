"""The cost of one tiny op from Python: a 1-element add through magmadnn's bindings and
through PyTorch (and NumPy), in the same process.

    python bench/python/op_call.py

magmadnn.add(a, b) and a + b allocate a new 1-element tensor, as torch.add(a, b) and a + b do.
Goal: magmadnn.add <= 2 microseconds. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import timeit

import numpy as np

import magmadnn as mdnn


def per_call(stmt: str, ns: dict, number: int = 200_000) -> float:
    return min(timeit.Timer(stmt, globals=ns).repeat(repeat=7, number=number)) / number * 1e9


def main() -> None:
    mdnn.set_num_threads(1)
    rows = []
    a, b = mdnn.Tensor(np.ones(1, np.float32)), mdnn.Tensor(np.ones(1, np.float32))
    ns = {"mdnn": mdnn, "a": a, "b": b}
    rows.append(("magmadnn", "magmadnn.add(a, b)", per_call("mdnn.add(a, b)", ns)))
    rows.append(("magmadnn", "a + b", per_call("a + b", ns)))
    try:
        import torch

        torch.set_num_threads(1)
        ta, tb = torch.ones(1), torch.ones(1)
        ns = {"torch": torch, "a": ta, "b": tb}
        rows.append((f"PyTorch {torch.__version__}", "torch.add(a, b)",
                     per_call("torch.add(a, b)", ns)))
        rows.append((f"PyTorch {torch.__version__}", "a + b", per_call("a + b", ns)))
    except ImportError:
        pass
    na, nb = np.ones(1, np.float32), np.ones(1, np.float32)
    ns = {"np": np, "a": na, "b": nb}
    rows.append((f"NumPy {np.__version__}", "np.add(a, b)", per_call("np.add(a, b)", ns)))
    print("| library | call (1 float32 element each) | ns per call |")
    print("| --- | --- | --- |")
    for lib, call, ns_per in rows:
        print(f"| {lib} | `{call}` | {ns_per:.0f} |")


if __name__ == "__main__":
    main()
