// The _magmadnn extension module; the magmadnn package (python/magmadnn) re-exports it.
#include "bindings.h"

NB_MODULE(_magmadnn, m) {
    using namespace magmadnn::python;
    m.doc() =
        "magmadnn: tensors shared with NumPy and PyTorch, a compute graph with gradients, layers "
        "and a Model, linear algebra and FFT.";
    bind_errors(m);
    bind_tensor(m);
    bind_math(m);
    bind_info(m);
    auto op =
        m.def_submodule("op", "Graph nodes: building a graph computes nothing; eval() runs it.");
    bind_ops(op);
    auto layer = m.def_submodule("layer", "Layers: small builders over the graph.");
    bind_layers(layer);
    auto optimizer =
        m.def_submodule("optimizer", "Optimizer configurations (torch.optim's rules).");
    bind_optimizers(optimizer);
    auto model = m.def_submodule("model", "Model: fit / predict / evaluate / save / load.");
    bind_model(model);
    auto linalg = m.def_submodule("linalg", "Dense linear algebra on tensors and NumPy arrays.");
    bind_linalg(linalg);
    auto fft = m.def_submodule("fft", "FFTs on tensors and NumPy arrays.");
    bind_fft(fft);
    auto data = m.def_submodule("data", "Data sets and transforms.");
    bind_data(data);
}
