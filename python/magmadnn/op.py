"""Graph nodes, as in the seed: ``op.var``, ``op.matmul``, ``op.add``, ...; building computes
nothing, ``node.eval()`` runs the graph.
"""

from ._magmadnn.op import *  # noqa: F401,F403
