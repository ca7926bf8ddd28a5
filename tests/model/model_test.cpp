// Model on small synthetic data: training converges, predictions, save/load, callbacks, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "data/temp_dir.h"
#include "magmadnn.h"
#include "test_util.h"

using namespace magmadnn;

namespace {

// Three Gaussian blobs in 4-D, well separated: a small MLP classifies them almost perfectly.
struct Blobs {
    Tensor<float> x, y;
    Tensor<std::int32_t> labels;
};
Blobs blobs(index_t n, std::uint32_t seed) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> noise(0.0f, 0.5f);
    Blobs b{Tensor<float>({n, 4}), Tensor<float>({n, 3}), Tensor<std::int32_t>({n})};
    for (index_t i = 0; i < n; ++i) {
        const int c = static_cast<int>(i % 3);
        for (index_t j = 0; j < 4; ++j) b.x.set({i, j}, (j == c ? 3.0f : 0.0f) + noise(gen));
        b.y.set({i, c}, 1.0f);
        b.labels.set({i}, c);
    }
    return b;
}

model::Model<float> small_mlp(index_t batch, const optimizer::Config& opt) {
    auto data = op::var<float>("data", {batch, 4}, {NONE, {}}, HOST);
    auto input = layer::input(data);
    auto fc1 = layer::fullyconnected(input->out(), 16);
    auto act1 = layer::activation(fc1->out(), layer::TANH);
    auto fc2 = layer::fullyconnected(act1->out(), 3);
    auto out = layer::output(fc2->out());
    return model::Model<float>({input, fc1, act1, fc2, out}, opt, batch);
}

model::FitOptions quiet() {
    model::FitOptions o;
    o.verbosity = model::Verbosity::silent;
    return o;
}

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            (name + "_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             std::to_string(std::random_device{}())))
        .string();
}

}  // namespace

TEST(Model, SeedStyleMlpLearnsBlobs) {
    set_seed(1);
    const Blobs train = blobs(600, 1), test = blobs(300, 2);
    auto model = small_mlp(20, optimizer::sgd(0.1, 0.9));
    const auto h = model.fit(train.x, train.y, 10, quiet());
    ASSERT_EQ(h.epochs.size(), 10u);
    EXPECT_LT(h.epochs.back().loss, h.epochs.front().loss);
    const auto m = model.evaluate(test.x, test.y);
    EXPECT_GT(m.accuracy, 0.95);
    const auto p = model.predict(test.x);
    ASSERT_EQ(p.shape(), (Shape{300, 3}));
    for (index_t i = 0; i < 5; ++i) {
        EXPECT_NEAR(p.get({i, 0}) + p.get({i, 1}) + p.get({i, 2}), 1.0f, 1e-5f);
    }
    const auto classes = model.predict_class(test.x).to_vector();
    const auto truth = test.labels.to_vector();
    int right = 0;
    for (std::size_t i = 0; i < classes.size(); ++i) right += classes[i] == truth[i];
    EXPECT_NEAR(double(right) / 300.0, m.accuracy, 1e-12);
}

TEST(Model, EveryOptimizerTrains) {
    const Blobs train = blobs(300, 3);
    for (const auto& cfg : {optimizer::adam(0.01), optimizer::adamw(0.01), optimizer::rmsprop(0.01),
                            optimizer::adagrad(0.1), optimizer::sgd(0.1, 0.9, true)}) {
        set_seed(2);
        auto model = small_mlp(30, cfg);
        model.fit(train.x, train.y, 8, quiet());
        EXPECT_GT(model.evaluate(train.x, train.y).accuracy, 0.9) << cfg.name();
    }
}

TEST(Model, SaveLoadGivesIdenticalPredictions) {
    set_seed(3);
    const Blobs train = blobs(120, 4);
    auto model = small_mlp(40, optimizer::sgd(0.05));
    model.fit(train.x, train.y, 2, quiet());
    const std::string path = temp_path("model") + ".safetensors";
    model.save(path);
    auto loaded = model::Model<float>::load(path);
    EXPECT_EQ(loaded.batch_size(), 40);
    EXPECT_EQ(loaded.predict(train.x).to_vector(), model.predict(train.x).to_vector());
    auto other_batch = model::Model<float>::load(path, 7);  // a partial last batch: 120 = 17*7+1
    const auto a = other_batch.predict(train.x).to_vector(), b = model.predict(train.x).to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6f);
    EXPECT_EQ(loaded.architecture_json(), model.architecture_json());
    std::filesystem::remove(path);
}

