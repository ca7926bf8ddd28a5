// Tensors, initializers and backend math: the seed's first slide without the graph.
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
    std::printf("row sums of softmax: %.6f %.6f %.6f %.6f\n", math::sum(s, 1).get({0}),
                math::sum(s, 1).get({1}), math::sum(s, 1).get({2}), math::sum(s, 1).get({3}));
    return 0;
}
