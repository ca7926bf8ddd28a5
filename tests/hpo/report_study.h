#pragma once
// A synthetic study for the report's tests: ASHA on a known objective with two simulated workers
// and a simulated clock (20 s an epoch), written through hpo::Storage as the coordinator would.
// Trial 2 crashes after its first epoch (no value); trial 4 diverges (an infinite report).

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "magmadnn/hpo/scheduler.h"
#include "magmadnn/hpo/storage.h"
#include "magmadnn/hpo/study.h"

namespace magmadnn::hpo::testing {

inline const char* kSyntheticStudy = R"({
  "name": "synthetic <asha> & 'report'",
  "trial": {"command": ["python3", "train.py", "--lr", "{lr}", "--hidden", "{hidden}",
                        "--momentum", "{momentum}", "--opt", "{optimizer}",
                        "--epochs", "{epochs}"]},
  "space": {"lr": {"type": "loguniform", "low": 1e-4, "high": 1},
            "hidden": {"type": "int", "low": 16, "high": 512, "log": true},
            "momentum": {"type": "uniform", "low": 0, "high": 0.99},
            "optimizer": {"type": "choice", "values": ["sgd", "adam", "rms<prop>"]}},
  "objective": {"metric": "val_accuracy", "direction": "maximize"},
  "scheduler": {"kind": "asha", "max_epochs": 9, "min_epochs": 1, "reduction_factor": 3,
                "trials": 14},
  "seed": 5})";

// What the storage holds at the end, counted as it was written.
struct SyntheticCounts {
    std::size_t trials = 0;
    std::size_t rung_results = 0;       // all finite
    std::size_t epoch_reports = 0;      // finite ones
    std::size_t nonfinite_reports = 0;  // infinite or NaN
    std::size_t with_value = 0;         // trials with a (finite) latest result
    std::size_t failed_without_value = 0;
    std::int64_t best_trial = -1;
    std::map<TrialStatus, std::size_t> by_status;
};

inline double synthetic_accuracy(const Params& p, int epoch) {
    const double lr = std::log10(std::get<double>(p.at("lr"))) + 2;
    const double m = std::get<double>(p.at("momentum")) - 0.9;
    const double opt = std::get<std::string>(p.at("optimizer")) == "adam" ? 0.95 : 0.85;
    const double quality = std::exp(-0.3 * lr * lr) * (1 - 0.5 * m * m) * opt;
    return quality * (1 - std::exp(-epoch / 3.0));
}

// Writes the study to a new file at `path` (an existing one is replaced).
inline SyntheticCounts write_synthetic_study(const std::string& path) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    const StudyConfig config = StudyConfig::from_json(kSyntheticStudy, "synthetic study");
    Storage storage = Storage::open(path, config.identity_json(), false);
    auto scheduler = make_scheduler(config.space, config.scheduler);
    SyntheticCounts counts;
    std::size_t logged = 0;
    const auto new_events = [&] {
        const auto& all = scheduler->events();
        std::vector<Event> out(all.begin() + static_cast<std::ptrdiff_t>(logged), all.end());
        logged = all.size();
        return out;
    };
    constexpr double kStart = 1.7e9, kEpoch = 20;
    std::multimap<double, Job> busy;  // by finish time
    double now = kStart;
    while (!scheduler->finished()) {
        while (busy.size() < 2) {
            const auto job = scheduler->next_job();
            if (!job) break;
            storage.job_started(*job, new_events(), now);
            busy.emplace(now + kEpoch * (job->resource - job->start), *job);
        }
        const auto [finish, job] = *busy.begin();
        busy.erase(busy.begin());
        const double began = finish - kEpoch * (job.resource - job.start);
        if (job.trial == 2 || job.trial == 4) {  // one epoch, then a crash or a divergence
            const double v = job.trial == 2 ? 0.1 : HUGE_VAL;
            storage.epoch_reported(job.trial, job.start + 1, v, began + kEpoch);
            (job.trial == 2 ? counts.epoch_reports : counts.nonfinite_reports)++;
            scheduler->fail(job.trial);
            storage.job_failed(job, TrialStatus::Fail,
                               job.trial == 2 ? "exit status 1: <CUDA> out of memory & \"oops\" 'x'"
                                              : "diverged: val_accuracy is inf at epoch 1",
                               new_events(), began + kEpoch);
            now = began + kEpoch;
            continue;
        }
        for (int e = job.start + 1; e <= job.resource; ++e) {
            storage.epoch_reported(job.trial, e, synthetic_accuracy(job.params, e),
                                   began + kEpoch * (e - job.start));
            ++counts.epoch_reports;
        }
        const double value = synthetic_accuracy(job.params, job.resource);
        scheduler->report(job.trial, job.rung, value);
        storage.job_reported(job, value, job.resource >= config.scheduler.max_resource,
                             new_events(), finish);
        ++counts.rung_results;
        now = finish;
    }
    storage.finish(now);
    for (const TrialRecord& t : storage.trials()) {
        ++counts.trials;
        ++counts.by_status[t.status];
        if (t.value) ++counts.with_value;
        if (!t.value && t.status == TrialStatus::Fail) ++counts.failed_without_value;
    }
    counts.best_trial = scheduler->best() ? scheduler->best()->trial : -1;
    return counts;
}

}  // namespace magmadnn::hpo::testing