TEST(Model, SavedOptimizerStateContinuesTrainingExactly) {
    // momentum (SGD) and moments plus step count (Adam): a model saved after an epoch and
    // loaded again takes the same next epoch as the one that kept training
    for (const optimizer::Config& opt : {optimizer::sgd(0.05, 0.9), optimizer::adam(0.01)}) {
        set_seed(5);
        const Blobs train = blobs(120, 6);
        auto model = small_mlp(40, opt);
        model::FitOptions o = quiet();
        o.shuffle = false;
        model.fit(train.x, train.y, 1, o);
        const std::string path = temp_path("resume") + ".safetensors";
        model.save(path);
        auto loaded = model::Model<float>::load(path);
        EXPECT_EQ(loaded.optimizer().steps(), model.optimizer().steps());
        model.fit(train.x, train.y, 1, o);
        loaded.fit(train.x, train.y, 1, o);
        EXPECT_EQ(loaded.predict(train.x).to_vector(), model.predict(train.x).to_vector())
            << opt.name();
        // the same file with another optimizer starts that optimizer afresh
        auto other = model::Model<float>::load(path, 0, HOST, optimizer::sgd(0.05));
        EXPECT_EQ(other.optimizer().steps(), 0);
        // a damaged step count or a missing buffer is a FormatError naming the file
        const io::SafetensorsFile file(path);
        for (const bool drop_buffer : {false, true}) {
            io::SafetensorsWriter broken;
            for (const auto& name : file.names()) {
                if (drop_buffer && name == "optimizer.0.s1") continue;
                broken.add(name, file.get_as<float>(name, HOST));
            }
            for (const auto& [key, value] : file.metadata()) {
                broken.set_metadata(key, key == "magmadnn.optimizer_steps" && !drop_buffer
                                             ? std::string("many")
                                             : value);
            }
            const std::string bad = temp_path("resume_bad") + ".safetensors";
            broken.write(bad);
            try {
                model::Model<float>::load(bad);
                ADD_FAILURE() << "no error for a broken optimizer state";
            } catch (const FormatError& e) {
                EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
            }
            std::filesystem::remove(bad);
        }
        std::filesystem::remove(path);
    }
}

TEST(Model, ResumedFitContinuesAsIfUninterrupted) {
    // A model saved after 2 of 5 epochs and loaded again ends where the uninterrupted one
    // does: each epoch's shuffle order and scheduled learning rate follow its index, and the
    // momentum and the epoch count travel in the file.
    const Blobs train = blobs(150, 8);
    const optimizer::Config opt =
        optimizer::sgd(0.05, 0.9).with_schedule(optimizer::Schedule::step(2, 0.5));
    model::FitOptions o = quiet();
    o.seed = 11;
    set_seed(9);
    auto whole = small_mlp(20, opt);
    const auto all = whole.fit(train.x, train.y, 5, o);
    EXPECT_EQ(whole.epochs_trained(), 5);

    set_seed(9);
    auto first = small_mlp(20, opt);
    first.fit(train.x, train.y, 2, o);
    test::TempDir dir;
    const std::string path = dir.file("checkpoint.safetensors");
    first.save(path);
    auto resumed = model::Model<float>::load(path);
    ASSERT_EQ(resumed.epochs_trained(), 2);
    o.initial_epoch = resumed.epochs_trained();
    const auto rest = resumed.fit(train.x, train.y, 5, o);
    ASSERT_EQ(rest.epochs.size(), 3u);
    EXPECT_EQ(rest.epochs.front().epoch, 3);
    EXPECT_EQ(rest.epochs.back().learning_rate, all.epochs.back().learning_rate);
    EXPECT_EQ(rest.epochs.back().loss, all.epochs.back().loss);
    EXPECT_EQ(resumed.predict(train.x).to_vector(), whole.predict(train.x).to_vector());
    EXPECT_EQ(resumed.epochs_trained(), 5);
    // nothing left to do is an empty history; past the end, or before 0, a ValueError
    o.initial_epoch = 5;
    EXPECT_TRUE(resumed.fit(train.x, train.y, 5, o).epochs.empty());
    o.initial_epoch = 6;
    EXPECT_THROW(resumed.fit(train.x, train.y, 5, o), ValueError);
    o.initial_epoch = -1;
    EXPECT_THROW(resumed.fit(train.x, train.y, 5, o), ValueError);
}

