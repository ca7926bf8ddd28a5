// Allreduce bandwidth per message size: the library's MPI_Allreduce called directly, the
// communicator's allreduce_sum (the same call under the watchdog) and the project's ring; run
// under the launcher:   mpirun -n 2 build/bin/bench_dist_allreduce [max_mib]
// Bus bandwidth as nccl-tests define it: algbw = bytes / time, busbw = algbw x 2 (p - 1) / p
// (what each rank's link carries in a bandwidth-optimal allreduce). Each size runs until 0.3 s
// or 200 repetitions have passed (at least 3), after one warm-up; the time is the slowest
// rank's mean.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "magmadnn/dist/communicator.h"

#ifdef MAGMADNN_BENCH_MPI
#include <mpi.h>
#endif

using namespace magmadnn;

namespace {

template <typename F>
double seconds_per_call(dist::Communicator& world, F&& call) {
    call();  // warm-up
    world.barrier();
    int reps = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
        call();
        ++reps;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        // every rank must agree when to stop: rank 0's clock decides
        std::vector<double> e{reps >= 3 && (elapsed > 0.3 || reps >= 200) ? 1.0 : 0.0};
        world.broadcast(std::span<double>(e), 0);
        if (e[0] != 0) break;
    } while (true);
    std::vector<double> t{elapsed / reps};
    const auto all = world.allgather<double>(t[0]);
    return *std::max_element(all.begin(), all.end());
}

}  // namespace

int main(int argc, char** argv) {
    auto& world = dist::Communicator::world();
    const int p = world.size();
    const std::size_t max_bytes = std::size_t(argc > 1 ? std::atoi(argv[1]) : 256) << 20;
    if (world.is_root()) {
        fmt::print("allreduce of f32 sums, {} ranks ({}); GB/s = 1e9 bytes/s\n", p,
                   world.library());
        fmt::print("{:>10} {:>13} {:>8} {:>13} {:>8} {:>10} {:>8} {:>10} {:>15}\n", "bytes",
                   "MPI_Allred us", "busbw", "allreduce us", "busbw", "ring us", "busbw",
                   "ring/best", "reduce+bcast us");
    }
    for (std::size_t bytes = 4096; bytes <= max_bytes; bytes *= 4) {
        std::vector<float> data(bytes / sizeof(float), 1.0f);
        // the library's own call, then the communicator's
        double t_blocking = 0;
#ifdef MAGMADNN_BENCH_MPI
        t_blocking = seconds_per_call(world, [&] {
            MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()), MPI_FLOAT,
                          MPI_SUM, MPI_COMM_WORLD);
        });
#endif
        const double t_mpi =
            seconds_per_call(world, [&] { world.allreduce_sum(std::span<float>(data)); });
        const double t_ring =
            seconds_per_call(world, [&] { world.ring_allreduce_sum(std::span<float>(data)); });
        // master-worker's pair: the sum to rank 0, then rank 0's result back
        const double t_mw = seconds_per_call(world, [&] {
            world.reduce_sum(std::span<float>(data), 0);
            world.broadcast(std::span<float>(data), 0);
        });
        const double factor = p > 1 ? 2.0 * (p - 1) / p : 1.0;
        if (world.is_root()) {
            auto bus = [&](double t) { return t > 0 ? double(bytes) / t * factor / 1e9 : 0.0; };
            const double best = t_blocking > 0 ? std::min(t_blocking, t_mpi) : t_mpi;
            fmt::print(
                "{:>10} {:>13.1f} {:>8.2f} {:>13.1f} {:>8.2f} {:>10.1f} {:>8.2f} {:>10.2f} "
                "{:>15.1f}\n",
                bytes, t_blocking * 1e6, bus(t_blocking), t_mpi * 1e6, bus(t_mpi), t_ring * 1e6,
                bus(t_ring), best / t_ring, t_mw * 1e6);
        }
    }
    return 0;
}
