// The world communicator: launcher detection, MPI set-up and tear-down, and the collectives,
// each waited on with a deadline (see communicator.h).
#include "magmadnn/dist/communicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "magmadnn/core/error.h"

#ifdef MAGMADNN_WITH_MPI
#include <mpi.h>
#endif

namespace magmadnn::dist {

namespace {

// Whether a launcher started this process as one rank of a job (Open MPI, MPICH / Hydra,
// PMIx-based launchers such as srun).
bool launched_by_mpi() {
    const char* off = std::getenv("MAGMADNN_DIST");
    if (off != nullptr && std::strcmp(off, "off") == 0) return false;
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"}) {
        if (std::getenv(v) != nullptr) return true;
    }
    return false;
}

double timeout_from_env() {
    const char* v = std::getenv("MAGMADNN_DIST_TIMEOUT");
    if (v == nullptr) return 60.0;
    char* end = nullptr;
    const double s = std::strtod(v, &end);
    if (end == v || *end != '\0' || !(s > 0) || !std::isfinite(s)) {
        throw ValueError(fmt::format(
            "MAGMADNN_DIST_TIMEOUT='{}': give the seconds a collective may wait, a number > 0", v));
    }
    return s;
}

}  // namespace

#ifdef MAGMADNN_WITH_MPI

namespace {

template <typename T>
MPI_Datatype mpi_type() {
    if constexpr (std::is_same_v<T, float>) return MPI_FLOAT;
    if constexpr (std::is_same_v<T, double>) return MPI_DOUBLE;
    if constexpr (std::is_same_v<T, std::int64_t>) return MPI_INT64_T;
    if constexpr (std::is_same_v<T, std::uint64_t>) return MPI_UINT64_T;
    if constexpr (std::is_same_v<T, int>) return MPI_INT;
}

// MPI counts are int: large buffers go in pieces of at most 2^30 elements.
constexpr std::size_t kMaxPiece = std::size_t(1) << 30;

}  // namespace

// The MPI side of the communicator's members (friend of Communicator).
struct CommunicatorAccess {
    // Waits for every request, polling (tightly, then with growing sleeps so oversubscribed
    // ranks do not starve each other) until the deadline; past it, names the collective and
    // `peer` (-1: any rank) and aborts the job.
    static void wait(Communicator& c, MPI_Request* reqs, int count, const char* what,
                     std::size_t elements, int peer) {
        using clock = std::chrono::steady_clock;
        const auto start = clock::now();
        const auto deadline = start + std::chrono::duration<double>(c.timeout_s_);
        int done = 0;
        for (int polls = 0;; ++polls) {
            MPI_Testall(count, reqs, &done, MPI_STATUSES_IGNORE);
            if (done) break;
            if (polls > 2000) {
                const auto waited = clock::now() - start;
                const auto pause = std::clamp<std::chrono::microseconds>(
                    std::chrono::duration_cast<std::chrono::microseconds>(waited) / 64,
                    std::chrono::microseconds(20), std::chrono::microseconds(2000));
                std::this_thread::sleep_for(pause);
            }
            if (clock::now() > deadline) {
                const std::string who =
                    peer >= 0 ? fmt::format("rank {}", peer) : std::string("the other ranks");
                std::fprintf(stderr,
                             "magmadnn dist: rank %d of %d: %s of %zu elements (collective #%llu) "
                             "waited %.0f s for %s, which died or stalled; aborting the job "
                             "(raise the limit with --dist-timeout or MAGMADNN_DIST_TIMEOUT)\n",
                             c.rank_, c.size_, what, elements,
                             static_cast<unsigned long long>(c.sequence_), c.timeout_s_,
                             who.c_str());
                std::fflush(stderr);
                MPI_Abort(MPI_COMM_WORLD, 3);
            }
        }
        c.stats_.seconds += std::chrono::duration<double>(clock::now() - start).count();
    }

