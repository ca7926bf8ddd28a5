// Checkpoint files: their names in a directory, writing, pruning and finding them.
#include "checkpoint.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "magmadnn/core/error.h"

namespace magmadnn::model {

namespace fs = std::filesystem;

namespace {

// ckpt-e<epoch>-s<step>.safetensors, zero-padded so that names sort as positions do
std::string file_name(const TrainingPosition& p) {
    return fmt::format("ckpt-e{:06d}-s{:09d}.safetensors", p.epoch, p.step);
}

bool is_checkpoint_name(const std::string& name) {
    static const std::regex pattern(R"(ckpt-e\d{6}-s\d{9}\.safetensors)");
    return std::regex_match(name, pattern);
}

// io::write_file_atomic's temporaries: "<target>.tmp.<pid>.<n>"
bool is_temporary_of(const std::string& name, const std::string& target) {
    return name.rfind(target + ".tmp.", 0) == 0;
}

}  // namespace

bool is_checkpoint_directory(const std::string& path) {
    return (!path.empty() && path.back() == '/') || fs::is_directory(path);
}

std::vector<std::string> checkpoints_in(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && is_checkpoint_name(name)) names.push_back(name);
    }
    std::sort(names.rbegin(), names.rend());
    std::vector<std::string> paths;
    for (const auto& n : names) paths.push_back((fs::path(dir) / n).string());
    return paths;
}

CheckpointSink::CheckpointSink(std::string path, int keep)
    : path_(std::move(path)), directory_(is_checkpoint_directory(path_)), keep_(keep) {
    if (keep_ < 1) {
        throw ValueError(fmt::format("Model::fit: keep_checkpoints {} must be at least 1", keep_));
    }
    const fs::path target(path_);
    const fs::path dir = directory_ ? target : target.parent_path();
    std::error_code ec;
    if (directory_) fs::create_directories(dir, ec);
    for (const auto& entry : fs::directory_iterator(dir.empty() ? "." : dir, ec)) {
        const std::string name = entry.path().filename().string();
        const bool stale = directory_ ? name.find(".safetensors.tmp.") != std::string::npos
                                      : is_temporary_of(name, target.filename().string());
        if (stale) fs::remove(entry.path(), ec);
    }
}

template <typename T>
void CheckpointSink::write(const Model<T>& model) const {
    if (!directory_) {
        model.save(path_);
        return;
    }
    model.save((fs::path(path_) / file_name(model.position())).string());
    // the new one is durable (fsynced, renamed, directory fsynced): the oldest may go
    const auto all = checkpoints_in(path_);
    for (std::size_t i = static_cast<std::size_t>(keep_); i < all.size(); ++i) {
        std::error_code ec;
        fs::remove(all[i], ec);
    }
}

template void CheckpointSink::write<float>(const Model<float>&) const;
template void CheckpointSink::write<double>(const Model<double>&) const;

}  // namespace magmadnn::model
