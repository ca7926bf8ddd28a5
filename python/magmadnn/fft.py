"""FFTs on Tensors and NumPy arrays: ``fft``, ``ifft``, ``rfft``, ``fft2``, ``fft2_fp16split``, ...
"""

from ._magmadnn.fft import *  # noqa: F401,F403