    template <typename T>
    static void allreduce(Communicator& c, std::span<T> data) {
        ++c.sequence_;
        ++c.stats_.collectives;
        for (std::size_t off = 0; off < data.size(); off += kMaxPiece) {
            const int n = static_cast<int>(std::min(kMaxPiece, data.size() - off));
            MPI_Request req;
            MPI_Iallreduce(MPI_IN_PLACE, data.data() + off, n, mpi_type<T>(), MPI_SUM,
                           MPI_COMM_WORLD, &req);
            wait(c, &req, 1, "allreduce", data.size(), -1);
            // what a ring (the usual large-message algorithm) sends
            c.stats_.bytes_sent += 2 * std::uint64_t(c.size_ - 1) * n * sizeof(T) / c.size_;
        }
    }

    // Exchanges with the ring neighbours: send `out` to the right, receive `in` from the left.
    template <typename T>
    static void shift(Communicator& c, const T* out, std::size_t n_out, T* in, std::size_t n_in,
                      std::size_t total) {
        const int right = (c.rank_ + 1) % c.size_;
        const int left = (c.rank_ + c.size_ - 1) % c.size_;
        const int tag = static_cast<int>(c.sequence_ % 32768);
        MPI_Request reqs[2];
        MPI_Irecv(in, static_cast<int>(n_in), mpi_type<T>(), left, tag, MPI_COMM_WORLD, &reqs[0]);
        MPI_Isend(out, static_cast<int>(n_out), mpi_type<T>(), right, tag, MPI_COMM_WORLD,
                  &reqs[1]);
        wait(c, reqs, 2, "ring allreduce", total, left);
        c.stats_.bytes_sent += n_out * sizeof(T);
    }

    template <typename T>
    static void ring(Communicator& c, std::span<T> data) {
        ++c.sequence_;
        ++c.stats_.collectives;
        const int p = c.size_;
        const std::size_t n = data.size();
        if (n > kMaxPiece * std::size_t(p)) {  // keep each chunk within an int count
            for (std::size_t off = 0; off < n; off += kMaxPiece * p) {
                ring(c, data.subspan(off, std::min(kMaxPiece * p, n - off)));
            }
            return;
        }
        auto begin = [&](int k) { return std::size_t(k) * n / std::size_t(p); };
        auto chunk = [&](int k) {
            const int kk = ((k % p) + p) % p;
            return std::pair{begin(kk), begin(kk + 1) - begin(kk)};
        };
        std::vector<T> recv(n / p + 1);
        const int r = c.rank_;
        // Reduce-scatter: at step s rank r passes on its partial sum of chunk r - s and adds
        // its own values to the left neighbour's partial sum of chunk r - s - 1, so chunk k
        // collects x_k, x_{k+1}, ... in that order and is complete on rank k - 1.
        for (int s = 0; s < p - 1; ++s) {
            const auto [so, sn] = chunk(r - s);
            const auto [ro, rn] = chunk(r - s - 1);
            shift(c, data.data() + so, sn, recv.data(), rn, n);
            T* mine = data.data() + ro;
#pragma omp simd
            for (std::size_t i = 0; i < rn; ++i) mine[i] = recv[i] + mine[i];
        }
        // Allgather: rank r owns chunk r + 1; pass the complete chunks around the ring.
        for (int s = 0; s < p - 1; ++s) {
            const auto [so, sn] = chunk(r + 1 - s);
            const auto [ro, rn] = chunk(r - s);
            shift(c, data.data() + so, sn, data.data() + ro, rn, n);
        }
    }

    template <typename T>
    static void broadcast(Communicator& c, std::span<T> data, int root) {
        ++c.sequence_;
        ++c.stats_.collectives;
        for (std::size_t off = 0; off < data.size(); off += kMaxPiece) {
            const int n = static_cast<int>(std::min(kMaxPiece, data.size() - off));
            MPI_Request req;
            MPI_Ibcast(data.data() + off, n, mpi_type<T>(), root, MPI_COMM_WORLD, &req);
            wait(c, &req, 1, "broadcast", data.size(), c.rank_ == root ? -1 : root);
            if (c.rank_ == root) c.stats_.bytes_sent += std::uint64_t(n) * sizeof(T);
        }
    }