// Checkpoints written inside epochs: each, loaded and resumed, ends with the bits of the run
// that never stopped (momentum or Adam's moments and step count, the epoch's shuffle order
// and learning rate, the dropout streams, the epoch's running metrics all travel in the file).
TEST(Model, MidEpochCheckpointsResumeBitwise) {
    const char* arch = R"({"input_shape": [4], "layers": [
        {"type": "fullyconnected", "units": 16}, {"type": "activation", "activation": "relu"},
        {"type": "dropout", "rate": 0.25}, {"type": "fullyconnected", "units": 3}]})";
    const Blobs train = blobs(150, 12);
    for (const optimizer::Config& opt :
         {optimizer::sgd(0.05, 0.9).with_schedule(optimizer::Schedule::step(1, 0.7)),
          optimizer::adam(0.01)}) {
        test::TempDir dir;
        model::FitOptions o = quiet();
        o.seed = 4;
        o.checkpoint = dir.file("ckpt") + "/";
        o.checkpoint_every = 2;  // 8 steps an epoch (the 8th of 10 rows): 2, 4, 6 and the end
        o.keep_checkpoints = 100;
        set_seed(21);
        auto whole = model::sequential<float>(arch, 20, opt);
        const auto all = whole.fit(train.x, train.y, 3, o);
        const auto kept = model::checkpoints_in(o.checkpoint);
        ASSERT_EQ(kept.size(), 12u) << opt.name();  // 3 epochs x (3 inside + 1 at the end)
        const auto final_weights = whole.predict(train.x).to_vector();
        for (const std::string& path : {kept[2], kept[5], kept[9]}) {  // inside epochs 3, 2, 1
            auto resumed = model::Model<float>::load(path);
            const model::TrainingPosition at = resumed.position();
            ASSERT_GT(at.step, 0) << path;
            model::FitOptions r = quiet();
            r.seed = 4;
            r.resume = true;
            const auto rest = resumed.fit(train.x, train.y, 3, r);
            ASSERT_EQ(rest.epochs.size(), std::size_t(3 - at.epoch)) << path;
            EXPECT_EQ(resumed.predict(train.x).to_vector(), final_weights) << opt.name() << path;
            // the resumed epoch's metrics count its steps before the checkpoint too
            EXPECT_EQ(rest.epochs.front().steps, all.epochs[at.epoch].steps);
            EXPECT_EQ(rest.epochs.front().accuracy, all.epochs[at.epoch].accuracy) << path;
            EXPECT_NEAR(rest.epochs.front().loss, all.epochs[at.epoch].loss, 1e-12) << path;
            EXPECT_EQ(rest.epochs.back().loss, all.epochs.back().loss) << path;
        }
        // another batch size: the rows done are not whole batches of 30, so the epoch restarts
        auto other = model::Model<float>::load(kept[2], 30);
        model::FitOptions r = quiet();
        r.resume = true;
        EXPECT_EQ(other.fit(train.x, train.y, 3, r).epochs.size(), 1u);
    }
}

TEST(Model, InterruptStopsAfterTheStepAndResumesThere) {
    const Blobs train = blobs(150, 12);
    set_seed(5);
    auto whole = small_mlp(20, optimizer::sgd(0.05));
    set_seed(5);
    auto stopped = small_mlp(20, optimizer::sgd(0.05));
    model::FitOptions o = quiet();
    o.seed = 3;
    const auto all = whole.fit(train.x, train.y, 2, o);
    int asked = 0;
    model::FitOptions stop_at_11 = o;
    stop_at_11.interrupt = [&] { return ++asked == 11; };  // the 3rd step of the 2nd epoch
    const auto h = stopped.fit(train.x, train.y, 2, stop_at_11);
    EXPECT_TRUE(h.interrupted);
    ASSERT_EQ(h.epochs.size(), 1u);
    EXPECT_EQ(stopped.position().epoch, 1);
    EXPECT_EQ(stopped.position().step, 3);
    model::FitOptions r = o;
    r.resume = true;
    const auto rest = stopped.fit(train.x, train.y, 2, r);
    ASSERT_EQ(rest.epochs.size(), 1u);
    EXPECT_FALSE(rest.interrupted);
    EXPECT_EQ(stopped.predict(train.x).to_vector(), whole.predict(train.x).to_vector());
    EXPECT_NEAR(rest.epochs.back().loss, all.epochs.back().loss, 1e-12);
}

