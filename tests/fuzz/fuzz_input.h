#pragma once
// Shared by the fuzz targets: the input written to a scratch file for the readers that take a
// path, and the rule that a magmadnn::Error is a reader's expected answer to bad input (any other
// exception escapes to libFuzzer, or to corpus_main, and counts as a finding).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "magmadnn/core/error.h"

namespace magmadnn::fuzz {

// One file per target and process, rewritten for every input. It lives in memory (/dev/shm)
// where there is one: truncating a disk file can cost a synchronous discard (ext4 mounted with
// discard), which holds the rate to a few hundred inputs a second.
class ScratchFile {
  public:
    explicit ScratchFile(const std::string& target)
        : path_((directory() / ("magmadnn_fuzz_" + target + "_" + std::to_string(::getpid())))
                    .string()) {}
    ~ScratchFile() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    // Replaces the file's contents with the input; returns its path.
    const std::string& write(const std::uint8_t* data, std::size_t size) const {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        if (!out.flush()) {
            std::fprintf(stderr, "fuzz: cannot write the scratch file %s\n", path_.c_str());
            std::abort();
        }
        return path_;
    }

  private:
    static std::filesystem::path directory() {
        std::error_code ec;
        if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
        return std::filesystem::temp_directory_path();
    }

    std::string path_;
};

template <typename F>
void expect_errors(F&& f) {
    try {
        f();
    } catch (const Error&) {
    }
}

// A property of a successful read that does not hold: a finding like a crash.
[[noreturn]] inline void violated(const char* what) {
    std::fprintf(stderr, "fuzz: property violated: %s\n", what);
    std::abort();
}

}  // namespace magmadnn::fuzz
