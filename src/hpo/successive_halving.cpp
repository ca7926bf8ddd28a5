// Synchronous successive halving and Hyperband: brackets of rungs with a barrier at each rung.
// Hyperband is a sequence of such brackets; when every open bracket waits at its barrier, the
// next bracket starts, so free workers never idle while configurations remain to be drawn.
#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "hpo/schedulers.h"
#include "magmadnn/core/error.h"

namespace magmadnn::hpo::detail {

namespace {

// One bracket: n trials at resources[0], the top floor(size / eta) (at least 1) of each rung
// promoted to the next once every result of the rung is in. A failed trial ranks below all
// others and is never promoted; it still counts in the rung's size.
class Bracket {
  public:
    Bracket(int index, std::vector<int> resources, int eta, std::int64_t n)
        : index_(index), resources_(std::move(resources)), eta_(eta), n_(n) {}

    template <typename NewTrial>
    std::optional<Job> propose(NewTrial&& new_trial) {
        if (done_) return std::nullopt;
        std::int64_t trial;
        if (rung_ == 0 && created_ < n_) {
            trial = new_trial();
            ++created_;
        } else if (rung_ > 0 && next_ < queue_.size()) {
            trial = queue_[next_++];
        } else {
            return std::nullopt;  // the rung's barrier
        }
        return Job{.trial = trial,
                   .rung = rung_,
                   .bracket = index_,
                   .start = rung_ == 0 ? 0 : resources_[static_cast<std::size_t>(rung_ - 1)],
                   .resource = resources_[static_cast<std::size_t>(rung_)]};
    }

    void on_result(std::int64_t trial, std::optional<double> score) {
        if (score) scores_.emplace_back(*score, trial);
        ++results_;
        const auto size = rung_ == 0 ? n_ : static_cast<std::int64_t>(queue_.size());
        if (results_ < size) return;
        // rung complete: best score first, ties to the lower trial id
        std::sort(scores_.begin(), scores_.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        const auto keep = std::min<std::int64_t>(std::max<std::int64_t>(1, size / eta_),
                                                 static_cast<std::int64_t>(scores_.size()));
        queue_.clear();
        for (std::int64_t i = 0; i < keep; ++i)
            queue_.push_back(scores_[static_cast<std::size_t>(i)].second);
        scores_.clear();
        results_ = 0;
        next_ = 0;
        ++rung_;
        done_ = queue_.empty() || rung_ == static_cast<int>(resources_.size());
    }

    bool done() const { return done_; }

  private:
    int index_;
    std::vector<int> resources_;
    int eta_;
    std::int64_t n_;
    int rung_ = 0;
    std::int64_t created_ = 0;
    std::vector<std::int64_t> queue_;  // rung > 0: the promoted trials, best first
    std::size_t next_ = 0;
    std::vector<std::pair<double, std::int64_t>> scores_;
    std::int64_t results_ = 0;
    bool done_ = false;
};

struct BracketPlan {
    std::vector<int> resources;
    std::int64_t n;
};

// Brackets 0, 1, ... from plan(b, trials left), opened as the ones before them block.
class BracketScheduler final : public Scheduler {
  public:
    using Plan = std::function<BracketPlan(int bracket)>;

    BracketScheduler(std::shared_ptr<const Sampler> sampler, Direction direction, int eta,
                     std::int64_t trials, Plan plan)
        : Scheduler(std::move(sampler), direction),
          eta_(eta),
          trials_(trials),
          plan_(std::move(plan)) {}

  protected:
    std::optional<Job> propose() override {
        const auto new_trial = [this] { return this->new_trial(); };
        for (Bracket& b : brackets_) {
            if (auto job = b.propose(new_trial)) return job;
        }
        while (assigned_ < trials_) {
            BracketPlan p = plan_(static_cast<int>(brackets_.size()));
            const auto n = std::min(p.n, trials_ - assigned_);
            assigned_ += n;
            brackets_.emplace_back(static_cast<int>(brackets_.size()), std::move(p.resources), eta_,
                                   n);
            if (auto job = brackets_.back().propose(new_trial)) return job;
        }
        return std::nullopt;
    }

    void on_result(const Job& job, std::optional<double> score) override {
        brackets_[static_cast<std::size_t>(job.bracket)].on_result(job.trial, score);
    }

    bool exhausted() const override {
        return assigned_ >= trials_ && std::all_of(brackets_.begin(), brackets_.end(),
                                                   [](const Bracket& b) { return b.done(); });
    }

  private:
    int eta_;
    std::int64_t trials_;
    Plan plan_;
    std::vector<Bracket> brackets_;
    std::int64_t assigned_ = 0;  // trials given to the brackets opened so far
};

}  // namespace

std::unique_ptr<Scheduler> successive_halving(std::shared_ptr<const Sampler> sampler,
                                              Direction direction, int max_resource,
                                              int min_resource, int eta,
                                              std::optional<std::int64_t> trials) {
    auto resources = rung_resources(max_resource, min_resource, eta);
    std::int64_t n = 1;  // default: eta^K, so that one trial is left at R
    for (std::size_t k = 1; k < resources.size(); ++k) n *= eta;
    n = trials.value_or(n);
    check_sampler_holds(*sampler, n, "sha");
    return std::make_unique<BracketScheduler>(std::move(sampler), direction, eta, n,
                                              [resources, n](int) {
                                                  return BracketPlan{resources, n};
                                              });
}

std::unique_ptr<Scheduler> hyperband(std::shared_ptr<const Sampler> sampler, Direction direction,
                                     int max_resource, int min_resource, int eta,
                                     std::optional<std::int64_t> trials) {
    std::vector<BracketPlan> plans;
    std::int64_t one_pass = 0;
    for (const auto& bracket : hyperband_brackets(max_resource, min_resource, eta)) {
        BracketPlan p{{}, bracket.front().trials};
        for (const Rung& r : bracket) p.resources.push_back(r.resource);
        one_pass += p.n;
        plans.push_back(std::move(p));
    }
    const std::int64_t n = trials.value_or(one_pass);
    check_sampler_holds(*sampler, n, "hyperband");
    return std::make_unique<BracketScheduler>(
        std::move(sampler), direction, eta, n,
        [plans](int b) { return plans[static_cast<std::size_t>(b) % plans.size()]; });
}

}  // namespace magmadnn::hpo::detail
