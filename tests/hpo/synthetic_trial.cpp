// A trial with a known objective, for the study tests: a stand-in for `magmadnn train` that
// resumes from its checkpoint and prints one JSON report per epoch.
//
//   synthetic_trial --x X --y Y --epochs E --start S --checkpoint DIR [--sleep-ms M]
//                   [--crash-above C] [--nan-below N] [--die-once FILE]
//
// val_accuracy at epoch e is q(x, y) - 0.5 exp(-e / 3), q = 1 - (x - 0.3)^2 - (y - 0.6)^2: every
// curve rises with the epochs and the ranking of configurations is the same at every epoch, so
// the best configuration of a study is the sampled one nearest (0.3, 0.6). DIR/state holds the
// epochs done; a job that starts at S > 0 needs at least S there (it continues from what it
// holds, as train --resume does, and with nothing left to train reports the checkpoint's epoch). x
// > C exits with status 3 at its first epoch; x < N reports NaN from epoch 2; --die-once: the first
// trial to reach epoch 2 creates FILE and SIGKILLs itself.
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>

namespace {

double value_at(double x, double y, int epoch) {
    const double q = 1 - (x - 0.3) * (x - 0.3) - (y - 0.6) * (y - 0.6);
    return q - 0.5 * std::exp(-epoch / 3.0);
}

int read_state(const std::string& dir) {
    std::ifstream in(dir + "/state");
    int epochs = 0;
    return in >> epochs ? epochs : 0;
}

void write_state(const std::string& dir, int epochs) {
    const std::string tmp = dir + "/state.tmp";
    {
        std::ofstream out(tmp);
        out << epochs << "\n";
    }
    std::rename(tmp.c_str(), (dir + "/state").c_str());
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> args;
    for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
    auto num = [&](const char* key, double fallback) {
        const auto it = args.find(key);
        return it == args.end() ? fallback : std::strtod(it->second.c_str(), nullptr);
    };
    if (!args.count("--x") || !args.count("--y") || !args.count("--epochs") ||
        !args.count("--checkpoint")) {
        std::fprintf(stderr, "synthetic_trial: needs --x --y --epochs --checkpoint\n");
        return 2;
    }
    const double x = num("--x", 0), y = num("--y", 0);
    const int epochs = static_cast<int>(num("--epochs", 1));
    const int start = static_cast<int>(num("--start", 0));
    const std::string dir = args["--checkpoint"];
    const int done = read_state(dir);
    if (done < start) {
        std::fprintf(stderr,
                     "synthetic_trial: the checkpoint holds %d epochs, the job starts at %d\n",
                     done, start);
        return 2;
    }
    if (done >= epochs && done > 0) {  // nothing left to train: report where the checkpoint is
        std::printf("{\"epoch\": %d, \"val_accuracy\": %.17g}\n", done, value_at(x, y, done));
        return 0;
    }
    const auto sleep = std::chrono::milliseconds(static_cast<int>(num("--sleep-ms", 0)));
    for (int e = done + 1; e <= epochs; ++e) {
        std::this_thread::sleep_for(sleep);
        if (x > num("--crash-above", 2)) {
            std::fprintf(stderr, "synthetic_trial: x = %g is above the crash line\n", x);
            return 3;
        }
        if (args.count("--die-once") && e == 2) {
            std::FILE* marker = std::fopen(args["--die-once"].c_str(), "wx");
            if (marker != nullptr) {
                std::fclose(marker);
                std::raise(SIGKILL);
            }
        }
        const double v = x < num("--nan-below", -1) && e >= 2 ? NAN : value_at(x, y, e);
        write_state(dir, e);
        if (std::isnan(v)) {
            std::printf("{\"epoch\": %d, \"val_accuracy\": null}\n", e);
        } else {
            std::printf("{\"epoch\": %d, \"val_accuracy\": %.17g}\n", e, v);
        }
        std::fflush(stdout);
    }
    std::fprintf(stderr, "synthetic_trial: %d epochs done\n", epochs);
    return 0;
}
