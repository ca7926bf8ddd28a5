// model::TensorBoardLogger: the event files a fit writes, read back and compared with its
// History, and the batch steps Callback::on_batch_end reports.
#include "magmadnn/model/tensorboard.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "data/temp_dir.h"
#include "io/read_events.h"
#include "magmadnn.h"

using namespace magmadnn;

namespace {

struct Data {
    Tensor<float> x, y;
};

// Three separable classes in 4-D.
Data blobs(index_t n) {
    std::mt19937 gen(3);
    std::normal_distribution<float> noise(0.0f, 0.5f);
    Data d{Tensor<float>({n, 4}), Tensor<float>({n, 3})};
    for (index_t i = 0; i < n; ++i) {
        const int c = static_cast<int>(i % 3);
        for (index_t j = 0; j < 4; ++j) d.x.set({i, j}, (j == c ? 3.0f : 0.0f) + noise(gen));
        d.y.set({i, c}, 1.0f);
    }
    return d;
}

model::Model<float> mlp(index_t batch, model::Loss loss = model::Loss::softmax_crossentropy) {
    auto data = op::var<float>("data", {batch, 4}, {NONE, {}}, HOST);
    auto input = layer::input(data);
    auto fc1 = layer::fullyconnected(input->out(), 8);
    auto act1 = layer::activation(fc1->out(), layer::TANH);
    auto fc2 = layer::fullyconnected(act1->out(), 3);
    auto out = layer::output(fc2->out());
    return model::Model<float>({input, fc1, act1, fc2, out}, optimizer::sgd(0.1), batch, loss);
}

class Recorder final : public model::Callback<float> {
  public:
    void on_epoch_end(model::Model<float>&, const model::EpochStats&, bool&) override {}
    void on_batch_end(model::Model<float>&, const model::BatchStats& s) override {
        batches.push_back(s);
    }
    std::vector<model::BatchStats> batches;
};

std::vector<tensorboard::Event> events_in(const std::filesystem::path& dir) {
    const auto files = test::event_files(dir.string());
    EXPECT_EQ(files.size(), 1u) << dir;
    return files.empty() ? std::vector<tensorboard::Event>{} : test::read_events(files[0]);
}

std::vector<std::int64_t> steps_of(const std::vector<std::pair<std::int64_t, float>>& series) {
    std::vector<std::int64_t> out;
    for (const auto& [step, value] : series) out.push_back(step);
    return out;
}

TEST(TensorBoardLogger, EpochAndBatchScalarsAndHistograms) {
    set_seed(2);
    const test::TempDir tmp;
    const Data d = blobs(300);  // 240 training rows: 8 batches of 30 per epoch
    auto model = mlp(30);
    model::FitOptions o;
    o.verbosity = model::Verbosity::silent;
    o.validation_split = 0.2;
    const std::string logdir = tmp.file("logs");
    auto logger = std::make_shared<model::TensorBoardLogger<float>>(
        logdir, model::TensorBoardOptions{.log_every = 3, .histograms = true});
    auto recorder = std::make_shared<Recorder>();
    const auto h = model.fit(d.x, d.y, 3, o, {recorder, logger});
    logger->close();
    ASSERT_EQ(h.epochs.size(), 3u);

    // on_batch_end: every step, numbered within the epoch and from the start
    ASSERT_EQ(recorder->batches.size(), 24u);
    for (std::size_t k = 0; k < 24; ++k) {
        const auto& b = recorder->batches[k];
        EXPECT_EQ(b.global_step, index_t(k) + 1);
        EXPECT_EQ(b.epoch, int(k / 8) + 1);
        EXPECT_EQ(b.step, index_t(k % 8) + 1);
        EXPECT_EQ(b.rows, 30);
        EXPECT_EQ(b.samples, 30);
        EXPECT_TRUE(std::isfinite(b.loss));
        EXPECT_GE(b.accuracy, 0.0);
        EXPECT_LE(b.accuracy, 1.0);
        EXPECT_DOUBLE_EQ(b.learning_rate, 0.1);
    }

    const auto train = events_in(std::filesystem::path(logdir) / "train");
    ASSERT_FALSE(train.empty());
    EXPECT_EQ(train[0].file_version(), "brain.Event:2");
    const auto s = test::scalars(train);
    const std::vector<std::int64_t> epochs{1, 2, 3};
    for (const char* tag :
         {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_samples_per_second"}) {
        ASSERT_TRUE(s.count(tag)) << tag;
        EXPECT_EQ(steps_of(s.at(tag)), epochs) << tag;
    }
    for (std::size_t e = 0; e < 3; ++e) {
        EXPECT_EQ(s.at("epoch_loss")[e].second, float(h.epochs[e].loss));
        EXPECT_EQ(s.at("epoch_accuracy")[e].second, float(h.epochs[e].accuracy));
        EXPECT_EQ(s.at("epoch_learning_rate")[e].second, float(h.epochs[e].learning_rate));
        EXPECT_EQ(s.at("epoch_samples_per_second")[e].second,
                  float(h.epochs[e].samples_per_second));
    }
    // every 3 steps, each the mean over the steps since the last log within the epoch
    const std::vector<std::int64_t> logged{3, 6, 9, 12, 15, 18, 21, 24};
    for (const char* tag :
         {"batch_loss", "batch_accuracy", "batch_learning_rate", "batch_samples_per_second"}) {
        ASSERT_TRUE(s.count(tag)) << tag;
        EXPECT_EQ(steps_of(s.at(tag)), logged) << tag;
    }
    std::size_t from = 0;
    for (std::size_t i = 0; i < logged.size(); ++i) {
        const auto to = static_cast<std::size_t>(logged[i]);    // steps from + 1 .. to, 1-based
        if ((to - 1) / 8 != from / 8) from = (to - 1) / 8 * 8;  // a new epoch restarts the window
        double loss = 0, correct = 0;
        for (std::size_t k = from; k < to; ++k) {
            loss += recorder->batches[k].loss;
            correct += recorder->batches[k].accuracy * 30;
        }
        EXPECT_FLOAT_EQ(s.at("batch_loss")[i].second, float(loss / double(to - from))) << to;
        EXPECT_FLOAT_EQ(s.at("batch_accuracy")[i].second, float(correct / (30.0 * (to - from))));
        EXPECT_GT(s.at("batch_samples_per_second")[i].second, 0.0f);
        from = to;
    }
    // a histogram of each weight after each epoch
    std::map<std::string, std::vector<std::int64_t>> histograms;
    for (const auto& e : train) {
        for (const auto& v : e.summary().value()) {
            if (!v.has_histo()) continue;
            histograms[v.tag()].push_back(e.step());
            const double n = v.tag().ends_with("bias") ? (v.tag()[7] == '1' ? 8 : 3)
                                                       : (v.tag()[7] == '1' ? 32 : 24);
            EXPECT_EQ(v.histo().num(), n) << v.tag();
        }
    }
    const std::map<std::string, std::vector<std::int64_t>> want{{"layers.1.weight", epochs},
                                                                {"layers.1.bias", epochs},
                                                                {"layers.3.weight", epochs},
                                                                {"layers.3.bias", epochs}};
    EXPECT_EQ(histograms, want);

    const auto val = test::scalars(events_in(std::filesystem::path(logdir) / "validation"));
    ASSERT_EQ(val.size(), 2u);
    for (std::size_t e = 0; e < 3; ++e) {
        EXPECT_EQ(val.at("epoch_loss").at(e),
                  std::make_pair(std::int64_t(e + 1), float(h.epochs[e].val_loss)));
        EXPECT_EQ(val.at("epoch_accuracy").at(e),
                  std::make_pair(std::int64_t(e + 1), float(h.epochs[e].val_accuracy)));
    }
}

TEST(TensorBoardLogger, RegressionWithoutValidationLogsNoAccuracyAndNoValidationRun) {
    set_seed(3);
    const test::TempDir tmp;
    const Data d = blobs(60);
    auto model = mlp(20, model::Loss::mse);
    model::FitOptions o;
    o.verbosity = model::Verbosity::silent;
    const std::string logdir = tmp.file("logs");
    {
        auto logger = std::make_shared<model::TensorBoardLogger<float>>(logdir);
        model.fit(d.x, d.y, 2, o, {logger});
    }  // the destructor closes the file
    const auto s = test::scalars(events_in(std::filesystem::path(logdir) / "train"));
    EXPECT_EQ(s.count("epoch_loss"), 1u);
    EXPECT_EQ(s.count("epoch_accuracy"), 0u);
    EXPECT_EQ(s.count("batch_loss"), 0u);  // log_every 0: epochs only
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(logdir) / "validation"));
}

TEST(TensorBoardLogger, UnwritableLogdirFailsBeforeTraining) {
    const test::TempDir tmp;
    const std::string file = tmp.write("taken", "not a directory");
    try {
        model::TensorBoardLogger<float> logger(file + "/logs");
        FAIL() << "no error";
    } catch (const IOError& e) {
        EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("Not a directory"), std::string::npos) << e.what();
    }
    EXPECT_THROW(model::TensorBoardLogger<float>(""), ValueError);
    EXPECT_THROW(model::TensorBoardLogger<float>(tmp.file("x"), {.log_every = -1}), ValueError);
}

}  // namespace
