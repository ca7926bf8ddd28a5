#pragma once
// Test helper: the events of a TensorBoard event file, each record's framing and CRCs checked,
// parsed with the generated tensorboard.Event class (tests link
// magmadnn_tensorboard_proto_headers).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "io/crc32c.h"
#include "tensorboard/compat/proto/event.pb.h"

namespace magmadnn::test {

inline std::vector<tensorboard::Event> read_events(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string s = ss.str();
    auto le = [&](std::size_t at, std::size_t n) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t(std::uint8_t(s[at + i])) << (8 * i);
        return v;
    };
    auto crc = [&](std::size_t at, std::size_t n) {
        return io::detail::masked_crc32c(std::as_bytes(std::span<const char>(s.data() + at, n)));
    };
    std::vector<tensorboard::Event> events;
    std::size_t at = 0;
    while (at < s.size()) {
        if (s.size() - at < 12) {
            ADD_FAILURE() << path << ": a truncated record header at byte " << at;
            break;
        }
        const std::uint64_t length = le(at, 8);
        EXPECT_EQ(le(at + 8, 4), crc(at, 8)) << path << ": length CRC at byte " << at;
        if (s.size() - at - 12 < length + 4) {
            ADD_FAILURE() << path << ": a truncated record at byte " << at;
            break;
        }
        EXPECT_EQ(le(at + 12 + length, 4), crc(at + 12, length))
            << path << ": data CRC at byte " << at;
        tensorboard::Event e;
        EXPECT_TRUE(e.ParseFromString(s.substr(at + 12, length))) << path << " at byte " << at;
        events.push_back(e);
        at += 12 + length + 4;
    }
    return events;
}

// The event files in `dir` (not its subdirectories).
inline std::vector<std::string> event_files(const std::string& dir) {
    std::vector<std::string> out;
    if (!std::filesystem::is_directory(dir)) return out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().filename().string().starts_with("events.out.tfevents.")) {
            out.push_back(entry.path().string());
        }
    }
    return out;
}

// tag -> (step, simple_value) in file order.
inline std::map<std::string, std::vector<std::pair<std::int64_t, float>>> scalars(
    const std::vector<tensorboard::Event>& events) {
    std::map<std::string, std::vector<std::pair<std::int64_t, float>>> out;
    for (const auto& e : events) {
        if (!e.has_summary()) continue;
        for (const auto& v : e.summary().value()) {
            if (v.has_simple_value()) out[v.tag()].emplace_back(e.step(), v.simple_value());
        }
    }
    return out;
}

}  // namespace magmadnn::test
