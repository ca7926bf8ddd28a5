"""magmadnn: deep learning and dense linear algebra for scientific computing.

Tensors share memory with NumPy and PyTorch (``Tensor(array)``, ``numpy.asarray(t)``,
``torch.from_dlpack(t)``); graphs are built with :mod:`magmadnn.op` and :mod:`magmadnn.layer`
and trained by :class:`magmadnn.Model`; :mod:`magmadnn.linalg` and :mod:`magmadnn.fft` work on
tensors and NumPy arrays alike.

    import magmadnn as mdnn
    data = mdnn.op.var("data", [100, 784])
    x = mdnn.layer.input(data)
    fc = mdnn.layer.fullyconnected(x.out(), 10)
    model = mdnn.Model([x, fc, mdnn.layer.output(fc.out())], mdnn.optimizer.sgd(0.1), 100)
"""

from ._magmadnn import (
    CONSTANT,
    CUDA_MANAGED,
    DEVICE,
    DIAGONAL,
    GLOROT,
    HE,
    HOST,
    IDENTITY,
    MANAGED,
    NONE,
    NORMAL,
    ONE,
    UNIFORM,
    ZERO,
    DeviceError,
    Error,
    Filler,
    FormatError,
    IOError,
    NumericError,
    ShapeError,
    Tensor,
    UnsupportedError,
    ValueError,
    __version__,
    abs,
    add,
    argmax,
    as_tensor,
    cuda_compiled,
    device_count,
    device_synchronize,
    div,
    exp,
    from_dlpack,
    from_numpy,
    gelu,
    leaky_relu,
    log,
    matmul,
    max,
    maximum,
    mean,
    memory_t,
    minimum,
    mul,
    neg,
    num_threads,
    pow,
    relu,
    set_num_threads,
    set_seed,
    sigmoid,
    softmax,
    sqrt,
    square,
    sub,
    sum,
    tanh,
    tensor,
    tensor_filler_t,
    transpose,
)
from . import data, fft, layer, linalg, op, optimizer
from .model import Callback, EarlyStopping, Model, ModelCheckpoint

__all__ = [
    "CONSTANT", "CUDA_MANAGED", "DEVICE", "DIAGONAL", "GLOROT", "HE", "HOST", "IDENTITY",
    "MANAGED", "NONE", "NORMAL", "ONE", "UNIFORM", "ZERO",
    "Callback", "DeviceError", "EarlyStopping", "Error", "Filler", "FormatError", "IOError",
    "Model", "ModelCheckpoint", "NumericError", "ShapeError", "Tensor", "UnsupportedError",
    "ValueError", "__version__",
    "abs", "add", "argmax", "as_tensor", "cuda_compiled", "device_count", "device_synchronize",
    "div", "exp", "from_dlpack", "from_numpy", "gelu", "leaky_relu", "log", "matmul", "max",
    "maximum", "mean", "memory_t", "minimum", "mul", "neg", "num_threads", "pow", "relu",
    "set_num_threads", "set_seed", "sigmoid", "softmax", "sqrt", "square", "sub", "sum", "tanh",
    "tensor", "tensor_filler_t", "transpose",
    "data", "fft", "layer", "linalg", "op", "optimizer",
]