TEST(Model, CheckpointDirectoryKeepsTheNewest) {
    const Blobs train = blobs(120, 13);
    test::TempDir dir;
    set_seed(22);
    auto m = small_mlp(20, optimizer::sgd(0.05));
    model::FitOptions o = quiet();
    o.checkpoint = dir.file("run") + "/";
    o.checkpoint_every = 1;
    o.keep_checkpoints = 2;
    // a temporary file left by a writer killed mid-write is removed
    std::filesystem::create_directories(dir.file("run"));
    dir.write("run/ckpt-e000000-s000000001.safetensors.tmp.99999.0", "partial");
    m.fit(train.x, train.y, 2, o);
    const auto kept = model::checkpoints_in(o.checkpoint);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_NE(kept[0].find("ckpt-e000002-s000000000.safetensors"), std::string::npos) << kept[0];
    EXPECT_NE(kept[1].find("ckpt-e000001-s000000005.safetensors"), std::string::npos) << kept[1];
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("run")),
                            std::filesystem::directory_iterator()),
              2);
    EXPECT_EQ(model::Model<float>::load(kept[0]).position(), model::TrainingPosition{2});
    o.keep_checkpoints = 0;
    EXPECT_THROW(m.fit(train.x, train.y, 3, o), ValueError);
    // a damaged position is a FormatError naming the file
    const io::SafetensorsFile file(kept[0]);
    io::SafetensorsWriter broken;
    for (const auto& name : file.names()) broken.add(name, file.get_as<float>(name, HOST));
    for (const auto& [key, value] : file.metadata()) {
        broken.set_metadata(key,
                            key == "magmadnn.position" ? std::string(R"({"epoch": -1})") : value);
    }
    const std::string bad = dir.file("bad.safetensors");
    broken.write(bad);
    try {
        model::Model<float>::load(bad);
        ADD_FAILURE() << "a damaged position was accepted";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
}

TEST(Model, LoadRejectsForeignAndBrokenFiles) {
    const std::string path = temp_path("foreign") + ".safetensors";
    io::SafetensorsWriter w;
    w.add("x", Tensor<float>({2}));
    w.write(path);
    EXPECT_THROW(model::Model<float>::load(path), FormatError);
    EXPECT_THROW(model::Model<float>::load(path + ".missing"), IOError);
    std::filesystem::remove(path);
}

TEST(Model, ValidationSplitAndEarlyStopping) {
    set_seed(4);
    const Blobs train = blobs(300, 5);
    auto model = small_mlp(30, optimizer::sgd(0.1));
    model::FitOptions o = quiet();
    o.validation_split = 0.2;
    auto stop =
        std::make_shared<model::EarlyStopping<float>>("val_loss", 0, 10.0);  // never improves by 10
    const auto h = model.fit(train.x, train.y, 20, o, {stop});
    EXPECT_TRUE(h.stopped_early);
    EXPECT_EQ(h.epochs.size(), 2u);  // epoch 1 sets the best, epoch 2 fails to beat it
    EXPECT_FALSE(std::isnan(h.epochs[0].val_loss));
    EXPECT_THROW(model::EarlyStopping<float>("bogus"), ValueError);
}

TEST(Model, CheckpointWritesTheBestModel) {
    set_seed(5);
    const Blobs train = blobs(300, 6);
    auto model = small_mlp(30, optimizer::sgd(0.1));
    const std::string path = temp_path("ckpt") + ".safetensors";
    model::FitOptions o = quiet();
    o.validation_split = 0.2;
    model.fit(train.x, train.y, 3, o, {std::make_shared<model::ModelCheckpoint<float>>(path)});
    ASSERT_TRUE(std::filesystem::exists(path));
    auto loaded = model::Model<float>::load(path);
    EXPECT_GT(loaded.evaluate(train.x, train.y).accuracy, 0.5);
    std::filesystem::remove(path);
}

