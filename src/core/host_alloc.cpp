#include "host_alloc.h"

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>

#include "magmadnn/core/error.h"

namespace magmadnn::detail {

namespace {

constexpr std::size_t kHostAlignment = 64;  // a cache line, and an AVX-512 register
constexpr const char* kLimitVariable = "MAGMADNN_HOST_MEMORY_LIMIT";

std::atomic<std::size_t> g_in_use{0};

std::size_t rounded(std::size_t bytes) {
    return bytes == 0 ? kHostAlignment
                      : (bytes + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
}

// "1073741824", "512M", "2G" (K, M, G: powers of 1024); 0 or unset: no limit.
std::size_t parse_limit(std::string_view text) {
    std::size_t value = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, value);
    std::size_t scale = 1;
    if (p + 1 == end) {
        switch (*p) {
            case 'K':
            case 'k':
                scale = std::size_t{1} << 10;
                break;
            case 'M':
            case 'm':
                scale = std::size_t{1} << 20;
                break;
            case 'G':
            case 'g':
                scale = std::size_t{1} << 30;
                break;
            default:
                scale = 0;
        }
    } else if (p != end) {
        scale = 0;
    }
    if (text.empty() || ec != std::errc{} || scale == 0 ||
        value > std::numeric_limits<std::size_t>::max() / scale) {
        throw ValueError(fmt::format(
            "{}='{}' is not a byte count; give bytes, or a number with K, M or G (e.g. 512M)",
            kLimitVariable, text));
    }
    return value * scale;
}

std::size_t limit() {
    static const std::size_t value = [] {
        const char* v = std::getenv(kLimitVariable);
        return v == nullptr ? std::size_t{0} : parse_limit(v);
    }();
    return value;
}

}  // namespace

void* host_alloc(std::size_t bytes) {
    if (bytes > std::numeric_limits<std::size_t>::max() / 2) {
        throw Error(
            fmt::format("host allocation of {} bytes: more than any address space holds", bytes));
    }
    const std::size_t size = rounded(bytes);
    const std::size_t cap = limit();
    const std::size_t in_use = g_in_use.fetch_add(size) + size;
    if (cap != 0 && in_use > cap) {
        g_in_use.fetch_sub(size);
        throw Error(fmt::format(
            "host allocation of {} bytes refused: HOST tensors would hold {} bytes, over {}={}; "
            "use a smaller model, batch or data set, or raise the limit",
            bytes, in_use, kLimitVariable, cap));
    }
    void* p = std::aligned_alloc(kHostAlignment, size);
    if (p == nullptr) {
        g_in_use.fetch_sub(size);
        throw Error(fmt::format("host allocation of {} bytes failed: out of memory", bytes));
    }
    std::memset(p, 0, size);
    return p;
}

void host_free(void* p, std::size_t bytes) {
    if (p == nullptr) return;
    std::free(p);
    g_in_use.fetch_sub(rounded(bytes));
}

}  // namespace magmadnn::detail
