// The seed's second slide: an MLP on MNIST-format data, trained with Model.
//   example_mnist_mlp [fashion-mnist|mnist|DIR] [epochs] [training rows]
// (all 60,000 rows by default; fewer for a quick run, as the test suite does)
#include <algorithm>
#include <cstdio>
#include <string>

#include "magmadnn.h"

using namespace magmadnn;

int main(int argc, char** argv) {
    const std::string source = argc > 1 ? argv[1] : "fashion-mnist";
    const int n_epochs = argc > 2 ? std::stoi(argv[2]) : 5;
    const index_t batch_size = 100;
    try {
        auto train = data::load_mnist_like<float>(source, data::Split::train);
        if (argc > 3) {  // the first rows only
            const index_t rows = std::min<index_t>(std::stol(argv[3]), train.x.shape(0));
            train.x = train.x.slice(0, rows);
            train.labels = train.labels.slice(0, rows);
        }
        auto test = data::load_mnist_like<float>(source, data::Split::test);
        Tensor<float> y_train = data::one_hot<float>(train.labels, 10);
        Tensor<float> y_test = data::one_hot<float>(test.labels, 10);

        auto x_batch = op::var<float>("data", {batch_size, 784}, {NONE, {}}, HOST);
        auto input = layer::input(x_batch);
        auto fc1 = layer::fullyconnected(input->out(), 528);
        auto act1 = layer::activation(fc1->out(), layer::RELU);
        auto fc2 = layer::fullyconnected(act1->out(), 10);
        auto output = layer::output(fc2->out());

        model::Model<float> model({input, fc1, act1, fc2, output}, optimizer::sgd(0.1), batch_size);
        std::printf("%s", model.summary().c_str());
        model.fit(train.x, y_train, n_epochs);
        const auto m = model.evaluate(test.x, y_test);
        std::printf("test accuracy %.4f, test loss %.4f\n", m.accuracy, m.loss);
        model.save("mnist_mlp.safetensors");
        std::printf("saved mnist_mlp.safetensors\n");
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
