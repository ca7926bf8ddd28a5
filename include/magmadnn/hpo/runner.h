#pragma once
// The coordinator of a study: it asks the scheduler for jobs, runs each in a free worker, reads
// its per-epoch reports, records everything in the storage and reports back to the scheduler.
// Workers are W processes on this machine (cores / W threads each) or, under mpirun, the ranks
// 1..n-1, each starting its jobs as processes on its own host (its cores / the workers there)
// while rank 0 coordinates. A study killed at any point continues with `resume`: the log is
// replayed and the jobs that were running run again from their trial's last checkpoint.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "magmadnn/hpo/storage.h"
#include "magmadnn/hpo/study.h"

namespace magmadnn::dist {
class Communicator;
}

namespace magmadnn::hpo {

// One finished job, for progress lines.
struct JobOutcome {
    Job job{};
    TrialStatus status = TrialStatus::Complete;  // Complete or Paused: it reported `value`
    std::optional<double> value{};
    std::string message{};  // Fail: why
    double seconds = 0;
    std::string worker{};               // where it ran: "local worker 0", "rank 2 on host-b"
    std::optional<TrialResult> best{};  // the study's best so far
    std::int64_t jobs_done = 0;
    std::int64_t trials_started = 0;
};

struct RunOptions {
    std::string storage{};     // the SQLite file
    std::string program{};     // the magmadnn executable, for "command": "train"
    std::string trials_dir{};  // each trial's checkpoint and log; empty: <storage>.trials
    // "command": "train" only: each trial writes TensorBoard logs to <logdir>/trial-N (its
    // jobs append there, so a promoted trial's curve continues)
    std::string logdir{};
    int workers = 0;  // local workers; 0: the study's
    int threads = 0;  // per worker; 0: its host's cores / the workers there
    // Under mpirun: rank 0 runs run_study with this set to the world, the other ranks
    // serve_study_jobs; `workers` is then ignored (one per rank but 0). The trials directory
    // must be on a file system all hosts share, since a promoted trial may move to another rank.
    dist::Communicator* mpi = nullptr;
    bool resume = false;  // continue the study the storage holds
    double heartbeat_seconds = 1;
    double stale_seconds = 30;  // another coordinator's heartbeat older than this is dead
    std::function<void(const JobOutcome&)> on_job{};    // after each job
    std::function<void(const std::string&)> on_note{};  // resumed jobs and the like
};

struct StudySummary {
    std::optional<TrialResult> best{};
    std::int64_t trials = 0, complete = 0, pruned = 0, failed = 0;
    std::int64_t jobs = 0;            // run by this call
    std::int64_t requeued = 0;        // jobs found running in the storage and run again
    std::int64_t epochs_trained = 0;  // by every trial of the study, earlier runs included
    int threads = 1;                  // a job's threads (the first worker's)
    double seconds = 0;
};

// Runs the study to its end. IOError / ValueError from the storage (another study, a live
// coordinator, no --resume for a started study); a trial that fails is recorded FAIL with its
// message and the study goes on.
StudySummary run_study(const StudyConfig& study, const RunOptions& options);

// The loop of every rank but 0 under mpirun: reports ready, runs the jobs rank 0 sends, returns
// when rank 0's study ends.
void serve_study_jobs(dist::Communicator& world);
// Rank 0: lets the worker ranks return (run_study does this at its end; call it when the study
// could not start). Later calls do nothing.
void stop_study_workers(dist::Communicator& world);

}  // namespace magmadnn::hpo
