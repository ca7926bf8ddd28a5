// The study coordinator: the scheduler's jobs in worker processes (local or on MPI ranks), their
// reports into the storage, and resume from the storage's log.
#include "magmadnn/hpo/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "hpo/trial_process.h"
#include "hpo/worker.h"
#include "magmadnn/core/error.h"

namespace magmadnn::hpo {

namespace {

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A job in a worker: its process and the reports it printed.
struct Running {
    Job job{};
    detail::Worker* worker = nullptr;
    std::string log{};
    int last_epoch = 0;
    double last_value = std::numeric_limits<double>::quiet_NaN();
    std::optional<std::string> diverged{};  // set when should_prune stopped it
    std::chrono::steady_clock::time_point started{};
};

// {"epoch": 3, "val_accuracy": 0.84, ...}: the epoch and the metric (null: NaN), or nothing for
// other lines.
std::optional<std::pair<int, double>> parse_report(const std::string& line,
                                                   const std::string& metric) {
    if (line.empty() || line.front() != '{') return std::nullopt;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    const auto e = j.find("epoch");
    const auto m = j.find(metric);
    if (e == j.end() || m == j.end() || !e->is_number_integer()) return std::nullopt;
    if (m->is_null()) return std::pair{e->get<int>(), std::numeric_limits<double>::quiet_NaN()};
    if (!m->is_number()) return std::nullopt;
    return std::pair{e->get<int>(), m->get<double>()};
}

// Set on top of the worker's environment: the job's threads, and no MPI (a trial trains alone).
std::vector<std::string> job_environment(int threads, std::int64_t trial,
                                         const std::string& checkpoint) {
    return {fmt::format("OMP_NUM_THREADS={}", threads),
            fmt::format("OPENBLAS_NUM_THREADS={}", threads), "MAGMADNN_DIST=off",
            fmt::format("MAGMADNN_TRIAL={}", trial),
            fmt::format("MAGMADNN_TRIAL_CHECKPOINT={}", checkpoint)};
}

class Coordinator {
  public:
    Coordinator(const StudyConfig& study, const RunOptions& options)
        : study_(study),
          options_(options),
          storage_(Storage::open(options.storage, study.identity_json(), options.resume)),
          scheduler_(make_scheduler(study.space, study.scheduler)) {
        const int workers = options.workers > 0 ? options.workers : study.workers;
        pool_ = options.mpi != nullptr
                    ? detail::mpi_pool(*options.mpi, options.threads, std::chrono::seconds(60))
                    : detail::local_pool(workers, options.threads);
        for (detail::Worker* w : pool_->workers()) idle_.push_back(w);
        trials_dir_ = options.trials_dir.empty() ? options.storage + ".trials" : options.trials_dir;
        std::filesystem::create_directories(trials_dir_);
    }

    StudySummary run() {
        const auto t0 = std::chrono::steady_clock::now();
        storage_.claim(unix_now(), options_.stale_seconds);
        StudySummary summary;
        summary.requeued = recover();
        auto last_beat = std::chrono::steady_clock::now();
        while (!scheduler_->finished()) {
            start_jobs();
            if (running_.empty()) {
                if (scheduler_->finished()) break;
                throw ValueError(fmt::format(
                    "study '{}': the scheduler has nothing to start and nothing running",
                    study_.name));
            }
            pool_->wait(std::chrono::milliseconds(
                static_cast<int>(std::max(1.0, options_.heartbeat_seconds * 1000))));
            finish_exited();
            const auto now = std::chrono::steady_clock::now();
            if (std::chrono::duration<double>(now - last_beat).count() >=
                options_.heartbeat_seconds) {
                storage_.beat(unix_now());
                last_beat = now;
            }
        }
        pool_->shutdown();
        storage_.finish(unix_now());
        summary.best = scheduler_->best();
        summary.jobs = jobs_done_;
        for (const TrialRecord& t : storage_.trials()) {
            ++summary.trials;
            summary.complete += t.status == TrialStatus::Complete;
            summary.pruned += t.status == TrialStatus::Pruned;
            summary.failed += t.status == TrialStatus::Fail;
        }
        summary.epochs_trained = static_cast<std::int64_t>(storage_.reports().size());
        summary.threads = pool_->workers().front()->threads();
        summary.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return summary;
    }

