#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace magmadnn::model {

Progress::Progress(Verbosity verbosity, int epochs, index_t batches_per_epoch, index_t batch_size)
    : epochs_(epochs), batches_(batches_per_epoch), batch_size_(batch_size) {
    if (verbosity == Verbosity::automatic) {
        verbosity = isatty(fileno(stderr)) ? Verbosity::bar : Verbosity::json_lines;
    }
    bar_ = verbosity == Verbosity::bar;
    json_ = verbosity == Verbosity::json_lines;
    epoch_start_ = last_draw_ = std::chrono::steady_clock::now();
}

void Progress::batch_done(int epoch, index_t batch, double mean_loss, double accuracy) {
    const auto now = std::chrono::steady_clock::now();
    if (batch == 1) epoch_start_ = now;
    if (!bar_ || (now - last_draw_ < std::chrono::milliseconds(100) && batch != batches_)) return;
    last_draw_ = now;
    const double secs = std::chrono::duration<double>(now - epoch_start_).count();
    constexpr int width = 30;
    const int filled = static_cast<int>(width * batch / std::max<index_t>(1, batches_));
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < width) bar += '>';
    bar.resize(width, ' ');
    const std::string acc = std::isnan(accuracy) ? "" : fmt::format(" acc {:.4f}", accuracy);
    fmt::print(stderr, "\repoch {}/{} [{}] {}/{} loss {:.4f}{} {:.0f} samples/s", epoch, epochs_,
               bar, batch, batches_, mean_loss, acc,
               secs > 0 ? double(batch * batch_size_) / secs : 0.0);
    std::fflush(stderr);
}

std::string epoch_json(const EpochStats& s) {
    auto num = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
    nlohmann::json j = {{"epoch", s.epoch},
                        {"loss", num(s.loss)},
                        {"accuracy", num(s.accuracy)},
                        {"val_loss", num(s.val_loss)},
                        {"val_accuracy", num(s.val_accuracy)},
                        {"seconds", s.seconds},
                        {"samples_per_second", s.samples_per_second},
                        {"learning_rate", s.learning_rate}};
    return j.dump();
}

void Progress::interrupted() {
    if (!bar_) return;
    fmt::print(stderr, " - interrupted\n");
    std::fflush(stderr);
}

void Progress::epoch_done(const EpochStats& s) {
    if (bar_) {
        std::string extra;
        if (!std::isnan(s.val_loss)) {
            extra = fmt::format(" val_loss {:.4f} val_acc {:.4f}", s.val_loss, s.val_accuracy);
        }
        fmt::print(stderr, " - {:.2f} s{}\n", s.seconds, extra);
        std::fflush(stderr);
    } else if (json_) {
        fmt::print("{}\n", epoch_json(s));
        std::fflush(stdout);
    }
}

}  // namespace magmadnn::model
