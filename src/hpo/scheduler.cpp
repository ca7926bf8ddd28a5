// The scheduler interface shared by every kind: running jobs, the event log and its replay, the
// best result; the options' checks; grid and random search.
#include "magmadnn/hpo/scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "hpo/schedulers.h"
#include "io/json_depth.h"
#include "magmadnn/core/error.h"

namespace magmadnn::hpo {

using nlohmann::json;

namespace {

constexpr const char* kEventNames[] = {"start", "report", "fail", "requeue"};

// Every trial trained to R in one job, in trial order.
class FullBudget final : public Scheduler {
  public:
    FullBudget(std::shared_ptr<const Sampler> sampler, Direction direction, int max_resource,
               std::int64_t trials)
        : Scheduler(std::move(sampler), direction), resource_(max_resource), trials_(trials) {}

  protected:
    std::optional<Job> propose() override {
        if (trials_started() >= trials_) return std::nullopt;
        return Job{.trial = new_trial(), .resource = resource_};
    }
    void on_result(const Job&, std::optional<double>) override {}
    bool exhausted() const override { return trials_started() >= trials_; }

  private:
    int resource_;
    std::int64_t trials_;
};

}  // namespace

const char* to_string(SchedulerKind kind) {
    switch (kind) {
        case SchedulerKind::Grid:
            return "grid";
        case SchedulerKind::Random:
            return "random";
        case SchedulerKind::SuccessiveHalving:
            return "sha";
        case SchedulerKind::Hyperband:
            return "hyperband";
        case SchedulerKind::Asha:
            return "asha";
    }
    return "?";
}

SchedulerKind scheduler_kind(std::string_view name) {
    for (const auto kind :
         {SchedulerKind::Grid, SchedulerKind::Random, SchedulerKind::SuccessiveHalving,
          SchedulerKind::Hyperband, SchedulerKind::Asha}) {
        if (name == to_string(kind)) return kind;
    }
    throw ValueError(fmt::format(
        "scheduler: unknown scheduler '{}'; expected grid, random, sha, hyperband or asha", name));
}

const char* to_string(SamplerKind kind) { return kind == SamplerKind::Tpe ? "tpe" : "random"; }

SamplerKind sampler_kind(std::string_view name) {
    if (name == "random") return SamplerKind::Random;
    if (name == "tpe") return SamplerKind::Tpe;
    throw ValueError(fmt::format("sampler: unknown sampler '{}'; expected random or tpe", name));
}

std::string events_to_json(const std::vector<Event>& events) {
    json out = json::array();
    for (const Event& e : events) {
        json j{{"event", kEventNames[static_cast<int>(e.kind)]}, {"trial", e.trial}};
        if (e.kind == Event::Kind::Start || e.kind == Event::Kind::Report) j["rung"] = e.rung;
        if (e.kind == Event::Kind::Report) j["value"] = e.value;
        out.push_back(std::move(j));
    }
    return out.dump();
}

std::vector<Event> events_from_json(std::string_view text, std::string_view where) {
    const std::string what = fmt::format("{}: the scheduler's events", where);
    const json j = io::detail::parse_json(text, what);
    if (!j.is_array()) throw FormatError(fmt::format("{}: expected an array", what));
    std::vector<Event> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const json& e = j[i];
        const auto bad = [&](const char* why) {
            return FormatError(
                fmt::format("{}: entry {} ({}) {}", what, i, e.dump().substr(0, 80), why));
        };
        if (!e.is_object() || !e.contains("event") || !e["event"].is_string()) {
            throw bad("has no \"event\" name");
        }
        const auto name = e["event"].get<std::string>();
        const auto* it = std::find(std::begin(kEventNames), std::end(kEventNames), name);
        if (it == std::end(kEventNames)) throw bad("names no event: start, report, fail, requeue");
        Event ev{static_cast<Event::Kind>(it - std::begin(kEventNames))};
        if (!e.contains("trial") || !e["trial"].is_number_integer()) {
            throw bad("needs an integer \"trial\"");
        }
        ev.trial = e["trial"].get<std::int64_t>();
        if (ev.kind == Event::Kind::Start || ev.kind == Event::Kind::Report) {
            if (!e.contains("rung") || !e["rung"].is_number_integer()) {
                throw bad("needs an integer \"rung\"");
            }
            ev.rung = e["rung"].get<int>();
        }
        if (ev.kind == Event::Kind::Report) {
            if (!e.contains("value") || !e["value"].is_number()) throw bad("needs a \"value\"");
            ev.value = e["value"].get<double>();
        }
        out.push_back(ev);
    }
    return out;
}

