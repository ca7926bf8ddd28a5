"""Data sets and transforms: ``load_mnist_like``, ``one_hot``.
"""

from ._magmadnn.data import *  # noqa: F401,F403
