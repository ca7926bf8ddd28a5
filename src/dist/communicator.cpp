// The world communicator: launcher detection, MPI set-up and tear-down, and the collectives,
// each waited on with a deadline (see communicator.h).
#include "magmadnn/dist/communicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stop_token>
#include <thread>

#include "magmadnn/core/device.h"
#include "magmadnn/core/error.h"

#ifdef MAGMADNN_WITH_MPI
#include <mpi.h>
#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h>  // Open MPI's and MPICH's extensions: whether device pointers may be passed
#endif
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
// A message of n elements goes in this many pieces (one, even when empty).
std::size_t message_pieces(std::size_t n) {
    return std::max<std::size_t>(1, (n + kMaxPiece - 1) / kMaxPiece);
}

// Point-to-point messages (send / recv) travel on a duplicate of the world communicator, so
// their tags never meet the ring's.
MPI_Comm g_p2p = MPI_COMM_NULL;

// The ring's reduce-scatter moves its chunks in segments of this many elements.
constexpr std::size_t kSegment = std::size_t(1) << 16;

}  // namespace

// Watches the collective in progress from a thread of its own: the collectives are the
// library's blocking calls (its tuned algorithms: the non-blocking ones measured 2-3x slower at
// 4 MiB and up, docs/PERFORMANCE.md), and a call past its deadline cannot be interrupted, so
// the watchdog reports it and ends the process; the launcher then stops the job.
struct Watchdog {
    using clock = std::chrono::steady_clock;
    std::mutex mutex;
    std::condition_variable_any cv;
    bool armed = false;
    clock::time_point started, deadline;
    const char* what = "";
    std::size_t elements = 0;
    int peer = -1;
    unsigned long long sequence = 0;
    int rank = 0, size = 1;
    double timeout_s = 60;
    std::jthread thread;  // last: stopped and joined before the members it reads go

    Watchdog() : thread([this](std::stop_token stop) { run(stop); }) {}

    void arm(const char* w, std::size_t n, int p, unsigned long long seq, double limit) {
        std::lock_guard lock(mutex);
        armed = true;
        started = clock::now();
        deadline = started + std::chrono::duration_cast<clock::duration>(
                                 std::chrono::duration<double>(limit));
        what = w, elements = n, peer = p, sequence = seq, timeout_s = limit;
    }
    // The seconds since arm().
    double disarm() {
        std::lock_guard lock(mutex);
        armed = false;
        return std::chrono::duration<double>(clock::now() - started).count();
    }

    void run(std::stop_token stop) {
        std::unique_lock lock(mutex);
        while (!stop.stop_requested()) {
            cv.wait_for(lock, stop, std::chrono::milliseconds(100), [] { return false; });
            if (!armed || clock::now() < deadline) continue;
            const std::string who =
                peer >= 0 ? fmt::format("rank {}", peer) : std::string("the other ranks");
            std::fprintf(stderr,
                         "magmadnn dist: rank %d of %d: %s of %zu elements (collective #%llu) "
                         "waited %.0f s for %s, which died or stalled; stopping the job (raise "
                         "the limit with --dist-timeout or MAGMADNN_DIST_TIMEOUT)\n",
                         rank, size, what, elements, sequence, timeout_s, who.c_str());
            std::fflush(stderr);
            std::_Exit(3);
        }
    }
};

// The MPI side of the communicator's members (friend of Communicator).
struct CommunicatorAccess {
    // Runs one blocking MPI call under the watchdog; `peer` is the rank it waits for (-1: any).
    template <typename F>
    static void guarded(Communicator& c, const char* what, std::size_t elements, int peer,
                        F&& call) {
        if (peer < 0 && c.size_ == 2) peer = 1 - c.rank_;  // "the other ranks" is one rank
        c.watchdog_->arm(what, elements, peer, c.sequence_, c.timeout_s_);
        call();
        c.stats_.seconds += c.watchdog_->disarm();
    }

