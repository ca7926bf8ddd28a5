// Workers on MPI ranks: rank 0 coordinates, every other rank starts the jobs it is sent as
// processes on its own host and sends back their output and exit. The messages are small JSON
// texts under one tag; MPI keeps each pair of ranks' messages in order, so a job's lines always
// arrive before its exit.
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "hpo/trial_process.h"
#include "hpo/worker.h"
#include "magmadnn/core/error.h"
#include "magmadnn/dist/communicator.h"
#include "magmadnn/hpo/runner.h"

namespace magmadnn::hpo {

namespace {

using nlohmann::json;
constexpr int kTag = 7400;
bool g_stopped = false;  // rank 0 sent every worker "stop"

void send(dist::Communicator& world, const json& message, int dest) {
    world.send_message(message.dump(), dest, kTag);
}

json parse(const dist::Communicator::Message& m) {
    json j = json::parse(m.bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("type")) {
        throw FormatError(fmt::format("hpo: rank {} sent a message that is not a study message: {}",
                                      m.source, m.bytes.substr(0, 200)));
    }
    return j;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "?";
    return buf;
}

class RemoteWorker final : public detail::Worker {
  public:
    RemoteWorker(dist::Communicator& world, int rank, std::string host, int threads)
        : world_(world), rank_(rank), host_(std::move(host)), threads_(threads) {}

    void start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& stderr_log) override {
        lines_.clear();
        exit_.reset();
        send(world_, {{"type", "job"}, {"argv", argv}, {"env", env}, {"log", stderr_log}}, rank_);
    }
    std::vector<std::string> read_lines() override { return std::exchange(lines_, {}); }
    std::optional<std::string> poll_exit() override {
        return lines_.empty() ? exit_ : std::nullopt;
    }
    void kill() override { send(world_, {{"type", "kill"}}, rank_); }
    int threads() const override { return threads_; }
    std::string name() const override { return fmt::format("rank {} on {}", rank_, host_); }

    void deliver(const json& m) {
        const std::string type = m.at("type").get<std::string>();
        if (type == "lines") {
            for (const auto& l : m.at("lines")) lines_.push_back(l.get<std::string>());
        } else if (type == "exit") {
            exit_ = m.at("status").get<std::string>();
        } else {
            throw FormatError(
                fmt::format("hpo: rank {} sent '{}' while running a job", rank_, type));
        }
    }

  private:
    dist::Communicator& world_;
    int rank_;
    std::string host_;
    int threads_;
    std::vector<std::string> lines_;
    std::optional<std::string> exit_;
};

class MpiPool final : public detail::WorkerPool {
  public:
    MpiPool(dist::Communicator& world, int threads, std::chrono::seconds timeout) : world_(world) {
        struct Hello {
            std::string host;
            int cores = 1;
        };
        std::map<int, Hello> hellos;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (static_cast<int>(hellos.size()) < world.size() - 1) {
            if (auto m = world.try_recv_message(dist::Communicator::any_source, kTag)) {
                const json j = parse(*m);
                if (j.at("type") != "ready") {
                    throw FormatError(fmt::format("hpo: rank {} sent '{}' before it was ready",
                                                  m->source, j.at("type").get<std::string>()));
                }
                hellos[m->source] = {j.at("host").get<std::string>(), j.at("cores").get<int>()};
                continue;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                throw DeviceError(fmt::format(
                    "hpo: {} of the {} worker ranks said they were ready within {} s; start every "
                    "rank with the same `magmadnn tune` command",
                    hellos.size(), world.size() - 1, timeout.count()));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        std::map<std::string, int> per_host;
        for (const auto& [rank, h] : hellos) ++per_host[h.host];
        for (const auto& [rank, h] : hellos) {
            const int t = threads > 0 ? threads : std::max(1, h.cores / per_host[h.host]);
            workers_[rank] = std::make_unique<RemoteWorker>(world, rank, h.host, t);
        }
    }
    ~MpiPool() override {
        try {
            shutdown();
        } catch (...) {  // a destructor reached by an error: that error is the one to report
        }
    }
    std::vector<detail::Worker*> workers() override {
        std::vector<detail::Worker*> out;
        for (auto& [rank, w] : workers_) out.push_back(w.get());
        return out;
    }
    void wait(std::chrono::milliseconds at_most) override {
        const auto until = std::chrono::steady_clock::now() + at_most;
        for (;;) {
            bool any = false;
            while (auto m = world_.try_recv_message(dist::Communicator::any_source, kTag)) {
                const auto w = workers_.find(m->source);
                if (w == workers_.end()) {
                    throw FormatError(
                        fmt::format("hpo: a message from rank {}, not a worker", m->source));
                }
                w->second->deliver(parse(*m));
                any = true;
            }
            if (any || std::chrono::steady_clock::now() >= until) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    void shutdown() override { stop_study_workers(world_); }

  private:
    dist::Communicator& world_;
    std::map<int, std::unique_ptr<RemoteWorker>> workers_;
};

}  // namespace

namespace detail {

std::unique_ptr<WorkerPool> mpi_pool(dist::Communicator& world, int threads,
                                     std::chrono::seconds timeout) {
    if (world.size() < 2) {
        throw ValueError("hpo: MPI workers need at least 2 ranks (rank 0 coordinates)");
    }
    return std::make_unique<MpiPool>(world, threads, timeout);
}

}  // namespace detail

void stop_study_workers(dist::Communicator& world) {
    if (g_stopped || world.rank() != 0) return;
    g_stopped = true;
    for (int r = 1; r < world.size(); ++r) send(world, {{"type", "stop"}}, r);
}

void serve_study_jobs(dist::Communicator& world) {
    if (world.rank() == 0) throw ValueError("hpo: rank 0 coordinates the study; it serves no jobs");
    send(world, {{"type", "ready"}, {"host", host_name()}, {"cores", detail::usable_cores()}}, 0);
    std::unique_ptr<detail::TrialProcess> job;
    for (;;) {
        while (auto m = world.try_recv_message(0, kTag)) {
            const json j = parse(*m);
            const std::string type = j.at("type").get<std::string>();
            if (type == "stop") return;  // the process destructor kills a job still running
            if (type == "kill") {
                if (job) job->kill_now();
            } else if (type == "job") {
                try {
                    const std::filesystem::path log = j.at("log").get<std::string>();
                    std::error_code ec;  // a host without the coordinator's file system
                    std::filesystem::create_directories(log.parent_path(), ec);
                    job = std::make_unique<detail::TrialProcess>(
                        j.at("argv").get<std::vector<std::string>>(),
                        detail::trial_environment(j.at("env").get<std::vector<std::string>>()),
                        j.at("log").get<std::string>());
                } catch (const Error& e) {
                    job.reset();
                    send(world,
                         {{"type", "exit"}, {"status", fmt::format("not started: {}", e.what())}},
                         0);
                }
            } else {
                throw FormatError(fmt::format("hpo: rank 0 sent an unknown message '{}'", type));
            }
        }
        if (!job) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if (job->stdout_fd() >= 0) {
            pollfd fd{job->stdout_fd(), POLLIN, 0};
            poll(&fd, 1, 10);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (auto lines = job->read_lines(); !lines.empty()) {
            send(world, {{"type", "lines"}, {"lines", lines}}, 0);
        }
        if (job->stdout_fd() < 0) {
            if (auto exit = job->poll_exit()) {
                send(world, {{"type", "exit"}, {"status", *exit}}, 0);
                job.reset();
            }
        }
    }
}

}  // namespace magmadnn::hpo
