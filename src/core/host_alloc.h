#pragma once
// HOST tensor memory: 64-byte aligned, zeroed blocks, and an optional cap on the bytes they hold
// at once (MAGMADNN_HOST_MEMORY_LIMIT), so that a model or data set too large for a job's share
// of the machine fails with an Error rather than the system's out-of-memory killer.

#include <cstddef>

namespace magmadnn::detail {

// Throws Error when the block would take HOST tensors past the limit, or the allocation fails.
void* host_alloc(std::size_t bytes);
// `bytes` as given to host_alloc.
void host_free(void* p, std::size_t bytes);

}  // namespace magmadnn::detail