    template <typename T>
    static std::vector<T> allgather(Communicator& c, T value) {
        ++c.sequence_;
        ++c.stats_.collectives;
        std::vector<T> all(static_cast<std::size_t>(c.size_));
        MPI_Request req;
        MPI_Iallgather(&value, 1, mpi_type<T>(), all.data(), 1, mpi_type<T>(), MPI_COMM_WORLD,
                       &req);
        wait(c, &req, 1, "allgather", 1, -1);
        return all;
    }

    static void barrier(Communicator& c) {
        ++c.sequence_;
        ++c.stats_.collectives;
        MPI_Request req;
        MPI_Ibarrier(MPI_COMM_WORLD, &req);
        wait(c, &req, 1, "barrier", 0, -1);
    }
};

Communicator::Communicator() {
    timeout_s_ = timeout_from_env();
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!launched_by_mpi() && !initialized) return;
    if (!initialized) {
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    }
    mpi_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_rank(local, &local_rank_);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(version, &len);
    library_.assign(version, static_cast<std::size_t>(len));
    library_ = library_.substr(0, library_.find_first_of(",\n"));
}

Communicator::~Communicator() {
    if (!mpi_) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

template <typename T>
void Communicator::allreduce_sum(std::span<T> data) {
    if (mpi_ && size_ > 1) CommunicatorAccess::allreduce(*this, data);
}
template <typename T>
void Communicator::ring_allreduce_sum(std::span<T> data) {
    if (mpi_ && size_ > 1) CommunicatorAccess::ring(*this, data);
}
template <typename T>
void Communicator::broadcast(std::span<T> data, int root) {
    if (root < 0 || root >= size_) {
        throw ValueError(fmt::format("dist::broadcast: root {} is not a rank of {}", root, size_));
    }
    if (mpi_ && size_ > 1) CommunicatorAccess::broadcast(*this, data, root);
}
template <typename T>
std::vector<T> Communicator::allgather(T value) {
    if (mpi_ && size_ > 1) return CommunicatorAccess::allgather(*this, value);
    return {value};
}
void Communicator::barrier() {
    if (mpi_ && size_ > 1) CommunicatorAccess::barrier(*this);
}

#else  // a build without MPI: always a lone process

Communicator::Communicator() {
    timeout_s_ = timeout_from_env();
    if (launched_by_mpi()) {
        std::fprintf(stderr,
                     "magmadnn: started by an MPI launcher, but this build has no MPI "
                     "(MAGMADNN_MPI=OFF); every process trains alone\n");
    }
}
Communicator::~Communicator() = default;
template <typename T>
void Communicator::allreduce_sum(std::span<T>) {}
template <typename T>
void Communicator::ring_allreduce_sum(std::span<T>) {}
template <typename T>
void Communicator::broadcast(std::span<T>, int root) {
    if (root != 0) {
        throw ValueError(fmt::format("dist::broadcast: root {} is not a rank of 1", root));
    }
}
template <typename T>
std::vector<T> Communicator::allgather(T value) {
    return {value};
}
void Communicator::barrier() {}

#endif

Communicator& Communicator::world() {
    static Communicator w;
    return w;
}

void Communicator::set_timeout(double seconds) {
    if (!(seconds > 0) || !std::isfinite(seconds)) {
        throw ValueError(fmt::format(
            "dist: timeout {} s: give the seconds a collective may wait, a number > 0", seconds));
    }
    timeout_s_ = seconds;
}

#define MAGMADNN_INSTANTIATE(T)                                      \
    template void Communicator::allreduce_sum<T>(std::span<T>);      \
    template void Communicator::ring_allreduce_sum<T>(std::span<T>); \
    template void Communicator::broadcast<T>(std::span<T>, int);     \
    template std::vector<T> Communicator::allgather<T>(T);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
MAGMADNN_INSTANTIATE(std::int64_t)
MAGMADNN_INSTANTIATE(std::uint64_t)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::dist