TEST(Model, MseRegressionConverges) {
    set_seed(6);
    const index_t n = 200;
    Tensor<float> x({n, 2}), y({n, 1});
    for (index_t i = 0; i < n; ++i) {
        const float a = float(i % 10) / 10.0f, b = float(i % 7) / 7.0f;
        x.set({i, 0}, a);
        x.set({i, 1}, b);
        y.set({i, 0}, 2.0f * a - b + 0.5f);
    }
    auto data = op::var<float>("data", {20, 2});
    auto in = layer::input(data);
    auto fc = layer::fullyconnected(in->out(), 1);
    auto out = layer::output(fc->out());
    model::Model<float> model({in, fc, out}, optimizer::adam(0.05), 20, model::Loss::mse);
    model.fit(x, y, 60, quiet());
    EXPECT_LT(model.evaluate(x, y).loss, 1e-3);
}

TEST(Model, BadInputsNameTheProblem) {
    auto model = small_mlp(10, optimizer::sgd(0.1));
    Tensor<float> x({30, 5}), y({30, 3});
    try {
        model.fit(x, y, 1, quiet());
        FAIL();
    } catch (const ShapeError& e) {
        EXPECT_NE(std::string(e.what()).find("{30, 5}"), std::string::npos) << e.what();
    }
    Tensor<float> x4({30, 4}), y2({30, 2}), y_short({29, 3});
    EXPECT_THROW(model.fit(x4, y2, 1, quiet()), ShapeError);
    EXPECT_THROW(model.fit(x4, y_short, 1, quiet()), ShapeError);
    // fewer rows than a batch: one partial step, unless the partial batch is dropped
    EXPECT_EQ(model.fit(Tensor<float>({5, 4}), Tensor<float>({5, 3}), 1, quiet()).epochs[0].steps,
              1);
    model::FitOptions drop = quiet();
    drop.drop_last = true;
    try {
        model.fit(Tensor<float>({5, 4}), Tensor<float>({5, 3}), 1, drop);
        FAIL();
    } catch (const ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("5 training rows are fewer than one batch of 10"),
                  std::string::npos)
            << e.what();
    }
    // wrong placeholder batch, out-of-order layers
    auto data = op::var<float>("data", {8, 4});
    auto in = layer::input(data);
    auto fc = layer::fullyconnected(in->out(), 3);
    auto out = layer::output(fc->out());
    EXPECT_THROW(model::Model<float>({in, fc, out}, optimizer::sgd(0.1), 10), ShapeError);
    EXPECT_THROW(model::Model<float>({in, out, fc}, optimizer::sgd(0.1), 8), ValueError);
}

namespace {
std::vector<std::vector<float>> weights_of(const model::Model<float>& m) {
    std::vector<std::vector<float>> w;
    for (const auto& v : m.weights()) w.push_back(v->output().to_vector());
    return w;
}
std::vector<std::vector<float>> state_of(const model::Model<float>& m) {
    std::vector<std::vector<float>> st;
    for (const auto& l : m.layers()) {
        for (const auto& s : l->get_state()) st.push_back(s->output().to_vector());
    }
    return st;
}
}  // namespace

