# %% [markdown]
# # magmadnn from Python: the seed's MLP on Fashion-MNIST
#
# A notebook in script form (each `# %%` is a cell in VS Code or Jupytext). It trains the seed's
# network, looks at its predictions with NumPy, hands a tensor to PyTorch without a copy, and
# solves a small linear system. `MAGMADNN_EXAMPLE_ROWS` trains on fewer rows (the test sets it).

# %%
import os

import numpy as np

import magmadnn as mdnn
from magmadnn import layer, op

rows = int(os.environ.get("MAGMADNN_EXAMPLE_ROWS", "60000"))
epochs = int(os.environ.get("MAGMADNN_EXAMPLE_EPOCHS", "5"))
mdnn.set_seed(42)

# %% Data: tensors in magmadnn's memory, viewed by NumPy without a copy
train = mdnn.data.load_mnist_like("fashion-mnist", "train")
test = mdnn.data.load_mnist_like("fashion-mnist", "test")
x = np.asarray(train.x)[:rows]  # a view: no copy
y = np.eye(10, dtype=np.float32)[np.asarray(train.labels)[:rows]]
print(f"train {x.shape}, test {test.x.shape}, pixels in [{x.min()}, {x.max()}]")

# %% The seed's network: 784 -> 528 -> ReLU -> 10
batch = 100
data = op.var("data", [batch, 784])  # the batch placeholder
inp = layer.input(data)
fc1 = layer.fullyconnected(inp.out(), 528)
act1 = layer.activation(fc1.out(), layer.RELU)
fc2 = layer.fullyconnected(act1.out(), 10)
out = layer.output(fc2.out())
model = mdnn.Model([inp, fc1, act1, fc2, out], mdnn.optimizer.sgd(0.1), batch)
print(model.summary())

# %% Training: a bar on a terminal, one JSON line per epoch here; Ctrl-C stops it cleanly
history = model.fit(x, y, epochs, seed=42)
print(f"last epoch: loss {history.epochs[-1].loss:.4f}, accuracy {history.epochs[-1].accuracy:.4f}")

# %% Predictions are tensors; NumPy reads them in place
probabilities = np.asarray(model.predict(test.x))
predicted = probabilities.argmax(axis=1)
accuracy = float((predicted == np.asarray(test.labels)).mean())
print(f"test accuracy {accuracy:.4f}")
assert accuracy > (0.75 if rows >= 5000 else 0.5), accuracy

# %% PyTorch shares the same memory through DLPack
try:
    import torch

    weights = torch.from_dlpack(op.value_of(model.weights[0]))
    print(f"first layer's weights in PyTorch: {tuple(weights.shape)}, mean {weights.mean():.5f}")
except ImportError:
    print("PyTorch is not installed: skipping the DLPack cell")

# %% Linear algebra on NumPy arrays
A = np.array([[4.0, 1.0], [1.0, 3.0]])
b = np.array([1.0, 2.0])
solution = mdnn.linalg.solve(A, b)
eigenvalues, _ = mdnn.linalg.eigh(A)
print(f"solve: {np.asarray(solution)}, eigenvalues: {np.asarray(eigenvalues)}")
assert np.allclose(A @ np.asarray(solution), b)
