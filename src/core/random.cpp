#include "magmadnn/core/random.h"

#include <atomic>

#include "stream_scope.h"

namespace magmadnn {

namespace {
std::atomic<std::uint64_t> g_seed{0x5EEDu};
std::atomic<std::uint64_t> g_stream{0};
}  // namespace

void set_seed(std::uint64_t seed) {
    g_seed = seed;
    g_stream = 0;
}

std::uint64_t global_seed() { return g_seed; }

std::uint64_t next_stream() { return g_stream++; }

std::uint64_t peek_stream() { return g_stream; }

void restore_stream(std::uint64_t stream) { g_stream = stream; }

}  // namespace magmadnn
