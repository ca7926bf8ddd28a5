#pragma once
// Nesting limit for the JSON the readers parse. nlohmann's parser is iterative, but dump() and
// copies recurse per level, so a hostile file of a few tens of kilobytes of '[' would overflow
// the stack in an error message; our headers and architectures nest four levels at most.

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

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

// Parses `text` under the limit: FormatError "<what> is not valid JSON: ..." for anything else.
inline nlohmann::json parse_json(std::string_view text, const std::string& what) {
    try {
        return nlohmann::json::parse(text, [&](int depth, nlohmann::json::parse_event_t, auto&) {
            check_json_depth(depth, what);
            return true;
        });
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(fmt::format("{} is not valid JSON: {}", what, e.what()));
    }
}

}  // namespace magmadnn::io::detail