  private:
    std::vector<Event> new_events() {
        const auto& all = scheduler_->events();
        std::vector<Event> out(all.begin() + static_cast<std::ptrdiff_t>(logged_), all.end());
        logged_ = all.size();
        return out;
    }

    // Replays the storage's log; the jobs it left running run again.
    std::int64_t recover() {
        const std::vector<Event> log = storage_.events();
        try {
            scheduler_->replay(log);
        } catch (const FormatError& e) {
            throw FormatError(fmt::format("study storage '{}': its log does not replay: {}",
                                          options_.storage, e.what()));
        }
        logged_ = scheduler_->events().size();
        std::int64_t requeued = 0;
        std::map<std::int64_t, double> beats;
        for (const TrialRecord& t : storage_.trials()) beats[t.trial] = t.heartbeat;
        const double now = unix_now();
        for (const Job& job : scheduler_->running()) {
            scheduler_->requeue(job.trial);
            const std::string why = fmt::format(
                "its job (rung {}, {} epochs) was running when the coordinator stopped; "
                "heartbeat {:.0f} s old: run again",
                job.rung, job.resource, now - beats[job.trial]);
            storage_.job_requeued(job.trial, why, new_events(), now);
            if (options_.on_note) options_.on_note(fmt::format("trial {}: {}", job.trial, why));
            ++requeued;
        }
        if (!log.empty() && options_.on_note) {
            options_.on_note(fmt::format("resumed study '{}': {} events replayed, {} trials",
                                         study_.name, log.size(), scheduler_->trials_started()));
        }
        return requeued;
    }

    void start_jobs() {
        while (!idle_.empty()) {
            std::optional<Job> job = scheduler_->next_job();
            if (!job) return;
            const std::string dir = fmt::format("{}/trial-{}", trials_dir_, job->trial);
            std::filesystem::create_directories(dir);
            storage_.job_started(*job, new_events(), unix_now());
            Running r{.job = *job, .worker = idle_.back(), .log = dir + "/stderr.log"};
            r.started = std::chrono::steady_clock::now();
            const int threads = r.worker->threads();
            const TrialInvocation how{
                .program = options_.program,
                .checkpoint = dir,
                .threads = threads,
                .logdir = options_.logdir.empty()
                              ? std::string()
                              : fmt::format("{}/trial-{}", options_.logdir, job->trial)};
            try {
                r.worker->start(trial_argv(study_, *job, how),
                                job_environment(threads, job->trial, dir), r.log);
            } catch (const Error& e) {
                fail(r, TrialStatus::Fail, e.what());
                continue;
            }
            idle_.pop_back();
            running_.push_back(std::move(r));
        }
    }

    void read_reports(Running& r) {
        for (const std::string& line : r.worker->read_lines()) {
            const auto report = parse_report(line, study_.metric);
            if (!report || r.diverged) continue;
            const auto [epoch, value] = *report;
            r.last_epoch = epoch;
            r.last_value = value;
            storage_.epoch_reported(r.job.trial, epoch, value, unix_now());
            if (scheduler_->should_prune(r.job.trial, epoch, value)) {
                r.diverged =
                    fmt::format("diverged: {} is {} at epoch {}", study_.metric, value, epoch);
                r.worker->kill();
            }
        }
    }

