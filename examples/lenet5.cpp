// LeNet-5 on MNIST-format images, built from layers and trained with Model.
//   example_lenet5 [fashion-mnist|mnist|DIR] [epochs] [training rows]
// (all 60,000 rows by default; fewer for a quick run, as the test suite does)
#include <algorithm>
#include <cstdio>
#include <string>

#include "magmadnn.h"

using namespace magmadnn;

int main(int argc, char** argv) {
    const std::string source = argc > 1 ? argv[1] : "fashion-mnist";
    const int n_epochs = argc > 2 ? std::stoi(argv[2]) : 2;
    const index_t batch_size = 64;
    try {
        auto train = data::load_mnist_like<float>(source, data::Split::train);
        if (argc > 3) {  // the first rows only
            const index_t rows = std::min<index_t>(std::stol(argv[3]), train.x.shape(0));
            train.x = train.x.slice(0, rows);
            train.labels = train.labels.slice(0, rows);
        }
        auto test = data::load_mnist_like<float>(source, data::Split::test);
        // the IDX images load as {n, 784}: view them as {n, 1, 28, 28}
        const Tensor<float> x_train = train.x.reshape({-1, 1, 28, 28});
        const Tensor<float> x_test = test.x.reshape({-1, 1, 28, 28});
        Tensor<float> y_train = data::one_hot<float>(train.labels, 10);
        Tensor<float> y_test = data::one_hot<float>(test.labels, 10);

        auto x_batch = op::var<float>("data", {batch_size, 1, 28, 28}, {NONE, {}}, HOST);
        auto input = layer::input(x_batch);
        auto c1 = layer::conv2d(input->out(), 6, {5, 5}, {1, 1}, {2, 2});
        auto a1 = layer::activation(c1->out(), layer::RELU);
        auto p1 = layer::pooling2d(a1->out(), {2, 2}, {2, 2}, layer::MAX);
        auto c2 = layer::conv2d(p1->out(), 16, {5, 5});
        auto a2 = layer::activation(c2->out(), layer::RELU);
        auto p2 = layer::pooling2d(a2->out(), {2, 2}, {2, 2}, layer::MAX);
        auto f3 = layer::fullyconnected(p2->out(), 120);  // flattens {n, 16, 5, 5}
        auto a3 = layer::activation(f3->out(), layer::RELU);
        auto f4 = layer::fullyconnected(a3->out(), 84);
        auto a4 = layer::activation(f4->out(), layer::RELU);
        auto f5 = layer::fullyconnected(a4->out(), 10);
        auto output = layer::output(f5->out());

        model::Model<float> model({input, c1, a1, p1, c2, a2, p2, f3, a3, f4, a4, f5, output},
                                  optimizer::sgd(0.05, 0.9), batch_size);
        std::printf("%s", model.summary().c_str());
        model.fit(x_train, y_train, n_epochs);
        const auto m = model.evaluate(x_test, y_test);
        std::printf("test accuracy %.4f, test loss %.4f\n", m.accuracy, m.loss);
        model.save("lenet5.safetensors");
        std::printf("saved lenet5.safetensors\n");
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
