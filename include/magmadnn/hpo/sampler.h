#pragma once
// Samplers turn a trial number k into a configuration. Both are pure functions of k (and the
// seed), so a resumed study draws trial k's parameters again without any saved sampler state.

#include <cstdint>
#include <optional>

#include "magmadnn/hpo/space.h"

namespace magmadnn::hpo {

class Sampler {
  public:
    virtual ~Sampler() = default;
    virtual Params sample(std::int64_t k) const = 0;
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

// Independent draws: parameter p of trial k is Philox draw (seed, stream k, counter FNV-1a(p)),
// so adding a parameter leaves the others' values unchanged. uniform: [low, high); loguniform:
// uniform in log space; int: each integer equally likely, or with "log" uniform in log space
// over [low - 0.5, high + 0.5] then rounded; choice: each value equally likely.
class RandomSampler final : public Sampler {
  public:
    RandomSampler(SearchSpace space, std::uint64_t seed);
    Params sample(std::int64_t k) const override;
    std::optional<std::int64_t> size() const override { return std::nullopt; }
    std::uint64_t seed() const { return seed_; }

  private:
    std::uint64_t seed_;
};

}  // namespace magmadnn::hpo