    template <typename T>
    static void allreduce(Communicator& c, std::span<T> data) {
        ++c.sequence_;
        ++c.stats_.collectives;
        for (std::size_t off = 0; off < data.size(); off += kMaxPiece) {
            const int n = static_cast<int>(std::min(kMaxPiece, data.size() - off));
            guarded(c, "allreduce", data.size(), -1, [&] {
                MPI_Allreduce(MPI_IN_PLACE, data.data() + off, n, mpi_type<T>(), MPI_SUM,
                              MPI_COMM_WORLD);
            });
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
        guarded(c, "ring allreduce", total, left, [&] {
            MPI_Sendrecv(out, static_cast<int>(n_out), mpi_type<T>(), right, tag, in,
                         static_cast<int>(n_in), mpi_type<T>(), left, tag, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
        });
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
        // the receive buffer, kept between calls (allocating and faulting in n / p elements per
        // call cost as much as the transfer)
        std::vector<std::byte>& scratch = c.ring_buffer_;
        if (scratch.size() < (n / p + 1) * sizeof(T)) scratch.resize((n / p + 1) * sizeof(T));
        T* recv = reinterpret_cast<T*>(scratch.data());
        const int r = c.rank_;
        const int right = (r + 1) % p, left = (r + p - 1) % p;
        const int tag = static_cast<int>(c.sequence_ % 32768);
        // Reduce-scatter: at step s rank r passes on its partial sum of chunk r - s and adds
        // its own values to the left neighbour's partial sum of chunk r - s - 1, so chunk k
        // collects x_k, x_{k+1}, ... in that order and is complete on rank k - 1. Each chunk
        // moves in segments, each added as soon as it has arrived (while still in cache).
        std::vector<MPI_Request> recvs, sends;
        for (int s = 0; s < p - 1; ++s) {
            const auto [so, sn] = chunk(r - s);
            const auto [ro, rn] = chunk(r - s - 1);
            recvs.clear();
            sends.clear();
            for (std::size_t at = 0; at < rn; at += kSegment) {
                recvs.emplace_back();
                MPI_Irecv(recv + at, static_cast<int>(std::min(kSegment, rn - at)), mpi_type<T>(),
                          left, tag, MPI_COMM_WORLD, &recvs.back());
            }
            for (std::size_t at = 0; at < sn; at += kSegment) {
                sends.emplace_back();
                MPI_Isend(data.data() + so + at, static_cast<int>(std::min(kSegment, sn - at)),
                          mpi_type<T>(), right, tag, MPI_COMM_WORLD, &sends.back());
            }
            T* mine = data.data() + ro;
            for (std::size_t j = 0; j < recvs.size(); ++j) {
                guarded(c, "ring allreduce", n, left,
                        [&] { MPI_Wait(&recvs[j], MPI_STATUS_IGNORE); });
                const std::size_t lo = j * kSegment, hi = std::min(rn, lo + kSegment);
#pragma omp simd
                for (std::size_t i = lo; i < hi; ++i) mine[i] = recv[i] + mine[i];
            }
            guarded(c, "ring allreduce", n, right, [&] {
                MPI_Waitall(static_cast<int>(sends.size()), sends.data(), MPI_STATUSES_IGNORE);
            });
            c.stats_.bytes_sent += sn * sizeof(T);
        }
        // Allgather: rank r owns chunk r + 1; pass the complete chunks around the ring.
        for (int s = 0; s < p - 1; ++s) {
            const auto [so, sn] = chunk(r + 1 - s);
            const auto [ro, rn] = chunk(r - s);
            shift(c, data.data() + so, sn, data.data() + ro, rn, n);
        }
    }

    template <typename T>
    static void reduce(Communicator& c, std::span<T> data, int root) {
        ++c.sequence_;
        ++c.stats_.collectives;
        for (std::size_t off = 0; off < data.size(); off += kMaxPiece) {
            const int n = static_cast<int>(std::min(kMaxPiece, data.size() - off));
            const bool mine = c.rank_ == root;
            guarded(c, "reduce", data.size(), mine ? -1 : root, [&] {
                MPI_Reduce(mine ? MPI_IN_PLACE : data.data() + off,
                           mine ? data.data() + off : nullptr, n, mpi_type<T>(), MPI_SUM, root,
                           MPI_COMM_WORLD);
            });
            if (!mine) c.stats_.bytes_sent += std::uint64_t(n) * sizeof(T);
        }
    }

    template <typename T>
    static void broadcast(Communicator& c, std::span<T> data, int root) {
        ++c.sequence_;
        ++c.stats_.collectives;
        for (std::size_t off = 0; off < data.size(); off += kMaxPiece) {
            const int n = static_cast<int>(std::min(kMaxPiece, data.size() - off));
            guarded(c, "broadcast", data.size(), c.rank_ == root ? -1 : root,
                    [&] { MPI_Bcast(data.data() + off, n, mpi_type<T>(), root, MPI_COMM_WORLD); });
            if (c.rank_ == root) c.stats_.bytes_sent += std::uint64_t(n) * sizeof(T);
        }
    }

    template <typename T>
    static std::vector<T> allgather(Communicator& c, T value) {
        ++c.sequence_;
        ++c.stats_.collectives;
        std::vector<T> all(static_cast<std::size_t>(c.size_));
        guarded(c, "allgather", 1, -1, [&] {
            MPI_Allgather(&value, 1, mpi_type<T>(), all.data(), 1, mpi_type<T>(), MPI_COMM_WORLD);
        });
        return all;
    }

    static void barrier(Communicator& c) {
        ++c.sequence_;
        ++c.stats_.collectives;
        guarded(c, "barrier", 0, -1, [&] { MPI_Barrier(MPI_COMM_WORLD); });
    }
};

Communicator::Communicator() {
    timeout_s_ = timeout_from_env();
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!launched_by_mpi() && !initialized) return;
    int provided = MPI_THREAD_SINGLE;
    if (!initialized) {
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    } else {
        MPI_Query_thread(&provided);
    }
    serialized_ = provided >= MPI_THREAD_SERIALIZED;
    mpi_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_rank(local, &local_rank_);
    MPI_Comm_size(local, &local_size_);
    MPI_Comm_free(&local);
    MPI_Comm_dup(MPI_COMM_WORLD, &g_p2p);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(version, &len);
    library_.assign(version, static_cast<std::size_t>(len));
    library_ = library_.substr(0, library_.find_first_of(",\n"));
    watchdog_ = std::make_unique<Watchdog>();
    watchdog_->rank = rank_;
    watchdog_->size = size_;
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
    cuda_aware_ = MPIX_Query_cuda_support() == 1;
#elif defined(MPIX_GPU_SUPPORT_CUDA)
    int cuda = 0;
    cuda_aware_ = MPIX_GPU_query_support(MPIX_GPU_SUPPORT_CUDA, &cuda) == MPI_SUCCESS && cuda != 0;
#endif
    if (size_ > 1) device_ = use_device_for_local_rank(local_rank_);
}

void Communicator::guarded_call(const char* what, std::size_t elements, int peer,
                                const std::function<void()>& call) {
    if (!watchdog_) {  // a lone process: nobody to wait for
        call();
        return;
    }
    ++sequence_;
    CommunicatorAccess::guarded(*this, what, elements, peer, call);
}

Communicator::~Communicator() {
    watchdog_.reset();
    if (!mpi_) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;
    if (g_p2p != MPI_COMM_NULL) MPI_Comm_free(&g_p2p);
    MPI_Finalize();
}

namespace {
void check_peer(const char* what, int peer, int size, bool any) {
    if ((any && peer == Communicator::any_source) || (peer >= 0 && peer < size)) return;
    throw ValueError(fmt::format("dist::{}: rank {} is not a rank of {}", what, peer, size));
}
void check_tag(const char* what, int tag) {
    if (tag < 0 || tag > 32767) {
        throw ValueError(fmt::format("dist::{}: tag {} is outside 0..32767", what, tag));
    }
}
}  // namespace

template <typename T>
void Communicator::send(std::span<const T> data, int dest, int tag) {
    check_peer("send", dest, size_, false);
    check_tag("send", tag);
    if (!mpi_ || dest == rank_) {
        throw ValueError(fmt::format("dist::send: rank {} cannot send to itself", rank_));
    }
    ++sequence_;
    for (std::size_t k = 0; k < message_pieces(data.size()); ++k) {
        const std::size_t off = k * kMaxPiece;
        const int n = static_cast<int>(std::min(kMaxPiece, data.size() - off));
        CommunicatorAccess::guarded(*this, "send", data.size(), dest, [&] {
            MPI_Send(data.data() + off, n, mpi_type<T>(), dest, tag, g_p2p);
        });
        stats_.bytes_sent += std::uint64_t(n) * sizeof(T);
    }
}

template <typename T>
int Communicator::recv(std::span<T> data, int source, int tag) {
    check_peer("recv", source, size_, true);
    check_tag("recv", tag);
    if (!mpi_ || source == rank_) {
        throw ValueError(fmt::format("dist::recv: rank {} cannot receive from itself", rank_));
    }
    ++sequence_;
    int from = source == any_source ? MPI_ANY_SOURCE : source;
    for (std::size_t k = 0; k < message_pieces(data.size()); ++k) {
        const std::size_t off = k * kMaxPiece;
        const int n = static_cast<int>(std::min(kMaxPiece, data.size() - off));
        MPI_Status status;
        const int src = from;  // later pieces come from the first one's sender
        CommunicatorAccess::guarded(
            *this, "recv", data.size(), src == MPI_ANY_SOURCE ? -1 : src,
            [&] { MPI_Recv(data.data() + off, n, mpi_type<T>(), src, tag, g_p2p, &status); });
        from = status.MPI_SOURCE;
        int got = 0;
        MPI_Get_count(&status, mpi_type<T>(), &got);
        if (got != n) {
            throw ValueError(
                fmt::format("dist::recv: rank {} sent {} elements under tag {}, {} expected", from,
                            got, tag, n));
        }
    }
    return from;
}

void Communicator::send_message(std::string_view bytes, int dest, int tag) {
    check_peer("send_message", dest, size_, false);
    check_tag("send_message", tag);
    if (!mpi_ || dest == rank_) {
        throw ValueError(fmt::format("dist::send_message: rank {} cannot send to itself", rank_));
    }
    if (bytes.size() > kMaxPiece) {
        throw ValueError(fmt::format("dist::send_message: {} bytes; a message holds at most {}",
                                     bytes.size(), kMaxPiece));
    }
    MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, dest, tag, g_p2p);
    stats_.bytes_sent += bytes.size();
}

