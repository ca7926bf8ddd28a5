// magmadnn.linalg: solvers, decompositions, batched GEMM and contractions on Tensors and on
// anything array-like (NumPy arrays are shared, not copied). float32 and float64; the other
// operands are converted to the first one's type. The routines run with the GIL released.
#include "magmadnn/linalg.h"

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>

#include "bindings.h"

namespace magmadnn::python {

namespace {

// f() with the GIL released.
template <typename F>
auto released(F&& f) {
    std::optional<decltype(f())> r;
    {
        nb::gil_scoped_release release;
        r.emplace(f());
    }
    return std::move(*r);
}

// f(Tensor<T>) for the first operand's type, float32 or float64.
template <typename F>
nb::object real_op(nb::handle a, const char* what, F&& f) {
    const PyTensor t = to_tensor(a);
    return visit_real(t, what, [&](const auto& x) { return nb::object(f(x)); });
}

#define MAGMADNN_T(x) typename std::decay_t<decltype(x)>::value_type

linalg::LowPrecision precision_arg(const std::string& p) {
    if (p == "automatic") return linalg::LowPrecision::automatic;
    if (p == "f32") return linalg::LowPrecision::f32;
    if (p == "f16") return linalg::LowPrecision::f16;
    if (p == "bf16") return linalg::LowPrecision::bf16;
    if (p == "tf32") return linalg::LowPrecision::tf32;
    throw ValueError("linalg.solve_mixed: precision '" + p +
                     "' is not one of automatic, f32, f16, bf16, tf32");
}

template <typename T>
std::vector<Tensor<T>> typed_list(const std::vector<nb::handle>& xs) {
    std::vector<Tensor<T>> out;
    for (nb::handle x : xs) out.push_back(to_typed<T>(x));
    return out;
}

// A binary routine r(a, b) returning one tensor.
#define MAGMADNN_BIND_AB(pyname, call, doc)                                      \
    m.def(                                                                       \
        pyname,                                                                  \
        [](nb::handle A, nb::handle B) {                                         \
            return real_op(A, "linalg." pyname, [&](const auto& a) {             \
                const auto b = to_typed<MAGMADNN_T(a)>(B);                       \
                return nb::cast(released([&] { return PyTensor{call(a, b)}; })); \
            });                                                                  \
        },                                                                       \
        nb::arg("A"), nb::arg("b"), doc)

// A unary routine r(a) returning one tensor.
#define MAGMADNN_BIND_A(pyname, call, doc)                                    \
    m.def(                                                                    \
        pyname,                                                               \
        [](nb::handle A) {                                                    \
            return real_op(A, "linalg." pyname, [&](const auto& a) {          \
                return nb::cast(released([&] { return PyTensor{call(a)}; })); \
            });                                                               \
        },                                                                    \
        nb::arg("A"), doc)

}  // namespace

void bind_linalg(nb::module_& m) {
    MAGMADNN_BIND_AB("solve", linalg::solve,
                     "x with A x = b by LU with partial pivoting; A {n, n}, b {n} or {n, nrhs}.");
    MAGMADNN_BIND_AB("lstsq", linalg::lstsq,
                     "Least squares by Householder QR (m >= n, full column rank) or the "
                     "minimum-norm solution (m < n); b {m} or {m, nrhs}.");
    MAGMADNN_BIND_A("cholesky", linalg::cholesky, "Lower-triangular L with A = L L^T.");
    MAGMADNN_BIND_AB("cholesky_solve", linalg::cholesky_solve, "x with L L^T x = b.");
    MAGMADNN_BIND_AB("solve_batched", linalg::solve_batched,
                     "Many small systems: A {batch, n, n}, b {batch, n} or {batch, n, k}.");
    MAGMADNN_BIND_A("cholesky_batched", linalg::cholesky_batched, "A {batch, n, n}.");
    MAGMADNN_BIND_AB("cholesky_solve_batched", linalg::cholesky_solve_batched, "");
    MAGMADNN_BIND_AB("contract_fem", linalg::contract_fem,
                     "C[i1, i2, i3] = sum_k A[k, i1] B[k, i2, i3] as one GEMM (B may carry a "
                     "leading element axis).");

    m.def(
        "qr",
        [](nb::handle A) {
            return real_op(A, "linalg.qr", [&](const auto& a) {
                auto r = released([&] { return linalg::qr(a); });
                return nb::make_tuple(PyTensor{r.Q}, PyTensor{r.R});
            });
        },
        nb::arg("A"), "Thin QR: (Q {m, k}, R {k, n}), k = min(m, n).");
    m.def(
        "eigh",
        [](nb::handle S) {
            return real_op(S, "linalg.eigh", [&](const auto& a) {
                auto r = released([&] { return linalg::eigh(a); });
                return nb::make_tuple(PyTensor{r.eigenvalues}, PyTensor{r.eigenvectors});
            });
        },
        nb::arg("S"),
        "The symmetric eigenproblem: (ascending eigenvalues {n}, eigenvectors in the columns of "
        "{n, n}); only the lower triangle is read.");
    m.def(
        "svd",
        [](nb::handle A) {
            return real_op(A, "linalg.svd", [&](const auto& a) {
                auto r = released([&] { return linalg::svd(a); });
                return nb::make_tuple(PyTensor{r.U}, PyTensor{r.S}, PyTensor{r.Vt});
            });
        },
        nb::arg("A"), "Thin SVD: (U {m, k}, s {k} descending, Vt {k, n}).");
    m.def(
        "randomized_svd",
        [](nb::handle A, index_t rank, index_t oversample, int power_iterations,
           std::uint64_t seed) {
            return real_op(A, "linalg.randomized_svd", [&](const auto& a) {
                auto r = released([&] {
                    return linalg::randomized_svd(a, rank, oversample, power_iterations, seed);
                });
                return nb::make_tuple(PyTensor{r.U}, PyTensor{r.S}, PyTensor{r.Vt});
            });
        },
        nb::arg("A"), nb::arg("rank"), nb::arg("oversample") = 10, nb::arg("power_iterations") = 2,
        nb::arg("seed") = 0, "The leading `rank` singular triplets by a randomized range finder.");

    nb::enum_<linalg::MixedMethod>(m, "MixedMethod")
        .value("refinement", linalg::MixedMethod::refinement)
        .value("gmres_refinement", linalg::MixedMethod::gmres_refinement)
        .value("f64_fallback", linalg::MixedMethod::f64_fallback);
    nb::class_<linalg::MixedSolveResult>(
        m, "MixedSolveResult", "x, iterations = linalg.solve_mixed(A, b) unpacks the first two.")
        .def_prop_ro("x", [](const linalg::MixedSolveResult& r) { return PyTensor{r.x}; })
        .def_ro("iterations", &linalg::MixedSolveResult::iterations)
        .def_ro("method", &linalg::MixedSolveResult::method)
        .def_ro("backward_error", &linalg::MixedSolveResult::backward_error)
        .def_ro("gmres_iterations", &linalg::MixedSolveResult::gmres_iterations)
        .def("__iter__", [](const linalg::MixedSolveResult& r) {
            return nb::iter(nb::make_tuple(PyTensor{r.x}, r.iterations));
        });
    m.def(
        "solve_mixed",
        [](nb::handle A, nb::handle b, const std::string& precision, int max_iterations,
           double tolerance) {
            const Tensor<double> a = to_typed<double>(A), tb = to_typed<double>(b);
            linalg::MixedOptions o;
            o.precision = precision_arg(precision);
            o.max_iterations = max_iterations;
            o.tolerance = tolerance;
            return released([&] { return linalg::solve_mixed(a, tb, o); });
        },
        nb::arg("A"), nb::arg("b"), nb::arg("precision") = "automatic",
        nb::arg("max_iterations") = 30, nb::arg("tolerance") = 0.0,
        "A x = b in float64 from a low-precision LU refined with float64 residuals (GMRES-IR, "
        "then a float64 LU, where refinement stalls).");

    m.def(
        "gemm",
        [](nb::handle A, nb::handle B, bool trans_a, bool trans_b) {
            return real_op(A, "linalg.gemm", [&](const auto& a) {
                const auto b = to_typed<MAGMADNN_T(a)>(B);
                return nb::cast(
                    released([&] { return PyTensor{linalg::gemm(a, b, trans_a, trans_b)}; }));
            });
        },
        nb::arg("A"), nb::arg("B"), nb::arg("trans_a") = false, nb::arg("trans_b") = false,
        "op(A) op(B) of 2-D operands.");
    MAGMADNN_BIND_AB("matmul", linalg::matmul,
                     "2-D, or {b, m, k} x {b, k, n} with a shared 2-D operand allowed.");
    m.def(
        "gemm_batched",
        [](nb::handle A, nb::handle B, bool trans_a, bool trans_b) {
            return real_op(A, "linalg.gemm_batched", [&](const auto& a) {
                const auto b = to_typed<MAGMADNN_T(a)>(B);
                return nb::cast(released(
                    [&] { return PyTensor{linalg::gemm_batched(a, b, trans_a, trans_b)}; }));
            });
        },
        nb::arg("A"), nb::arg("B"), nb::arg("trans_a") = false, nb::arg("trans_b") = false,
        "{batch, m, k} x {batch, k, n} -> {batch, m, n}; a 2-D operand is shared by every "
        "problem.");
    m.def(
        "gemm_batched",
        [](double alpha, nb::handle A, nb::handle B, double beta, PyTensor& C, bool trans_a,
           bool trans_b) {
            visit_real(C, "linalg.gemm_batched", [&](auto& c) {
                using T = MAGMADNN_T(c);
                const auto a = to_typed<T>(A), b = to_typed<T>(B);
                Tensor<T> out = c;
                nb::gil_scoped_release release;
                linalg::gemm_batched(T(alpha), a, b, T(beta), out, trans_a, trans_b);
                return 0;
            });
        },
        nb::arg("alpha"), nb::arg("A"), nb::arg("B"), nb::arg("beta"), nb::arg("C"),
        nb::arg("trans_a") = false, nb::arg("trans_b") = false,
        "C = alpha op(A) op(B) + beta C in place, C a Tensor (one made by as_tensor(array) "
        "writes into the array).");
    m.def(
        "gemm_vbatched",
        [](double alpha, const std::vector<nb::handle>& As, const std::vector<nb::handle>& Bs,
           double beta, const std::vector<PyTensor>& Cs) {
            if (Cs.empty()) return;
            visit_real(Cs.front(), "linalg.gemm_vbatched", [&](const auto& c0) {
                using T = MAGMADNN_T(c0);
                auto a = typed_list<T>(As), b = typed_list<T>(Bs);
                std::vector<Tensor<T>> c;
                for (const PyTensor& p : Cs) c.push_back(as<T>(p, "linalg.gemm_vbatched"));
                nb::gil_scoped_release release;
                linalg::gemm_vbatched(T(alpha), a, b, T(beta), c);
                return 0;
            });
        },
        nb::arg("alpha"), nb::arg("As"), nb::arg("Bs"), nb::arg("beta"), nb::arg("Cs"),
        "C_i = alpha A_i B_i + beta C_i for problems of different sizes, each C_i a Tensor.");
    m.def(
        "contract",
        [](const std::string& spec, nb::handle A, nb::handle B) {
            return real_op(A, "linalg.contract", [&](const auto& a) {
                const auto b = to_typed<MAGMADNN_T(a)>(B);
                return nb::cast(released([&] { return PyTensor{linalg::contract(spec, a, b)}; }));
            });
        },
        nb::arg("spec"), nb::arg("A"), nb::arg("B"),
        "Two-operand contraction over named axes, einsum style: 'bik,bkj->bij'.");
    m.def(
        "permute",
        [](nb::handle x, const std::vector<int>& perm) {
            return real_op(x, "linalg.permute", [&](const auto& a) {
                return nb::cast(released([&] { return PyTensor{linalg::permute(a, perm)}; }));
            });
        },
        nb::arg("x"), nb::arg("perm"), "numpy.transpose(x, perm), into a new tensor.");
    m.def(
        "dot",
        [](nb::handle X, nb::handle Y) {
            return real_op(X, "linalg.dot", [&](const auto& x) {
                const auto y = to_typed<MAGMADNN_T(x)>(Y);
                return nb::float_(double(released([&] { return linalg::dot(x, y); })));
            });
        },
        nb::arg("x"), nb::arg("y"));
    m.def(
        "nrm2",
        [](nb::handle X) {
            return real_op(X, "linalg.nrm2", [&](const auto& x) {
                return nb::float_(double(released([&] { return linalg::nrm2(x); })));
            });
        },
        nb::arg("x"), "The Euclidean norm.");
}

}  // namespace magmadnn::python
