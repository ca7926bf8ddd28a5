#pragma once
// StreamScope: fills tensors without moving the global stream counter, so that building a
// helper network (a model for a smaller batch, say) leaves a program's later initial values
// as they would be without it.

#include <cstdint>

namespace magmadnn {

// The stream number next_stream() hands out next, and setting it back.
std::uint64_t peek_stream();
void restore_stream(std::uint64_t stream);

class StreamScope {
  public:
    StreamScope() : saved_(peek_stream()) {}
    ~StreamScope() { restore_stream(saved_); }
    StreamScope(const StreamScope&) = delete;
    StreamScope& operator=(const StreamScope&) = delete;

  private:
    std::uint64_t saved_;
};

}  // namespace magmadnn
