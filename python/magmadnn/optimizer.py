"""Optimizer configurations (torch.optim's rules): ``sgd``, ``adam``, ``adamw``, ``rmsprop``,
``adagrad``.
"""

from ._magmadnn.optimizer import *  # noqa: F401,F403