// The final partial batch is a step of its own: 23 rows at batch 10 train as the first 20 rows
// do, then as a model of batch 3 (the saved one, its Adam step count included) on the last 3.
TEST(Model, PartialLastBatchIsTrainedOn) {
    const Blobs train = blobs(23, 16);
    model::FitOptions o = quiet();
    o.shuffle = false;
    set_seed(5);
    auto whole = small_mlp(10, optimizer::adam(0.02));
    EXPECT_EQ(whole.fit(train.x, train.y, 1, o).epochs[0].steps, 3);
    const auto after_tail = small_mlp(10, optimizer::sgd(0.1));  // the next initial weights

    set_seed(5);
    auto first = small_mlp(10, optimizer::adam(0.02));
    first.fit(train.x.slice(0, 20), train.y.slice(0, 20), 1, o);
    test::TempDir dir;
    first.save(dir.file("first.safetensors"));
    auto last = model::Model<float>::load(dir.file("first.safetensors"), 3);
    last.fit(train.x.slice(20, 23), train.y.slice(20, 23), 1, o);
    EXPECT_EQ(weights_of(whole), weights_of(last));
    EXPECT_NE(weights_of(whole), weights_of(first));

    // drop_last: two steps, the weights of the first 20 rows' epoch
    set_seed(5);
    auto dropping = small_mlp(10, optimizer::adam(0.02));
    model::FitOptions d = o;
    d.drop_last = true;
    EXPECT_EQ(dropping.fit(train.x, train.y, 1, d).epochs[0].steps, 2);
    EXPECT_EQ(weights_of(dropping), weights_of(first));
    // building the partial batch's network drew no stream numbers: the model built after
    // either fit starts from the same weights
    const auto after_drop = small_mlp(10, optimizer::sgd(0.1));
    EXPECT_EQ(weights_of(after_tail), weights_of(after_drop));
}

// Batch norm's running statistics and dropout's stream go through the partial batch and come
// back: the next epoch continues from them exactly as a run that stopped, trained the 3 rows
// at batch 3 and went on would.
TEST(Model, PartialLastBatchKeepsStateAndStreams) {
    const char* arch = R"({"input_shape": [4], "layers": [
        {"type": "fullyconnected", "units": 8}, {"type": "batchnorm"},
        {"type": "activation", "activation": "relu"}, {"type": "dropout", "rate": 0.3},
        {"type": "fullyconnected", "units": 3}]})";
    const Blobs train = blobs(23, 17);
    model::FitOptions o = quiet();
    o.shuffle = false;
    set_seed(6);
    auto whole = model::sequential<float>(arch, 10, optimizer::adam(0.02));
    whole.fit(train.x, train.y, 2, o);

    set_seed(6);
    test::TempDir dir;
    auto first = model::sequential<float>(arch, 10, optimizer::adam(0.02));
    first.fit(train.x.slice(0, 20), train.y.slice(0, 20), 1, o);
    first.save(dir.file("a.safetensors"));
    auto last = model::Model<float>::load(dir.file("a.safetensors"), 3);
    last.fit(train.x.slice(20, 23), train.y.slice(20, 23), 1, o);
    last.save(dir.file("b.safetensors"));
    auto rest = model::Model<float>::load(dir.file("b.safetensors"), 10);
    model::FitOptions r = o;
    r.initial_epoch = 1;
    rest.fit(train.x, train.y, 2, r);
    EXPECT_EQ(weights_of(whole), weights_of(rest));
    ASSERT_FALSE(state_of(whole).empty());
    EXPECT_EQ(state_of(whole), state_of(rest));

    set_seed(6);
    auto dropping = model::sequential<float>(arch, 10, optimizer::adam(0.02));
    model::FitOptions d = o;
    d.drop_last = true;
    dropping.fit(train.x, train.y, 2, d);
    EXPECT_NE(state_of(whole), state_of(dropping));
}

// A finite loss with an overflowing gradient stops training before the step: the weights are
// the ones the step started from. Inputs of 1e20 through first-layer weights of 1e-30 give
// hidden values of 4e-10 and, through output weights of 1e20, equal logits: the loss is ln 3,
// but the first layer's gradient (1e20 inputs times 1e20 output weights) overflows float.
TEST(Model, NonFiniteGradientNormStopsBeforeTheStep) {
    set_seed(8);
    auto model = small_mlp(4, optimizer::sgd(0.1));
    const auto fill = [](const op::OpPtr<float>& w, float value) {
        Tensor<float> t = w->output();
        for (index_t k = 0; k < t.size(); ++k) t.set_flat(k, value);
    };
    const auto fc1 = model.layers()[1]->get_weights(), fc2 = model.layers()[3]->get_weights();
    ASSERT_EQ(fc1.size(), 2u);
    ASSERT_EQ(fc2.size(), 2u);
    fill(fc1[0], 1e-30f);
    fill(fc1[1], 0.0f);
    fill(fc2[0], 1e20f);
    fill(fc2[1], 0.0f);
    Tensor<float> x({4, 4}), y({4, 3});
    for (index_t k = 0; k < x.size(); ++k) x.set_flat(k, 1e20f);
    for (index_t i = 0; i < 4; ++i) y.set({i, i % 3}, 1.0f);
    const auto before = weights_of(model);
    try {
        model.fit(x, y, 1, quiet());
        FAIL() << "no error";
    } catch (const NumericError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("at epoch 1, step 1 the loss is"), std::string::npos) << what;
        EXPECT_NE(what.find("global norm inf; the step was not applied"), std::string::npos)
            << what;
    }
    EXPECT_EQ(weights_of(model), before);
}