std::vector<std::vector<Rung>> hyperband_brackets(int max_resource, int min_resource, int eta) {
    int s_max = 0;
    for (std::int64_t v = std::int64_t{min_resource} * eta; v <= max_resource; v *= eta) ++s_max;
    std::vector<std::vector<Rung>> out;
    for (int s = s_max; s >= 0; --s) {
        const auto eta_s = static_cast<std::int64_t>(std::llround(std::pow(eta, s)));
        const std::int64_t n = ((s_max + 1) * eta_s + s) / (s + 1);  // ceil
        std::vector<Rung> bracket;
        for (int i = 0; i <= s; ++i) {
            const std::int64_t count =
                i == 0 ? n : std::max<std::int64_t>(1, bracket.back().trials / eta);
            const double r = max_resource / std::pow(eta, s - i);
            bracket.push_back({count, std::max(1, static_cast<int>(std::lround(r)))});
        }
        out.push_back(std::move(bracket));
    }
    return out;
}

std::vector<int> rung_resources(int max_resource, int min_resource, int eta) {
    std::vector<int> out;
    for (std::int64_t v = min_resource; v < max_resource; v *= eta)
        out.push_back(static_cast<int>(v));
    out.push_back(max_resource);
    return out;
}

Scheduler::Scheduler(std::shared_ptr<const Sampler> sampler, Direction direction)
    : sampler_(std::move(sampler)), direction_(direction) {}

std::optional<Job> Scheduler::next_job() {
    std::optional<Job> job;
    if (!requeued_.empty()) {
        job = requeued_.front();
        requeued_.erase(requeued_.begin());
    } else {
        job = propose();
        if (!job) return std::nullopt;
        job->params = params_[static_cast<std::size_t>(job->trial)];
    }
    running_.push_back(*job);
    events_.push_back({Event::Kind::Start, job->trial, job->rung});
    return job;
}

std::vector<Job>::iterator Scheduler::find_running(std::int64_t trial, const char* call) {
    const auto it = std::find_if(running_.begin(), running_.end(),
                                 [&](const Job& j) { return j.trial == trial; });
    if (it == running_.end()) {
        throw ValueError(fmt::format(
            "scheduler: {}(trial {}): the trial has no running job; report only jobs from "
            "next_job(), once each",
            call, trial));
    }
    return it;
}

void Scheduler::report(std::int64_t trial, int rung, double value) {
    const auto it = find_running(trial, "report");
    if (it->rung != rung) {
        throw ValueError(fmt::format(
            "scheduler: report(trial {}, rung {}): the trial is running rung {}; report that rung",
            trial, rung, it->rung));
    }
    if (!std::isfinite(value)) return fail(trial);
    const Job job = *it;
    running_.erase(it);
    events_.push_back({Event::Kind::Report, trial, rung, value});
    results_.push_back({trial, job.params, job.resource, value});
    on_result(job, direction_ == Direction::Maximize ? value : -value);
}

void Scheduler::fail(std::int64_t trial) {
    const auto it = find_running(trial, "fail");
    const Job job = *it;
    running_.erase(it);
    events_.push_back({Event::Kind::Fail, trial});
    on_result(job, std::nullopt);
}

void Scheduler::requeue(std::int64_t trial) {
    const auto it = find_running(trial, "requeue");
    requeued_.push_back(*it);
    running_.erase(it);
    events_.push_back({Event::Kind::Requeue, trial});
}

bool Scheduler::should_prune(std::int64_t trial, int epoch, double value) const {
    if (std::none_of(running_.begin(), running_.end(),
                     [&](const Job& j) { return j.trial == trial; })) {
        throw ValueError(
            fmt::format("scheduler: should_prune(trial {}, epoch {}): the trial has no running job",
                        trial, epoch));
    }
    return !std::isfinite(value);
}

bool Scheduler::finished() const { return running_.empty() && requeued_.empty() && exhausted(); }

std::vector<Job> Scheduler::running() const { return running_; }

const Params& Scheduler::params(std::int64_t trial) const {
    if (trial < 0 || trial >= trials_started()) {
        throw ValueError(fmt::format("scheduler: no trial {}; trials 0..{} have started", trial,
                                     trials_started() - 1));
    }
    return params_[static_cast<std::size_t>(trial)];
}

std::optional<TrialResult> Scheduler::best() const {
    const TrialResult* best = nullptr;
    for (const TrialResult& r : results_) {
        const auto better = [&] {
            if (r.resource != best->resource) return r.resource > best->resource;
            if (r.value != best->value) {
                return direction_ == Direction::Maximize ? r.value > best->value
                                                         : r.value < best->value;
            }
            return r.trial < best->trial;
        };
        if (!best || better()) best = &r;
    }
    if (!best) return std::nullopt;
    return *best;
}

void Scheduler::replay(const std::vector<Event>& events) {
    if (!events_.empty()) {
        throw ValueError("scheduler: replay() needs a fresh scheduler; build a new one");
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        if (e.kind == Event::Kind::Start) {
            const auto job = next_job();
            if (!job || job->trial != e.trial || job->rung != e.rung) {
                throw FormatError(fmt::format(
                    "scheduler: event {} starts trial {} at rung {}, but this scheduler {}; the "
                    "study was recorded with other options (scheduler, eta, resources, trials, "
                    "seed or space)",
                    i, e.trial, e.rung,
                    job ? fmt::format("starts trial {} at rung {}", job->trial, job->rung)
                        : std::string("has nothing to start")));
            }
            continue;
        }
        try {
            if (e.kind == Event::Kind::Report) report(e.trial, e.rung, e.value);
            if (e.kind == Event::Kind::Fail) fail(e.trial);
            if (e.kind == Event::Kind::Requeue) requeue(e.trial);
        } catch (const ValueError& err) {
            throw FormatError(fmt::format("scheduler: event {}: {}", i, err.what()));
        }
    }
}

