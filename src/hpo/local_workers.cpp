// Workers on this machine: each job a child process, its output read through a pipe.
#include <fmt/format.h>
#include <poll.h>
#include <sched.h>

#include <algorithm>
#include <cstring>

#include "hpo/trial_process.h"
#include "hpo/worker.h"
#include "magmadnn/core/error.h"

extern char** environ;

namespace magmadnn::hpo::detail {

namespace {

// Set by mpirun / mpiexec / srun for a rank; a trial started by a rank must not think it is one.
bool launcher_variable(const std::string& key) {
    for (const char* prefix : {"OMPI_", "PMIX_", "PMI_", "HYDRA_", "MPI_LOCALNRANKS",
                               "MPI_LOCALRANKID", "SLURM_PROCID"}) {
        if (key.rfind(prefix, 0) == 0) return true;
    }
    return false;
}

class LocalWorker final : public Worker {
  public:
    LocalWorker(int index, int threads) : index_(index), threads_(threads) {}

    void start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& stderr_log) override {
        process_ = std::make_unique<TrialProcess>(argv, trial_environment(env), stderr_log);
    }
    std::vector<std::string> read_lines() override {
        return process_ ? process_->read_lines() : std::vector<std::string>{};
    }
    std::optional<std::string> poll_exit() override {
        if (!process_ || process_->stdout_fd() >= 0) return std::nullopt;
        return process_->poll_exit();
    }
    void kill() override {
        if (process_) process_->kill_now();
    }
    int threads() const override { return threads_; }
    std::string name() const override { return fmt::format("local worker {}", index_); }
    int fd() const { return process_ ? process_->stdout_fd() : -1; }
    bool reaping() const { return process_ && process_->stdout_fd() < 0 && !process_->exited(); }

  private:
    int index_, threads_;
    std::unique_ptr<TrialProcess> process_;
};

class LocalPool final : public WorkerPool {
  public:
    LocalPool(int count, int threads) {
        for (int i = 0; i < count; ++i)
            workers_.push_back(std::make_unique<LocalWorker>(i, threads));
    }
    std::vector<Worker*> workers() override {
        std::vector<Worker*> out;
        for (auto& w : workers_) out.push_back(w.get());
        return out;
    }
    void wait(std::chrono::milliseconds at_most) override {
        std::vector<pollfd> fds;
        bool reaping = false;
        for (const auto& w : workers_) {
            if (w->fd() >= 0) fds.push_back({w->fd(), POLLIN, 0});
            reaping = reaping || w->reaping();
        }
        // a process whose pipe has closed is reaped by polling: come back soon then
        const auto timeout = reaping ? std::min(at_most, std::chrono::milliseconds(20)) : at_most;
        poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
    }

  private:
    std::vector<std::unique_ptr<LocalWorker>> workers_;
};

}  // namespace

int usable_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return 1;
}

std::vector<std::string> trial_environment(const std::vector<std::string>& overrides) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry(*e);
        const std::string key = entry.substr(0, entry.find('='));
        const bool replaced = std::any_of(
            overrides.begin(), overrides.end(),
            [&](const std::string& o) { return o.compare(0, key.size() + 1, key + "=") == 0; });
        if (!replaced && !launcher_variable(key)) env.push_back(entry);
    }
    env.insert(env.end(), overrides.begin(), overrides.end());
    return env;
}

std::unique_ptr<WorkerPool> local_pool(int count, int threads) {
    if (count < 1) throw ValueError(fmt::format("hpo: {} workers; give at least 1", count));
    if (threads <= 0) threads = std::max(1, usable_cores() / count);
    return std::make_unique<LocalPool>(count, threads);
}

}  // namespace magmadnn::hpo::detail
