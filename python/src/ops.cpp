// magmadnn.op: graph nodes as in the seed (op.var, op.matmul, op.add, ...). Building computes
// nothing; node.eval() runs the graph. Nodes of float32 and float64 are two classes,
// OperationF32 and OperationF64, and every op is one overloaded function over both.
#include <nanobind/stl/array.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "graph_types.h"

namespace magmadnn::python {

namespace {

template <typename T>
using Op = op::OpPtr<T>;

template <typename T>
void bind_operation(nb::module_& m) {
    using Node = op::Operation<T>;
    const std::string name = std::string("Operation") + type_suffix<T>();
    nb::class_<Node>(m, name.c_str(),
                     "A graph node (the result of op.var, op.add, ...). eval() computes it and "
                     "what it depends on; a + b, a - b, a * b (elementwise) and a @ b build nodes.")
        .def_prop_ro("name", &Node::name)
        .def_prop_ro("kind", &Node::kind, "The op: 'variable', 'add', 'matmul', ...")
        .def_prop_ro("shape", [](const Node& n) { return nb::tuple(nb::cast(n.shape())); })
        .def_prop_ro("memory", &Node::memory)
        .def_prop_ro("dtype", [](const Node&) { return dtype_name<T>(); })
        .def_prop_ro("inputs", &Node::inputs)
        .def(
            "eval",
            [](Node& n, bool recompute) {
                nb::gil_scoped_release release;
                return PyTensor{n.eval(recompute)};
            },
            nb::arg("recompute") = true,
            "Evaluates this node and everything it depends on. The result shares the node's "
            "buffer: it stays valid until the next evaluation (clone() it to keep it). With "
            "recompute=False the last value is returned without running anything.")
        .def_prop_ro(
            "output", [](const Node& n) { return PyTensor{n.output()}; },
            "The last computed value (the node's buffer).")
        .def_prop_ro(
            "grad", [](const Node& n) { return PyTensor{n.grad()}; },
            "d(loss)/d(this output) of the last backward pass.")
        .def("set_training", &Node::set_training, nb::arg("training"),
             "Training mode changes what some nodes do (dropout).")
        .def("__add__", [](const Op<T>& a, const Op<T>& b) { return op::add(a, b); })
        .def("__sub__", [](const Op<T>& a, const Op<T>& b) { return op::sub(a, b); })
        .def("__mul__", [](const Op<T>& a, const Op<T>& b) { return op::product(a, b); })
        .def("__truediv__", [](const Op<T>& a, const Op<T>& b) { return op::div(a, b); })
        .def("__matmul__", [](const Op<T>& a, const Op<T>& b) { return op::matmul(a, b); })
        .def("__neg__", [](const Op<T>& a) { return op::negate(a); })
        .def("__repr__", [](const Node& n) {
            return "Operation" + std::string(type_suffix<T>()) + "(" + n.kind() + " '" + n.name() +
                   "', shape " + to_string(n.shape()) + ")";
        });

    const std::string table = std::string("GradTable") + type_suffix<T>();
    nb::class_<op::GradTable<T>>(m, table.c_str(),
                                 "Gradients by variable, from op.get_grad_table(vars, loss).")
        .def(
            "get", [](const op::GradTable<T>& g, const Op<T>& v) { return PyTensor{g.get(v)}; },
            nb::arg("var"),
            "The gradient for `var` (the graph's buffer: valid until the next backward pass).")
        .def("__getitem__",
             [](const op::GradTable<T>& g, const Op<T>& v) { return PyTensor{g.get(v)}; })
        .def("__contains__", &op::GradTable<T>::contains);
}

template <typename T>
void bind_ops_for(nb::module_& m) {
    m.def(
        "value_of", [](const Op<T>& v) { return PyTensor{op::value_of(v)}; }, nb::arg("variable"),
        "The tensor a variable holds (writes to it change the variable).");
    m.def("add", &op::add<T>, nb::arg("a"), nb::arg("b"), "a + b, with NumPy broadcasting.");
    m.def("sub", &op::sub<T>, nb::arg("a"), nb::arg("b"));
    m.def("product", &op::product<T>, nb::arg("a"), nb::arg("b"), "Elementwise a * b.");
    m.def("div", &op::div<T>, nb::arg("a"), nb::arg("b"));
    m.def("negate", &op::negate<T>, nb::arg("x"));
    m.def("add_scalar", &op::add_scalar<T>, nb::arg("x"), nb::arg("s"));
    m.def("scalarproduct", &op::scalarproduct<T>, nb::arg("alpha"), nb::arg("x"), "alpha * x");
    m.def("pow", &op::pow<T>, nb::arg("x"), nb::arg("exponent"));
    m.def("exp", &op::exp<T>, nb::arg("x"));
    m.def("log", &op::log<T>, nb::arg("x"));
    m.def("tanh", &op::tanh<T>, nb::arg("x"));
    m.def("sigmoid", &op::sigmoid<T>, nb::arg("x"));
    m.def("relu", &op::relu<T>, nb::arg("x"));
    m.def("leaky_relu", &op::leaky_relu<T>, nb::arg("x"), nb::arg("negative_slope") = T(0.01));
    m.def("gelu", &op::gelu<T>, nb::arg("x"));
    m.def("matmul", &op::matmul<T>, nb::arg("a"), nb::arg("b"), "2-D matrix product.");
    m.def("transpose", &op::transpose<T>, nb::arg("x"), "2-D transpose.");
    m.def("reshape", &op::reshape<T>, nb::arg("x"), nb::arg("shape"), "-1 infers one extent.");
    m.def("flatten", &op::flatten<T>, nb::arg("x"), "{n, ...} -> {n, rest}");
    m.def(
        "reduce_sum",
        [](const Op<T>& x, std::optional<int> axis) {
            return op::reduce_sum(x, axis ? *axis : math::all_axes);
        },
        nb::arg("x"), nb::arg("axis") = nb::none(), "Sum over one axis, or all (None).");
    m.def(
        "mean",
        [](const Op<T>& x, std::optional<int> axis) {
            return op::mean(x, axis ? *axis : math::all_axes);
        },
        nb::arg("x"), nb::arg("axis") = nb::none());
    m.def("softmax", &op::softmax<T>, nb::arg("x"), "Along the last axis.");
    m.def("log_softmax", &op::log_softmax<T>, nb::arg("x"));
    m.def("crossentropy", &op::crossentropy<T>, nb::arg("ground_truth"), nb::arg("predicted"),
          "-mean over rows of sum_j y_j log p_j, for probabilities p (the seed's order).");
    m.def("softmax_crossentropy", &op::softmax_crossentropy<T>, nb::arg("logits"),
          nb::arg("ground_truth"), "Cross-entropy on logits, fused with the softmax.");
    m.def("mse", &op::mse<T>, nb::arg("predicted"), nb::arg("target"));
    m.def(
        "linear",
        [](const Op<T>& x, const Op<T>& w, const std::optional<Op<T>>& b, nb::handle activation) {
            return op::linear(
                x, w, b.value_or(nullptr),
                activation.is_none() ? Activation::linear : activation_arg(activation));
        },
        nb::arg("x"), nb::arg("weight"), nb::arg("bias").none(), nb::arg("activation") = nb::none(),
        "x {n, in} W {in, out} + b {out}, then the activation, in one node.");
    m.def("dropout", &op::dropout<T>, nb::arg("x"), nb::arg("rate"), nb::arg("seed") = 0);
    m.def("optimize", &op::optimize<T>, nb::arg("root"),
          "Fuses activations into the linear nodes they follow; returns the fusions made.");
    m.def("solve", &op::solve<T>, nb::arg("A"), nb::arg("B"), "X with A X = B (differentiable).");
    m.def("lstsq", &op::lstsq<T>, nb::arg("A"), nb::arg("B"));
    m.def("batched_matmul", &op::batched_matmul<T>, nb::arg("A"), nb::arg("B"));
    m.def(
        "conv2d",
        [](const Op<T>& x, const Op<T>& w, const std::optional<Op<T>>& b, op::Pair stride,
           op::Pair padding, op::Pair dilation, index_t groups, conv::Algo algo) {
            return op::conv2d(x, w, b.value_or(nullptr), stride, padding, dilation, groups, algo);
        },
        nb::arg("x"), nb::arg("w"), nb::arg("b").none(), nb::arg("stride") = op::Pair{1, 1},
        nb::arg("padding") = op::Pair{0, 0}, nb::arg("dilation") = op::Pair{1, 1},
        nb::arg("groups") = 1, nb::arg("algo") = conv::Algo::automatic,
        "2-D convolution (PyTorch's Conv2d): x {n, c, h, w}, w {k, c/groups, r, s}, b {k}.");
    m.def("pooling2d", &op::pooling2d<T>, nb::arg("x"), nb::arg("kernel"), nb::arg("stride"),
          nb::arg("padding") = op::Pair{0, 0}, nb::arg("mode") = op::PoolMode::max);
    m.def("global_avg_pool", &op::global_avg_pool<T>, nb::arg("x"));
    m.def(
        "get_grad_table",
        [](const std::vector<Op<T>>& vars, const Op<T>& loss) {
            op::GradTable<T> table;
            nb::gil_scoped_release release;
            op::get_grad_table(vars, loss, table);
            return table;
        },
        nb::arg("vars"), nb::arg("loss"),
        "Runs the backward pass from `loss` (evaluated first) and returns each variable's "
        "gradient.");
}

// var(name, shape, filler, memory, dtype) or var(name, tensor-or-array).
nb::object var(const std::string& name, nb::handle shape_or_value, const Filler& filler,
               memory_t memory, const std::string& dtype) {
    if (is_shape(shape_or_value)) {
        const Shape shape = nb::cast<Shape>(shape_or_value);
        return visit_real_dtype(dtype, [&](auto tag) {
            using T = typename decltype(tag)::type;
            return nb::cast(op::var<T>(name, shape, filler, memory));
        });
    }
    const PyTensor value = to_tensor(shape_or_value);
    return visit_real(value, "op.var", [&](const auto& t) {
        using T = typename std::decay_t<decltype(t)>::value_type;
        return nb::cast(op::var<T>(name, memory == HOST ? t : t.to(memory)));
    });
}

}  // namespace

void bind_ops(nb::module_& m) {
    nb::enum_<Activation>(m, "Activation")
        .value("linear", Activation::linear)
        .value("relu", Activation::relu)
        .value("leaky_relu", Activation::leaky_relu)
        .value("gelu", Activation::gelu)
        .value("tanh", Activation::tanh)
        .value("sigmoid", Activation::sigmoid)
        .value("softmax", Activation::softmax);
    nb::enum_<conv::Algo>(m, "ConvAlgo", "Convolution algorithms; automatic measures.")
        .value("automatic", conv::Algo::automatic)
        .value("direct", conv::Algo::direct)
        .value("im2col", conv::Algo::im2col)
        .value("winograd2", conv::Algo::winograd2)
        .value("winograd4", conv::Algo::winograd4)
        .value("fft", conv::Algo::fft)
        .value("onednn", conv::Algo::onednn)
        .value("cudnn", conv::Algo::cudnn);
    nb::enum_<op::PoolMode>(m, "PoolMode")
        .value("max", op::PoolMode::max)
        .value("average", op::PoolMode::average);

    bind_operation<float>(m);
    bind_operation<double>(m);

    m.def("var", &var, nb::arg("name"), nb::arg("shape_or_value"), nb::arg("filler") = Filler(),
          nb::arg("memory") = HOST, nb::arg("dtype") = "float32",
          nb::sig("def var(name: str, shape_or_value: object, filler: magmadnn._magmadnn.Filler "
                  "= ..., memory: magmadnn._magmadnn.memory_t = ..., dtype: str = 'float32') "
                  "-> OperationF32 | OperationF64"),
          "A variable: op.var('A', [4, 5], Filler(GLOROT, [1.5, 2.0]), HOST) holds a new tensor "
          "of that shape (dtype 'float32' or 'float64'); op.var('x', tensor_or_array) wraps an "
          "existing one, sharing its memory.");
    m.def(
        "scalar",
        [](const std::string& name, double value, memory_t memory, const std::string& dtype) {
            return visit_real_dtype(dtype, [&](auto tag) {
                using T = typename decltype(tag)::type;
                return nb::cast(op::scalar<T>(name, T(value), memory));
            });
        },
        nb::arg("name"), nb::arg("value"), nb::arg("memory") = HOST, nb::arg("dtype") = "float32",
        nb::sig("def scalar(name: str, value: float, memory: magmadnn._magmadnn.memory_t = ..., "
                "dtype: str = 'float32') -> OperationF32 | OperationF64"));
    bind_ops_for<float>(m);
    bind_ops_for<double>(m);
}

}  // namespace magmadnn::python