TEST(Model, DivergingLossIsReported) {
    set_seed(7);
    Blobs train = blobs(60, 7);
    train.x.set({0, 0}, std::nanf(""));
    auto model = small_mlp(10, optimizer::sgd(0.1));
    EXPECT_THROW(model.fit(train.x, train.y, 1, quiet()), NumericError);
}

// detect_anomaly names the first node whose output is not finite: rows of 1e20 in every batch
// make step 1's gradients and weights huge, so a product of step 2 overflows; without it the
// loss stops training at the same step.
TEST(Model, DetectAnomalyNamesTheFirstNonFiniteNode) {
    const char* arch = R"({"input_shape": [4], "layers": [
        {"type": "fullyconnected", "units": 16}, {"type": "activation", "activation": "relu"},
        {"type": "fullyconnected", "units": 3}]})";
    Blobs train = blobs(60, 14);
    for (index_t r : {0, 20, 40}) {
        for (index_t j = 0; j < 4; ++j) train.x.set({r, j}, 1e20f);
    }
    for (const bool detect : {true, false}) {
        set_seed(30);
        auto m = model::sequential<float>(arch, 20, optimizer::sgd(0.1));
        model::FitOptions o = quiet();
        o.shuffle = false;
        o.detect_anomaly = detect;
        try {
            m.fit(train.x, train.y, 1, o);
            ADD_FAILURE() << "no error, detect_anomaly " << detect;
        } catch (const NumericError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("epoch 1, step 2"), std::string::npos) << what;
            if (detect) {
                EXPECT_NE(what.find("anomaly"), std::string::npos) << what;
                EXPECT_NE(what.find("(linear) computed a NaN or an infinity from inputs of shapes "
                                    "[{20, "),
                          std::string::npos)
                    << what;
            }
        }
    }
}

TEST(Model, SequentialFromJsonAndSummary) {
    const std::string arch = R"({"input_shape": [4], "layers": [
        {"type": "fullyconnected", "units": 8}, {"type": "activation", "activation": "relu"},
        {"type": "dropout", "rate": 0.1}, {"type": "fullyconnected", "units": 3}]})";
    auto model = model::sequential<float>(arch, 10, optimizer::sgd(0.1));
    EXPECT_EQ(model.layers().size(), 6u);  // input ... output
    const std::string s = model.summary();
    EXPECT_NE(s.find("total parameters: 67"), std::string::npos) << s;  // 4*8+8 + 8*3+3
    EXPECT_THROW(model::sequential<float>("{", 10, optimizer::sgd(0.1)), FormatError);
    EXPECT_THROW(model::sequential<float>(R"({"input_shape": [4], "layers": [{"type": "conv9"}]})",
                                          10, optimizer::sgd(0.1)),
                 FormatError);
}

TEST(Model, TrainsOnTheGpuLikeOnTheCpu) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const Blobs train = blobs(300, 8);
    const std::string arch = R"({"input_shape": [4], "layers": [
        {"type": "fullyconnected", "units": 16}, {"type": "activation", "activation": "relu"},
        {"type": "fullyconnected", "units": 3}]})";
    set_seed(9);
    auto cpu = model::sequential<float>(arch, 30, optimizer::sgd(0.1), HOST);
    set_seed(9);
    auto gpu = model::sequential<float>(arch, 30, optimizer::sgd(0.1), DEVICE);
    model::FitOptions o = quiet();
    o.shuffle = false;
    cpu.fit(train.x, train.y, 3, o);
    gpu.fit(train.x, train.y, 3, o);
    const auto a = cpu.predict(train.x).to_vector(), b = gpu.predict(train.x).to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4f);
}
