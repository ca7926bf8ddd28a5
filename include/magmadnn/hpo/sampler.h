#pragma once
// Samplers turn a trial number k into a configuration. Grid and random are pure functions of k
// (and the seed); TPE also learns from the results seen when trial k is created. Either way a
// resumed study, whose scheduler replays its log in order, draws trial k's parameters again
// without any saved sampler state.

#include <cstdint>
#include <optional>
#include <vector>

#include "magmadnn/hpo/space.h"

namespace magmadnn::hpo {

// A trial's deepest result so far, as an adaptive sampler sees it: higher score is better
// (the scheduler negates a minimised objective).
struct Observation {
    Params params{};
    int resource = 0;  // epochs of the result
    double score = 0;
};

class Sampler {
  public:
    virtual ~Sampler() = default;
    virtual Params sample(std::int64_t k) const = 0;
    // Trial k's configuration given the results seen so far; a sampler that learns nothing
    // ignores them.
    virtual Params sample(std::int64_t k, const std::vector<Observation>& seen) const {
        (void)seen;
        return sample(k);
    }
    // The number of distinct configurations, or nothing when unbounded.
    virtual std::optional<std::int64_t> size() const = 0;
    const SearchSpace& space() const { return space_; }

  protected:
    explicit Sampler(SearchSpace space) : space_(std::move(space)) {}

  private:
    SearchSpace space_;
};

// The cartesian product of the parameters' grids: a numeric parameter's "grid" list, else every
// integer of an int range, else a choice's values. Order: parameters by name, the last name
// varying fastest (as itertools.product over the sorted names). A continuous parameter without a
// grid, or a product past 2^40 points, is a ValueError naming it. sample(k) wants 0 <= k < size().
class GridSampler final : public Sampler {
  public:
    explicit GridSampler(SearchSpace space);
    Params sample(std::int64_t k) const override;
    std::optional<std::int64_t> size() const override { return size_; }

  private:
    std::vector<std::vector<Value>> axes_;  // per parameter, in name order
    std::int64_t size_ = 1;
};

// Independent draws (also TpeSampler's first trials): parameter p of trial k is Philox draw (seed,
// stream k, counter FNV-1a(p)), so adding a parameter leaves the others' values unchanged. uniform:
// [low, high); loguniform: uniform in log space; int: each integer equally likely, or with "log"
// uniform in log space over [low - 0.5, high + 0.5] then rounded; choice: each value equally
// likely.
class RandomSampler final : public Sampler {
  public:
    RandomSampler(SearchSpace space, std::uint64_t seed);
    Params sample(std::int64_t k) const override;
    std::optional<std::int64_t> size() const override { return std::nullopt; }
    std::uint64_t seed() const { return seed_; }

  private:
    std::uint64_t seed_;
};

// The tree-structured Parzen estimator (Bergstra et al. 2011), one parameter at a time as
// Optuna's default TPESampler: the first `startup` trials are RandomSampler's; after them the
// seen results are ranked (more epochs first, then score), the top gamma = min(ceil(0.1 n), 25)
// are "good" and the rest "bad", each side becomes a Parzen mixture over the parameter's range
// (a truncated Gaussian per observation plus a prior over the whole range; widths by neighbour
// distance, clipped to [range / min(100, n + 1), range]; choices: counts plus a prior), and of
// `candidates` draws from the good mixture the one maximising l(x) / g(x) is taken. Log
// parameters live in log space; an int is drawn over [low - 0.5, high + 0.5] and rounded. Draws
// come from Philox streams keyed by (seed, k), so the same seen results give the same params.
class TpeSampler final : public Sampler {
  public:
    struct Options {
        int startup = 10;
        int candidates = 24;
    };
    TpeSampler(SearchSpace space, std::uint64_t seed, Options options);
    TpeSampler(SearchSpace space, std::uint64_t seed) : TpeSampler(std::move(space), seed, {}) {}
    Params sample(std::int64_t k) const override { return random_.sample(k); }
    Params sample(std::int64_t k, const std::vector<Observation>& seen) const override;
    std::optional<std::int64_t> size() const override { return std::nullopt; }

  private:
    RandomSampler random_;
    std::uint64_t seed_;
    Options options_;
};

}  // namespace magmadnn::hpo
