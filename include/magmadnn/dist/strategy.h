#pragma once
// How data-parallel training combines the ranks' gradients.

#include <string>

#include "magmadnn/core/shape.h"

namespace magmadnn::dist {

using magmadnn::to_string;  // (the overload below would hide the shape and memory ones)

enum class Strategy {
    automatic,      // allreduce when launched with more than one rank, else local
    local,          // no communication: each process trains alone
    allreduce,      // MPI_Allreduce of gradient buckets
    ring,           // the project's ring allreduce: fixed summation order, same bits on every rank
    master_worker,  // gradients summed on rank 0, which alone steps and sends the weights back
    async,  // rank 0 a parameter server applying each worker's gradient as it comes, workers at
            // most max_staleness updates apart (stale synchronous parallel)
};

// "automatic", "local", "allreduce", "ring", "master-worker", "async".
std::string to_string(Strategy s);
// The inverse; ValueError naming the choices for anything else.
Strategy parse_strategy(const std::string& name);
// What `s` means for a job of `world_size` ranks (automatic resolved).
Strategy resolve(Strategy s, int world_size);

}  // namespace magmadnn::dist
