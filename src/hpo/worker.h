#pragma once
// Where a study's jobs run: a pool of workers, each running one job at a time, either as a
// process on this machine or as a process that an MPI rank starts on its own host.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace magmadnn::dist {
class Communicator;
}

namespace magmadnn::hpo::detail {

class Worker {
  public:
    virtual ~Worker() = default;
    // Starts a job: argv, the variables set on top of the worker's environment, and the file
    // its stderr goes to. IOError when it cannot be started at all (a program that cannot be
    // executed is an exit status instead).
    virtual void start(const std::vector<std::string>& argv,
                       const std::vector<std::string>& env_overrides,
                       const std::string& stderr_log) = 0;
    // The complete lines the job printed since the last call.
    virtual std::vector<std::string> read_lines() = 0;
    // Once the job ended and all its output was read: "" for status 0, else why ("exit status
    // 3", "killed by signal 9 (SIGKILL)"). Nothing while it runs.
    virtual std::optional<std::string> poll_exit() = 0;
    virtual void kill() = 0;
    // The threads a job gets here (cores of its host / workers on it).
    virtual int threads() const = 0;
    // "local worker 1", "rank 2 on host-b".
    virtual std::string name() const = 0;
};

class WorkerPool {
  public:
    virtual ~WorkerPool() = default;
    virtual std::vector<Worker*> workers() = 0;
    // Returns when a running job may have printed or ended, or after `at_most`.
    virtual void wait(std::chrono::milliseconds at_most) = 0;
    // The study is over: remote workers leave their loops.
    virtual void shutdown() {}
};

// `count` processes on this machine, `threads` each (0: the cores this process may use, divided
// among them).
std::unique_ptr<WorkerPool> local_pool(int count, int threads);

// The ranks 1..size-1 of `world`, each running serve_jobs(): waits up to `timeout` for each to
// say it is ready. `threads` 0: each host's cores divided among the workers on it.
std::unique_ptr<WorkerPool> mpi_pool(dist::Communicator& world, int threads,
                                     std::chrono::seconds timeout);

// This process's environment without an MPI launcher's variables (a trial is a job of its
// own, not a rank of this one), then `overrides`, which replace variables of the same name.
std::vector<std::string> trial_environment(const std::vector<std::string>& overrides);

// The cores this process may run on.
int usable_cores();

}  // namespace magmadnn::hpo::detail
