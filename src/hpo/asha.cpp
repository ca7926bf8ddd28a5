// Asynchronous successive halving (Li et al. 2020, Algorithm 2): whenever a worker is free,
// promote the best not-yet-promoted configuration in the top floor(|rung k| / eta) of the
// highest rung k that has one; otherwise draw a new configuration for the bottom rung. No
// barrier: a rung's membership grows as results arrive. A failed trial joins no rung.
#include <algorithm>
#include <set>

#include "hpo/schedulers.h"

namespace magmadnn::hpo::detail {

namespace {

class Asha final : public Scheduler {
  public:
    Asha(std::shared_ptr<const Sampler> sampler, Direction direction, std::vector<int> resources,
         int eta, std::int64_t trials)
        : Scheduler(std::move(sampler), direction),
          resources_(std::move(resources)),
          eta_(eta),
          trials_(trials),
          rungs_(resources_.size()) {}

  protected:
    std::optional<Job> propose() override {
        if (const auto p = promotion()) {
            const auto [trial, k] = *p;
            rungs_[k].promoted.insert(trial);
            return job(trial, static_cast<int>(k) + 1);
        }
        if (trials_started() >= trials_) return std::nullopt;
        return job(new_trial(), 0);
    }

    void on_result(const Job& job, std::optional<double> score) override {
        if (!score) return;
        auto& members = rungs_[static_cast<std::size_t>(job.rung)].members;
        // kept sorted: best score first, ties to the lower trial id
        const std::pair<double, std::int64_t> entry{-*score, job.trial};
        members.insert(std::upper_bound(members.begin(), members.end(), entry), entry);
    }

    bool exhausted() const override { return trials_started() >= trials_ && !promotion(); }

  private:
    struct RungState {
        std::vector<std::pair<double, std::int64_t>> members;  // (-score, trial), ascending
        std::set<std::int64_t> promoted;
    };

    // (trial, rung it leaves), searching from the top rung below R down.
    std::optional<std::pair<std::int64_t, std::size_t>> promotion() const {
        for (std::size_t k = rungs_.size() - 1; k-- > 0;) {
            const auto& r = rungs_[k];
            const std::size_t top = r.members.size() / static_cast<std::size_t>(eta_);
            for (std::size_t i = 0; i < top; ++i) {
                const auto trial = r.members[i].second;
                if (!r.promoted.contains(trial)) return std::pair{trial, k};
            }
        }
        return std::nullopt;
    }

    Job job(std::int64_t trial, int rung) const {
        const auto k = static_cast<std::size_t>(rung);
        return Job{.trial = trial,
                   .rung = rung,
                   .start = rung == 0 ? 0 : resources_[k - 1],
                   .resource = resources_[k]};
    }

    std::vector<int> resources_;
    int eta_;
    std::int64_t trials_;
    std::vector<RungState> rungs_;
};

}  // namespace

std::unique_ptr<Scheduler> asha(std::shared_ptr<const Sampler> sampler, Direction direction,
                                int max_resource, int min_resource, int eta, std::int64_t trials) {
    return std::make_unique<Asha>(std::move(sampler), direction,
                                  rung_resources(max_resource, min_resource, eta), eta, trials);
}

}  // namespace magmadnn::hpo::detail
