#pragma once
// The integration tests' way to run the command line (MAGMADNN_CLI, set by CMake) and read the
// last line it printed, and to see whether Fashion-MNIST is installed.
#include <array>
#include <cstdio>
#include <string>

#include "magmadnn.h"

namespace magmadnn::test {

struct CliRun {
    int status;
    std::string last_line;
};

// `env` goes before the command (VAR=value ...); stderr is dropped.
inline CliRun run_cli(const std::string& args, const std::string& env = "") {
    const std::string cmd =
        (env.empty() ? "" : env + " ") + std::string(MAGMADNN_CLI) + " " + args + " 2>/dev/null";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) return {-1, ""};
    std::array<char, 4096> buf{};
    std::string last;
    while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) {
        std::string line(buf.data());
        if (!line.empty() && line != "\n") last = line;
    }
    return {pclose(pipe), last};
}

inline bool have_fashion_mnist() {
    try {
        data::load_mnist_like<float>("fashion-mnist", data::Split::test);
        return true;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace magmadnn::test
