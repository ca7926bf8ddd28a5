"""Layers over the graph: ``layer.input``, ``fullyconnected``, ``activation``, ``conv2d``,
``pooling2d``, ``dropout``, ``batchnorm``, ``output``, ...
"""

from ._magmadnn.layer import *  # noqa: F401,F403
