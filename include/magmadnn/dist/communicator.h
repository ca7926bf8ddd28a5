#pragma once
// The processes of one data-parallel job and the collectives between them.
//
//     auto& world = dist::Communicator::world();   // mpirun -n 4 ...: rank 0..3 of 4
//     world.allreduce_sum(std::span(grad));        // in place, every rank gets the sum
//
// world() is every process the launcher started (mpirun / mpiexec / srun set the variables it
// reads), or this process alone when none did: then no MPI call is ever made, and a build
// without MPI (MAGMADNN_MPI=OFF) behaves the same. One thread at a time may call the
// collectives (MPI_THREAD_SERIALIZED where the library provides it, else only the thread that
// first called world()).
//
// Every collective waits at most timeout() seconds (default 60, MAGMADNN_DIST_TIMEOUT or
// set_timeout): past it, a watchdog thread prints which collective the rank was in and which
// rank it waited for, and ends the process with status 3, upon which the launcher stops the job,
// so a dead or stalled rank never leaves the others hanging.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace magmadnn::dist {

struct Watchdog;

class Communicator {
  public:
    static Communicator& world();

    int rank() const { return rank_; }
    int size() const { return size_; }
    // The rank among the processes on this host (for choosing a GPU).
    int local_rank() const { return local_rank_; }
    // The processes of this job on this host.
    int local_size() const { return local_size_; }
    bool is_root() const { return rank_ == 0; }
    // Whether MPI runs underneath (false for a lone process).
    bool uses_mpi() const { return mpi_; }
    // Whether a second thread may make this communicator's calls while the first makes none
    // (MPI_THREAD_SERIALIZED or better): GradientReducer then reduces during backward.
    bool allows_other_thread() const { return serialized_; }
    // "Open MPI v4.1.4, ...", or "none".
    const std::string& library() const { return library_; }
    // Whether the MPI library takes GPU pointers (CUDA-aware, as it reports at run time:
    // Open MPI's MPIX_Query_cuda_support, MPICH's MPIX_GPU_query_support).
    bool cuda_aware() const { return cuda_aware_; }
    // The GPU this rank uses: with several ranks, GPU local_rank() mod the GPUs visible is made
    // current for the thread that first called world() (before it allocates GPU memory, as
    // torch.cuda.set_device(local_rank)); -1 without a GPU or for a lone process, which keeps
    // the CUDA default. Launchers that give each rank its own CUDA_VISIBLE_DEVICES work too.
    int device() const { return device_; }

    double timeout() const { return timeout_s_; }
    // Seconds > 0; ValueError otherwise.
    void set_timeout(double seconds);

    // In place: every rank's data becomes the elementwise sum over the ranks (same count on
    // every rank). allreduce_sum is MPI_Allreduce, whose summation order is the library's.
    // ring_allreduce_sum is the bandwidth-optimal ring (reduce-scatter, then allgather, over
    // point-to-point messages: each rank sends 2 (p - 1) / p of the data): chunk k of p (the
    // elements [k n / p, (k + 1) n / p)) is summed as ((x_k + x_{k+1}) + ...) + x_{k-1}, rank
    // indices mod p, so the result is the same bits on every rank and from run to run.
    template <typename T>
    void allreduce_sum(std::span<T> data);
    template <typename T>
    void ring_allreduce_sum(std::span<T> data);
    // In place on `root`: its data becomes the sum over the ranks (MPI_Reduce); the other
    // ranks' data is left as it was.
    template <typename T>
    void reduce_sum(std::span<T> data, int root = 0);
    // root's data to every rank.
    template <typename T>
    void broadcast(std::span<T> data, int root = 0);
    // Every rank's value, by rank.
    template <typename T>
    std::vector<T> allgather(T value);
    void barrier();

    // Point-to-point, on a communicator of their own (their tags never meet the collectives'):
    // data to rank `dest` under `tag` (0..32767), blocking until it can be reused.
    template <typename T>
    void send(std::span<const T> data, int dest, int tag);
    // data.size() elements from `source` (any_source: whichever rank sends first) under `tag`;
    // returns the sender. ValueError when the message holds another count.
    template <typename T>
    int recv(std::span<T> data, int source, int tag);
    static constexpr int any_source = -1;
    // Messages of any length, for control traffic that waits on no deadline (a tuning study's
    // jobs and their output): send_message blocks until `bytes` can be reused; try_recv_message
    // returns a message waiting from `source` (any_source: any rank) under `tag` at once, or
    // nothing when none has arrived.
    struct Message {
        int source = 0;
        std::string bytes{};
    };
    void send_message(std::string_view bytes, int dest, int tag);
    std::optional<Message> try_recv_message(int source, int tag);

    // What this process sent and how long it spent in collectives since the last reset.
    struct Stats {
        std::uint64_t bytes_sent = 0;
        std::uint64_t collectives = 0;
        double seconds = 0;
    };
    const Stats& stats() const { return stats_; }
    void reset_stats() { stats_ = {}; }

    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;
    ~Communicator();

  private:
    Communicator();
    // Runs `call`, a blocking step of a collective made outside this class (NCCL's), under the
    // deadline, naming `what` and `peer` (-1: the other ranks) if it passes; counts its seconds.
    void guarded_call(const char* what, std::size_t elements, int peer,
                      const std::function<void()>& call);
    int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1;
    bool mpi_ = false;
    bool serialized_ = false;
    bool cuda_aware_ = false;
    int device_ = -1;
    std::string library_ = "none";
    double timeout_s_ = 60;
    std::uint64_t sequence_ = 0;  // collectives started, named in timeout messages
    Stats stats_;
    std::unique_ptr<Watchdog> watchdog_;
    std::vector<std::byte> ring_buffer_;  // the ring's receive buffer, kept between calls
    friend struct CommunicatorAccess;
    friend class DeviceCollectives;
};

}  // namespace magmadnn::dist
