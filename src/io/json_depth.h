#pragma once
// Nesting limit for the JSON the readers parse. nlohmann's parser is iterative, but dump() and
// copies recurse per level, so a hostile file of a few tens of kilobytes of '[' would overflow
// the stack in an error message; our headers and architectures nest four levels at most.

#include <fmt/format.h>

#include <string>

#include "magmadnn/core/error.h"

namespace magmadnn::io::detail {

constexpr int kMaxJsonDepth = 64;

// For a parser callback: throws FormatError "<what> nests deeper than ..." past the limit.
inline void check_json_depth(int depth, const std::string& what) {
    if (depth > kMaxJsonDepth) {
        throw FormatError(
            fmt::format("{} nests deeper than {} levels; it is corrupt", what, kMaxJsonDepth));
    }
}

}  // namespace magmadnn::io::detail
