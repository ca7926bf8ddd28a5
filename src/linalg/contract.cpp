// Contractions lowered to GEMM: the FEM kernel is one GEMM (or one batched GEMM with A shared);
// the general einsum-style contraction permutes only operands whose axes are not already in
// GEMM order.
#include "magmadnn/linalg/contract.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>

#include "common.h"
#include "magmadnn/core/error.h"
#include "magmadnn/linalg/batched.h"
#include "magmadnn/linalg/blas.h"

namespace magmadnn::linalg {

template <typename T>
Tensor<T> contract_fem(const Tensor<T>& A, const Tensor<T>& B) {
    if (A.ndim() != 2 || (B.ndim() != 3 && B.ndim() != 4) || B.shape(-3) != A.shape(0)) {
        throw ShapeError(
            fmt::format("linalg::contract_fem: needs A {{K, n1}} and B {{K, n2, n3}} "
                        "or {{E, K, n2, n3}} with the same K; got A {} and B {}",
                        to_string(A.shape()), to_string(B.shape())));
    }
    const index_t K = A.shape(0);
    const index_t n1 = A.shape(1);
    const index_t n2 = B.shape(-2);
    const index_t n3 = B.shape(-1);
    if (B.ndim() == 3) {
        return gemm(A, B.reshape({K, n2 * n3}), true, false).reshape({n1, n2, n3});
    }
    const index_t E = B.shape(0);
    return gemm_batched(A, B.reshape({E, K, n2 * n3}), true, false).reshape({E, n1, n2, n3});
}

template <typename T>
Tensor<T> permute(const Tensor<T>& x, const std::vector<int>& perm) {
    const int nd = x.ndim();
    std::vector<int> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int> iota(static_cast<std::size_t>(nd));
    std::iota(iota.begin(), iota.end(), 0);
    if (sorted != iota) {
        throw ValueError(
            fmt::format("linalg::permute: [{}] is not a permutation of the {} axes "
                        "of {}",
                        fmt::join(perm, ", "), nd, to_string(x.shape())));
    }
    if (perm == iota) return x;
    const Tensor<T> h = x.to(HOST);
    Shape out_shape(static_cast<std::size_t>(nd));
    std::vector<index_t> in_stride(static_cast<std::size_t>(nd));
    index_t s = 1;
    for (int a = nd - 1; a >= 0; --a) {
        in_stride[a] = s;
        s *= x.shape()[a];
    }
    std::vector<index_t> stride(static_cast<std::size_t>(nd));  // input stride per output axis
    for (int a = 0; a < nd; ++a) {
        out_shape[a] = x.shape()[perm[a]];
        stride[a] = in_stride[perm[a]];
    }
    Tensor<T> out(out_shape, HOST);
    const T* src = h.cdata();
    T* dst = out.data();
    std::vector<index_t> idx(static_cast<std::size_t>(nd), 0);
    index_t offset = 0;
    for (index_t i = 0; i < out.size(); ++i) {
        dst[i] = src[offset];
        for (int a = nd - 1; a >= 0; --a) {  // odometer increment
            ++idx[a];
            offset += stride[a];
            if (idx[a] < out_shape[a]) break;
            offset -= stride[a] * idx[a];
            idx[a] = 0;
        }
    }
    return x.memory() == HOST ? out : out.to(x.memory());
}

namespace {

struct Spec {
    std::string a, b, out;
};

Spec parse(const std::string& spec, int na, int nb) {
    const auto comma = spec.find(',');
    const auto arrow = spec.find("->");
    if (comma == std::string::npos || arrow == std::string::npos || arrow < comma) {
        throw ValueError(
            fmt::format("linalg::contract: spec \"{}\" must read \"<A axes>,<B "
                        "axes>-><output axes>\", e.g. \"ki,kjl->ijl\"",
                        spec));
    }
    Spec s{spec.substr(0, comma), spec.substr(comma + 1, arrow - comma - 1),
           spec.substr(arrow + 2)};
    for (const std::string* part : {&s.a, &s.b, &s.out}) {
        for (std::size_t i = 0; i < part->size(); ++i) {
            const char c = (*part)[i];
            if (!std::isalpha(static_cast<unsigned char>(c)) ||
                part->find(c, i + 1) != std::string::npos) {
                throw ValueError(
                    fmt::format("linalg::contract: spec \"{}\": axes are single "
                                "letters, each at most once per operand ('{}' in "
                                "\"{}\")",
                                spec, c, *part));
            }
        }
    }
    if (static_cast<int>(s.a.size()) != na || static_cast<int>(s.b.size()) != nb) {
        throw ShapeError(
            fmt::format("linalg::contract: spec \"{}\" names {} axes for A and {} "
                        "for B, but A has {} and B has {}",
                        spec, s.a.size(), s.b.size(), na, nb));
    }
    return s;
}

bool has(const std::string& s, char c) { return s.find(c) != std::string::npos; }

std::vector<int> positions(const std::string& from, const std::string& order) {
    std::vector<int> p;
    for (char c : order) p.push_back(static_cast<int>(from.find(c)));
    return p;
}

}  // namespace

template <typename T>
Tensor<T> contract(const std::string& spec, const Tensor<T>& A, const Tensor<T>& B) {
    const Spec s = parse(spec, A.ndim(), B.ndim());
    std::map<char, index_t> extent;
    auto record = [&](const std::string& axes, const Shape& shape, const char* what) {
        for (std::size_t i = 0; i < axes.size(); ++i) {
            const auto [it, fresh] = extent.emplace(axes[i], shape[i]);
            if (!fresh && it->second != shape[i]) {
                throw ShapeError(
                    fmt::format("linalg::contract: axis '{}' is {} in one operand "
                                "and {} in {} {} (spec \"{}\")",
                                axes[i], it->second, shape[i], what, to_string(shape), spec));
            }
        }
    };
    record(s.a, A.shape(), "A");
    record(s.b, B.shape(), "B");
    std::string batch, free_a, free_b, summed;
    for (char c : s.out) {
        if (!has(s.a, c) && !has(s.b, c)) {
            throw ValueError(
                fmt::format("linalg::contract: output axis '{}' is in neither "
                            "operand (spec \"{}\")",
                            c, spec));
        }
        (has(s.a, c) && has(s.b, c) ? batch : has(s.a, c) ? free_a : free_b) += c;
    }
    for (char c : s.a) {
        if (!has(s.out, c)) {
            if (!has(s.b, c)) {
                throw UnsupportedError(fmt::format(
                    "linalg::contract: axis '{}' of A is in neither B nor the output; sum it "
                    "first (math::sum) (spec \"{}\")",
                    c, spec));
            }
            summed += c;
        }
    }
    for (char c : s.b) {
        if (!has(s.out, c) && !has(s.a, c)) {
            throw UnsupportedError(fmt::format(
                "linalg::contract: axis '{}' of B is in neither A nor the output; sum it first "
                "(math::sum) (spec \"{}\")",
                c, spec));
        }
    }
    auto size_of = [&](const std::string& axes) {
        index_t n = 1;
        for (char c : axes) n *= extent[c];
        return n;
    };
    const index_t nb = size_of(batch);
    const index_t m = size_of(free_a);
    const index_t n = size_of(free_b);
    const index_t k = size_of(summed);
    // A as {batch, m, k} or, transposed, {batch, k, m}; else permute it to the former.
    bool ta = false;
    Tensor<T> a = A;
    if (s.a == batch + free_a + summed) {
    } else if (s.a == batch + summed + free_a) {
        ta = true;
    } else {
        a = permute(A, positions(s.a, batch + free_a + summed));
    }
    bool tb = false;
    Tensor<T> b = B;
    if (s.b == batch + summed + free_b) {
    } else if (s.b == batch + free_b + summed) {
        tb = true;
    } else {
        b = permute(B, positions(s.b, batch + summed + free_b));
    }
    a = ta ? a.reshape({nb, k, m}) : a.reshape({nb, m, k});
    b = tb ? b.reshape({nb, n, k}) : b.reshape({nb, k, n});
    Tensor<T> c({nb, m, n}, A.memory());
    gemm_batched(T(1), a, b, T(0), c, ta, tb);
    const std::string got = batch + free_a + free_b;
    Shape got_shape;
    for (char ch : got) got_shape.push_back(extent[ch]);
    c = c.reshape(got_shape);
    return got == s.out ? c : permute(c, positions(got, s.out));
}

#define MAGMADNN_INSTANTIATE(T)                                                             \
    template Tensor<T> contract_fem<T>(const Tensor<T>&, const Tensor<T>&);                 \
    template Tensor<T> contract<T>(const std::string&, const Tensor<T>&, const Tensor<T>&); \
    template Tensor<T> permute<T>(const Tensor<T>&, const std::vector<int>&);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::linalg
