// The seed's first slide: build a graph, evaluate it, and take gradients.
#include <cmath>
#include <cstdio>

#include "magmadnn.h"

using namespace magmadnn;

int main() {
    auto A = op::var<float>("A", {4, 5}, {GLOROT, {1.5, 2.0}}, HOST);
    auto X = op::var<float>("X", {5, 4}, {UNIFORM, {0.0, 1.0}}, HOST);
    auto B = op::var<float>("B", {4, 4}, {DIAGONAL, {1, 2, 3, 4}}, HOST);
    auto result = op::add(op::matmul(A, X), B);  // builds the graph, computes nothing
    Tensor<float> r = result->eval();            // evaluates it

    std::printf("A X + B =\n");
    for (index_t i = 0; i < 4; ++i) {
        for (index_t j = 0; j < 4; ++j) std::printf(" %8.4f", r.get({i, j}));
        std::printf("\n");
    }

    // d(sum(A X + B)) / dX, through the grad table as in MagmaDNN.
    auto loss = op::reduce_sum(result);
    loss->eval();
    op::GradTable<float> table;
    op::get_grad_table({X}, loss, table);
    const Tensor<float> dX = table.get(X);
    std::printf("d sum / dX[0][0] = %.4f (the sum of A's first column)\n", dX.get({0, 0}));
    // d sum(A X + B) / dX[p][j] is the sum of A's column p, for every j
    const Tensor<float> a = A->eval();
    for (index_t p = 0; p < 5; ++p) {
        float col = 0;
        for (index_t i = 0; i < 4; ++i) col += a.get({i, p});
        for (index_t j = 0; j < 4; ++j) {
            if (std::abs(dX.get({p, j}) - col) > 1e-5f) {
                std::printf("FAILED: dX[%ld][%ld] = %f, expected %f\n", long(p), long(j),
                            double(dX.get({p, j})), double(col));
                return 1;
            }
        }
    }
    return 0;
}
