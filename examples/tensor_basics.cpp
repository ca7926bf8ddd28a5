// Tensors, initializers and backend math: the seed's first slide without the graph.
#include <cmath>
#include <cstdio>

#include "magmadnn.h"

using namespace magmadnn;

int main() {
    // Memory for the GPU where one is present; the same program runs on the CPU otherwise.
    const memory_t mem = has_device() ? MANAGED : HOST;

    Tensor<float> A({4, 5}, {GLOROT, {}}, mem);
    Tensor<float> X({5, 4}, {UNIFORM, {0.0, 1.0}}, mem);
    Tensor<float> B({4, 4}, {DIAGONAL, {1, 2, 3, 4}}, mem);

    Tensor<float> AX = math::matmul(A, X);
    Tensor<float> r = math::add(AX, B);

    std::printf("A X + B (%s memory):\n", std::string(to_string(mem)).c_str());
    for (index_t i = 0; i < r.shape(0); ++i) {
        for (index_t j = 0; j < r.shape(1); ++j) std::printf(" %8.4f", r.get({i, j}));
        std::printf("\n");
    }
    const Tensor<float> s = math::softmax(r);
    const Tensor<float> sums = math::sum(s, 1);
    std::printf("row sums of softmax: %.6f %.6f %.6f %.6f\n", sums.get({0}), sums.get({1}),
                sums.get({2}), sums.get({3}));
    for (index_t i = 0; i < 4; ++i) {
        // r = A X + B by hand, and each softmax row sums to one
        for (index_t j = 0; j < 4; ++j) {
            double e = j == i ? double(i + 1) : 0.0;
            for (index_t p = 0; p < 5; ++p) e += double(A.get({i, p})) * double(X.get({p, j}));
            if (std::abs(e - r.get({i, j})) > 1e-5) {
                std::printf("FAILED: (A X + B)[%ld][%ld] = %f, expected %f\n", long(i), long(j),
                            double(r.get({i, j})), e);
                return 1;
            }
        }
        if (std::abs(sums.get({i}) - 1.0f) > 1e-5f) {
            std::printf("FAILED: softmax row %ld sums to %f\n", long(i), double(sums.get({i})));
            return 1;
        }
    }
    return 0;
}