    void finish_exited() {
        for (auto it = running_.begin(); it != running_.end();) {
            Running& r = *it;
            read_reports(r);
            const std::optional<std::string> exit = r.worker->poll_exit();
            if (!exit) {
                ++it;
                continue;
            }
            if (r.diverged) {
                fail(r, TrialStatus::Fail, *r.diverged);
            } else if (exit->rfind("killed by signal", 0) == 0 && retries_[r.job.trial] < 1) {
                // killed from outside (out of memory, a worker stopped): once more from its
                // last checkpoint
                ++retries_[r.job.trial];
                requeue(r, fmt::format("{} on {}: run again from its last checkpoint", *exit,
                                       r.worker->name()));
            } else if (!exit->empty()) {
                const std::string tail = detail::tail_of_file(r.log, 3, 2000);
                fail(r, TrialStatus::Fail,
                     fmt::format("{}{}{} (log: {})", *exit, tail.empty() ? "" : ": ", tail, r.log));
            } else if (r.last_epoch != r.job.resource) {
                fail(
                    r, TrialStatus::Fail,
                    r.last_epoch == 0
                        ? fmt::format("exited without reporting {} (log: {})", study_.metric, r.log)
                        : fmt::format("exited after reporting {} at epoch {}, not at epoch {} "
                                      "(log: {})",
                                      study_.metric, r.last_epoch, r.job.resource, r.log));
            } else {
                succeed(r);
            }
            idle_.push_back(r.worker);
            it = running_.erase(it);
        }
    }

    void requeue(const Running& r, const std::string& why) {
        scheduler_->requeue(r.job.trial);
        storage_.job_requeued(r.job.trial, why, new_events(), unix_now());
        if (options_.on_note) options_.on_note(fmt::format("trial {}: {}", r.job.trial, why));
    }

    void succeed(const Running& r) {
        scheduler_->report(r.job.trial, r.job.rung, r.last_value);
        const bool final_rung = r.job.resource >= study_.scheduler.max_resource;
        storage_.job_reported(r.job, r.last_value, final_rung, new_events(), unix_now());
        notify(r, final_rung ? TrialStatus::Complete : TrialStatus::Paused, r.last_value, {});
    }

    void fail(const Running& r, TrialStatus status, const std::string& message) {
        scheduler_->fail(r.job.trial);
        storage_.job_failed(r.job, status, message, new_events(), unix_now());
        notify(r, status, std::nullopt, message);
    }

    void notify(const Running& r, TrialStatus status, std::optional<double> value,
                const std::string& message) {
        ++jobs_done_;
        if (!options_.on_job) return;
        JobOutcome o{
            .job = r.job,
            .status = status,
            .value = value,
            .message = message,
            .seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - r.started).count(),
            .worker = r.worker->name(),
            .best = scheduler_->best(),
            .jobs_done = jobs_done_,
            .trials_started = scheduler_->trials_started()};
        options_.on_job(o);
    }

    const StudyConfig& study_;
    const RunOptions& options_;
    Storage storage_;
    std::unique_ptr<Scheduler> scheduler_;
    std::unique_ptr<detail::WorkerPool> pool_;
    std::vector<detail::Worker*> idle_;
    std::string trials_dir_;
    std::vector<Running> running_;
    std::map<std::int64_t, int> retries_;  // jobs run again after a kill from outside
    std::size_t logged_ = 0;
    std::int64_t jobs_done_ = 0;
};

}  // namespace

StudySummary run_study(const StudyConfig& study, const RunOptions& options) {
    if (options.storage.empty()) throw ValueError("run_study: no storage file given");
    if (!options.logdir.empty() && !study.builtin_train) {
        throw ValueError(fmt::format(
            "run_study: TensorBoard logs (--logdir {}) are written by the train command; study "
            "'{}' runs its own program",
            options.logdir, study.name));
    }
    if (study.builtin_train && options.program.empty()) {
        throw ValueError("run_study: the train command needs the magmadnn program's path");
    }
    Coordinator c(study, options);
    return c.run();
}

}  // namespace magmadnn::hpo
