#pragma once
// Schedulers decide which trial trains next and for how many epochs, for a coordinator that runs
// each job in a free worker and reports back, in any order:
//
//   auto s = hpo::make_scheduler(space, {.kind = hpo::SchedulerKind::Asha, .max_resource = 81,
//                                        .trials = 200});
//   while (!s->finished()) {
//       auto job = s->next_job();  // train job->trial up to job->resource epochs
//       if (!job) { wait_for_a_result(); continue; }  // nothing to start until one comes
//       ...
//       s->report(job->trial, job->rung, val_accuracy);  // or s->fail(job->trial)
//   }
//   s->best();
//
// A scheduler is deterministic: the same calls in the same order give the same jobs. Its state
// is therefore its event log (events()): a resumed coordinator builds a scheduler with the same
// options and replay()s the log it saved, then requeue()s the jobs that were running at the
// crash. Ranking breaks ties by the lower trial id.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "magmadnn/hpo/sampler.h"
#include "magmadnn/hpo/space.h"

namespace magmadnn::hpo {

enum class Direction { Maximize, Minimize };  // val_accuracy, val_loss

enum class SchedulerKind { Grid, Random, SuccessiveHalving, Hyperband, Asha };
const char* to_string(SchedulerKind kind);            // grid, random, sha, hyperband, asha
SchedulerKind scheduler_kind(std::string_view name);  // ValueError naming the choices

enum class SamplerKind { Random, Tpe };
const char* to_string(SamplerKind kind);          // random, tpe
SamplerKind sampler_kind(std::string_view name);  // ValueError naming the choices

struct SchedulerOptions {
    SchedulerKind kind = SchedulerKind::Random;
    Direction direction = Direction::Maximize;
    int max_resource = 1;  // R: epochs of a fully trained trial
    int min_resource = 1;  // r: epochs at the lowest rung (sha, hyperband, asha)
    // eta; unset: 3 for hyperband, 4 for sha and asha (Optuna's and Ray Tune's defaults)
    std::optional<int> reduction_factor{};
    // New configurations at most. grid: the first N points (unset: all); random, asha: required;
    // sha: the bottom rung's size (unset: eta^K, leaving one at R); hyperband: brackets repeat
    // s_max..0 until N are drawn, the last one cut short (unset: one pass over the brackets).
    std::optional<std::int64_t> trials{};
    std::uint64_t seed = 0;  // the sampler's
    // How new configurations are drawn (not grid): at random, or by TPE from the results seen.
    SamplerKind sampler = SamplerKind::Random;
};

// A unit of work: train `trial` with `params` from epoch `start` (0 for a new trial; else resume
// from its checkpoint after `start` epochs) up to `resource` epochs, then report the objective.
struct Job {
    std::int64_t trial = 0;
    int rung = 0;
    int bracket = 0;  // hyperband's bracket number (0 elsewhere)
    int start = 0;
    int resource = 0;
    Params params{};
    bool operator==(const Job&) const = default;
};

struct TrialResult {
    std::int64_t trial = 0;
    Params params{};
    int resource = 0;
    double value = 0;
};

// One entry of a scheduler's log, in the order the calls were made.
struct Event {
    enum class Kind { Start, Report, Fail, Requeue };
    Kind kind = Kind::Start;
    std::int64_t trial = 0;
    int rung = 0;      // Start, Report
    double value = 0;  // Report
    bool operator==(const Event&) const = default;
};
// [{"event": "start", "trial": 0, "rung": 0}, {"event": "report", ..., "value": 0.9}, ...];
// events_from_json: FormatError naming `where` and the entry for anything else.
std::string events_to_json(const std::vector<Event>& events);
std::vector<Event> events_from_json(std::string_view text, std::string_view where);

// One rung of a successive-halving bracket: `trials` configurations trained to `resource` epochs.
struct Rung {
    std::int64_t trials = 0;
    int resource = 0;
    bool operator==(const Rung&) const = default;
};
// Hyperband's brackets s = s_max..0 (Li et al. 2018, Algorithm 1): s_max = floor(log_eta(R/r)),
// n = ceil((s_max + 1) / (s + 1) * eta^s), rung i trains floor(n_{i-1} / eta) configurations
// (at least 1) for round(R * eta^(i - s)) epochs.
std::vector<std::vector<Rung>> hyperband_brackets(int max_resource, int min_resource, int eta);
// The rung resources of sha and asha: r * eta^k while below R, then R.
std::vector<int> rung_resources(int max_resource, int min_resource, int eta);

class Scheduler {
  public:
    virtual ~Scheduler() = default;

    // The next job to start now (a requeued one first), or nothing: then wait for a result, or
    // stop when finished().
    std::optional<Job> next_job();
    // The objective after a job; a non-finite value counts as a failure. ValueError unless the
    // trial is running that rung.
    void report(std::int64_t trial, int rung, double value);
    // The running job of `trial` failed (a crash, or pruned): the trial leaves the study.
    void fail(std::int64_t trial);
    // The running job of `trial` was lost (its worker died): next_job hands it out again.
    void requeue(std::int64_t trial);
    // For per-epoch reports inside a job: the rung schedulers decide at rung ends, so inside a
    // job only a diverged (non-finite) value stops a trial. Then call fail().
    bool should_prune(std::int64_t trial, int epoch, double value) const;

    bool finished() const;  // nothing running and nothing left to start
    std::vector<Job> running() const;
    std::int64_t trials_started() const { return static_cast<std::int64_t>(params_.size()); }
    const Params& params(std::int64_t trial) const;
    // The best value among the trials that reached the most epochs any trial reached.
    std::optional<TrialResult> best() const;
    Direction direction() const { return direction_; }

    const std::vector<Event>& events() const { return events_; }
    // Re-applies a log to a fresh scheduler built with the same options; FormatError naming the
    // entry where the log and the scheduler disagree (other options, sampler or space).
    void replay(const std::vector<Event>& events);

  protected:
    Scheduler(std::shared_ptr<const Sampler> sampler, Direction direction);
    // A job to start (params left empty), or nothing. May create trials with new_trial().
    virtual std::optional<Job> propose() = 0;
    // A job's result: its score (higher is better) or nothing for a failure.
    virtual void on_result(const Job& job, std::optional<double> score) = 0;
    // No job can ever be proposed again (given that no job is running).
    virtual bool exhausted() const = 0;
    std::int64_t new_trial();  // the next trial id, with the sampler's params for it
    std::optional<std::int64_t> sampler_size() const { return sampler_->size(); }

  private:
    void finish(std::int64_t trial, std::optional<double> score);
    std::vector<Job>::iterator find_running(std::int64_t trial, const char* call);

    std::shared_ptr<const Sampler> sampler_;
    Direction direction_;
    std::vector<Params> params_;  // by trial id
    std::vector<Job> running_;    // in start order
    std::vector<Job> requeued_;   // handed out again first, oldest first
    std::vector<TrialResult> results_;
    std::vector<Event> events_;
};

// ValueError naming the field for eta < 2, r <= 0, r > R, trials < 1, a missing trial budget or
// one the grid cannot fill. The grid kind samples with a GridSampler, the others with a
// RandomSampler(seed); the second form takes any sampler.
std::unique_ptr<Scheduler> make_scheduler(const SearchSpace& space,
                                          const SchedulerOptions& options);
std::unique_ptr<Scheduler> make_scheduler(std::shared_ptr<const Sampler> sampler,
                                          const SchedulerOptions& options);

}  // namespace magmadnn::hpo
