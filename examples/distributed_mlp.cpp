// The seed's distributed training: an MLP trained by a hand-written loop with
// optimizer::DistributedGradientDescentOptimizer, one shard of every batch per rank.
//   mpirun -n 2 example_distributed_mlp [fashion-mnist|mnist|DIR] [epochs] [training rows]
// Every rank ends with the same weights (checked by a hash over the ranks); rank 0 prints the
// test accuracy. Launched alone it trains as one process.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "magmadnn.h"

using namespace magmadnn;

namespace {
std::uint64_t hash_of(const std::vector<op::OpPtr<float>>& weights) {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto& w : weights) {
        const auto v = w->output().to_vector();
        const auto* p = reinterpret_cast<const unsigned char*>(v.data());
        for (std::size_t i = 0; i < v.size() * sizeof(float); ++i)
            h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}
}  // namespace

int main(int argc, char** argv) {
    auto& world = dist::Communicator::world();
    const std::string source = argc > 1 ? argv[1] : "fashion-mnist";
    const int n_epochs = argc > 2 ? std::stoi(argv[2]) : 5;
    const index_t batch_size = 100 / world.size();  // per rank: the global batch stays 100
    try {
        auto train = data::load_mnist_like<float>(source, data::Split::train);
        if (argc > 3) {
            const index_t rows = std::min<index_t>(std::stol(argv[3]), train.x.shape(0));
            train.x = train.x.slice(0, rows);
            train.labels = train.labels.slice(0, rows);
        }
        auto test = data::load_mnist_like<float>(source, data::Split::test);

        set_seed(1 + world.rank());  // different starts: the optimizer's first step aligns them
        auto x_batch = op::var<float>("data", {batch_size, 784}, {NONE, {}}, HOST);
        auto y_batch = op::var<float>("labels", {batch_size, 10}, {ZERO, {}}, HOST);
        auto input = layer::input(x_batch);
        auto fc1 = layer::fullyconnected(input->out(), 528);
        auto act1 = layer::activation(fc1->out(), layer::RELU);
        auto fc2 = layer::fullyconnected(act1->out(), 10);
        auto loss = op::softmax_crossentropy(fc2->out(), y_batch);
        std::vector<op::OpPtr<float>> weights;
        for (const auto& l : {fc1, fc2}) {
            for (const auto& w : l->get_weights()) weights.push_back(w);
        }
        std::vector<Tensor<float>> params, grads;
        for (const auto& w : weights) params.push_back(w->output());

        optimizer::DistributedGradientDescentOptimizer<float> optim(0.1);
        data::LoaderOptions lo;
        lo.seed = 7;
        lo.drop_last = true;
        lo.shard = world.rank();
        lo.shards = world.size();
        data::BatchLoader<float> loader(train.x, data::one_hot<float>(train.labels, 10), batch_size,
                                        lo);
        Tensor<float> xv = x_batch->output(), yv = y_batch->output();
        for (int epoch = 0; epoch < n_epochs; ++epoch) {
            loader.start_epoch(static_cast<std::uint64_t>(epoch));
            double total = 0;
            index_t steps = 0;
            for (data::Batch<float> b; loader.next(b); ++steps) {
                xv.copy_from(b.x);
                yv.copy_from(b.y);
                total += loss->eval().get_flat(0);
                op::backward(loss, weights);
                grads.clear();
                for (const auto& w : weights) grads.push_back(w->grad());
                optim.step(params, grads);
            }
            if (world.is_root()) {
                std::printf("epoch %d: rank 0 mean loss %.4f over %lld steps\n", epoch + 1,
                            total / double(steps), static_cast<long long>(steps));
            }
        }

        // test accuracy, every rank on the whole test set (the weights are the same)
        index_t correct = 0, seen = 0;
        const index_t n_test = test.x.shape(0) / batch_size * batch_size;
        for (index_t begin = 0; begin < n_test; begin += batch_size) {
            xv.copy_from(test.x.slice(begin, begin + batch_size));
            const auto pred = math::argmax(fc2->out()->eval(), 1).to_vector();
            for (index_t i = 0; i < batch_size; ++i) {
                correct += pred[i] == test.labels.get_flat(begin + i);
            }
            seen += batch_size;
        }
        const auto hashes = world.allgather<std::uint64_t>(hash_of(weights));
        const bool same = std::all_of(hashes.begin(), hashes.end(),
                                      [&](std::uint64_t h) { return h == hashes[0]; });
        const double accuracy = double(correct) / double(seen);
        if (world.is_root()) {
            std::printf("%d ranks, weights %s on every rank; test accuracy %.4f\n", world.size(),
                        same ? "identical" : "DIFFERENT", accuracy);
        }
        return same ? 0 : 1;
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