std::optional<Communicator::Message> Communicator::try_recv_message(int source, int tag) {
    check_peer("try_recv_message", source, size_, true);
    check_tag("try_recv_message", tag);
    if (!mpi_ || source == rank_) {
        throw ValueError(
            fmt::format("dist::try_recv_message: rank {} cannot receive from itself", rank_));
    }
    int waiting = 0;
    MPI_Status status;
    MPI_Iprobe(source == any_source ? MPI_ANY_SOURCE : source, tag, g_p2p, &waiting, &status);
    if (waiting == 0) return std::nullopt;
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    Message m{status.MPI_SOURCE, std::string(static_cast<std::size_t>(count), '\0')};
    MPI_Recv(m.bytes.data(), count, MPI_CHAR, status.MPI_SOURCE, tag, g_p2p, MPI_STATUS_IGNORE);
    return m;
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
void Communicator::reduce_sum(std::span<T> data, int root) {
    if (root < 0 || root >= size_) {
        throw ValueError(fmt::format("dist::reduce_sum: root {} is not a rank of {}", root, size_));
    }
    if (mpi_ && size_ > 1) CommunicatorAccess::reduce(*this, data, root);
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

struct Watchdog {};

Communicator::Communicator() {
    timeout_s_ = timeout_from_env();
    if (launched_by_mpi()) {
        std::fprintf(stderr,
                     "magmadnn: started by an MPI launcher, but this build has no MPI "
                     "(MAGMADNN_MPI=OFF); every process trains alone\n");
    }
}
Communicator::~Communicator() = default;
void Communicator::guarded_call(const char*, std::size_t, int, const std::function<void()>& call) {
    call();
}
template <typename T>
void Communicator::allreduce_sum(std::span<T>) {}
template <typename T>
void Communicator::ring_allreduce_sum(std::span<T>) {}
template <typename T>
void Communicator::reduce_sum(std::span<T>, int root) {
    if (root != 0) {
        throw ValueError(fmt::format("dist::reduce_sum: root {} is not a rank of 1", root));
    }
}
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
template <typename T>
void Communicator::send(std::span<const T>, int dest, int) {
    throw ValueError(fmt::format("dist::send: rank 0 of 1 cannot send to rank {}", dest));
}
template <typename T>
int Communicator::recv(std::span<T>, int source, int) {
    throw ValueError(fmt::format("dist::recv: rank 0 of 1 cannot receive from rank {}", source));
}
void Communicator::send_message(std::string_view, int dest, int) {
    throw ValueError(fmt::format("dist::send_message: rank 0 of 1 cannot send to rank {}", dest));
}
std::optional<Communicator::Message> Communicator::try_recv_message(int source, int) {
    throw ValueError(
        fmt::format("dist::try_recv_message: rank 0 of 1 cannot receive from rank {}", source));
}

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

#define MAGMADNN_INSTANTIATE(T)                                        \
    template void Communicator::allreduce_sum<T>(std::span<T>);        \
    template void Communicator::ring_allreduce_sum<T>(std::span<T>);   \
    template void Communicator::broadcast<T>(std::span<T>, int);       \
    template void Communicator::reduce_sum<T>(std::span<T>, int);      \
    template void Communicator::send<T>(std::span<const T>, int, int); \
    template int Communicator::recv<T>(std::span<T>, int, int);        \
    template std::vector<T> Communicator::allgather<T>(T);
MAGMADNN_INSTANTIATE(float)
MAGMADNN_INSTANTIATE(double)
MAGMADNN_INSTANTIATE(std::int64_t)
MAGMADNN_INSTANTIATE(std::uint64_t)
#undef MAGMADNN_INSTANTIATE

}  // namespace magmadnn::dist