std::int64_t Scheduler::new_trial() {
    const auto id = trials_started();
    // each trial's deepest result so far, in trial order (what an adaptive sampler learns from)
    std::vector<Observation> seen;
    std::vector<int> index(params_.size(), -1);
    for (const TrialResult& r : results_) {
        const double score = direction_ == Direction::Maximize ? r.value : -r.value;
        int& i = index[static_cast<std::size_t>(r.trial)];
        if (i < 0) {
            i = static_cast<int>(seen.size());
            seen.push_back({r.params, r.resource, score});
        } else if (r.resource >= seen[static_cast<std::size_t>(i)].resource) {
            seen[static_cast<std::size_t>(i)] = {r.params, r.resource, score};
        }
    }
    params_.push_back(sampler_->sample(id, seen));
    return id;
}

namespace detail {

void check_sampler_holds(const Sampler& sampler, std::int64_t trials, const char* kind) {
    if (const auto size = sampler.size(); size && trials > *size) {
        throw ValueError(fmt::format(
            "trials: {} needs {} configurations but the grid holds {}; lower trials or sample "
            "at random",
            kind, trials, *size));
    }
}

std::unique_ptr<Scheduler> full_budget(std::shared_ptr<const Sampler> sampler, Direction direction,
                                       int max_resource, std::int64_t trials) {
    return std::make_unique<FullBudget>(std::move(sampler), direction, max_resource, trials);
}

}  // namespace detail

std::unique_ptr<Scheduler> make_scheduler(const SearchSpace& space,
                                          const SchedulerOptions& options) {
    std::shared_ptr<const Sampler> sampler;
    if (options.kind == SchedulerKind::Grid) {
        if (options.sampler != SamplerKind::Random) {
            throw ValueError("sampler: grid search walks its grid; tpe samples the other kinds");
        }
        sampler = std::make_shared<GridSampler>(space);
    } else if (options.sampler == SamplerKind::Tpe) {
        sampler = std::make_shared<TpeSampler>(space, options.seed);
    } else {
        sampler = std::make_shared<RandomSampler>(space, options.seed);
    }
    return make_scheduler(std::move(sampler), options);
}

std::unique_ptr<Scheduler> make_scheduler(std::shared_ptr<const Sampler> sampler,
                                          const SchedulerOptions& o) {
    const char* kind = to_string(o.kind);
    const int eta = o.reduction_factor.value_or(o.kind == SchedulerKind::Hyperband ? 3 : 4);
    if (eta < 2) {
        throw ValueError(
            fmt::format("reduction_factor: {} keeps every trial; give eta >= 2 (default {})", eta,
                        o.kind == SchedulerKind::Hyperband ? 3 : 4));
    }
    if (o.min_resource <= 0) {
        throw ValueError(
            fmt::format("min_resource: {} epochs; a rung trains at least 1 epoch", o.min_resource));
    }
    if (o.min_resource > o.max_resource) {
        throw ValueError(fmt::format(
            "min_resource: {} epochs exceeds max_resource {}; give min_resource <= max_resource",
            o.min_resource, o.max_resource));
    }
    if (o.trials && *o.trials < 1) {
        throw ValueError(fmt::format("trials: {}; give at least 1 trial", *o.trials));
    }
    const auto need_trials = [&] {
        if (!o.trials) {
            throw ValueError(
                fmt::format("trials: {} search needs a trial budget; give trials >= 1", kind));
        }
        detail::check_sampler_holds(*sampler, *o.trials, kind);
        return *o.trials;
    };
    switch (o.kind) {
        case SchedulerKind::Grid: {
            if (!sampler->size()) {
                throw ValueError("sampler: grid search needs a finite sampler (a GridSampler)");
            }
            const std::int64_t trials = o.trials.value_or(*sampler->size());
            detail::check_sampler_holds(*sampler, trials, kind);
            return detail::full_budget(std::move(sampler), o.direction, o.max_resource, trials);
        }
        case SchedulerKind::Random:
            return detail::full_budget(sampler, o.direction, o.max_resource, need_trials());
        case SchedulerKind::SuccessiveHalving:
            return detail::successive_halving(std::move(sampler), o.direction, o.max_resource,
                                              o.min_resource, eta, o.trials);
        case SchedulerKind::Hyperband:
            return detail::hyperband(std::move(sampler), o.direction, o.max_resource,
                                     o.min_resource, eta, o.trials);
        case SchedulerKind::Asha:
            return detail::asha(sampler, o.direction, o.max_resource, o.min_resource, eta,
                                need_trials());
    }
    throw ValueError("scheduler: unknown kind");
}

}  // namespace magmadnn::hpo
