"""Dense linear algebra on Tensors and NumPy arrays: ``solve``, ``solve_mixed``, ``lstsq``,
``eigh``, ``svd``, ``gemm_batched``, ``contract``, ...
"""

from ._magmadnn.linalg import *  # noqa: F401,F403
