// Grid and random samplers.
#include "magmadnn/hpo/sampler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "magmadnn/core/error.h"
#include "magmadnn/core/random.h"

namespace magmadnn::hpo {

namespace {

constexpr std::int64_t kMaxGrid = std::int64_t{1} << 40;

std::vector<Value> grid_axis(const Param& p) {
    if (p.type == ParamType::Choice || !p.values.empty()) return p.values;
    if (p.type != ParamType::Int) {
        throw ValueError(fmt::format(
            "grid search: parameter '{}' is continuous ({}) and has no \"grid\" list; add "
            "\"grid\": [...] with the points to try, or use random search",
            p.name, to_string(p.type)));
    }
    const auto low = static_cast<std::int64_t>(p.low), high = static_cast<std::int64_t>(p.high);
    if (high - low + 1 > kMaxGrid) {
        throw ValueError(
            fmt::format("grid search: parameter '{}' spans {} integers; add a \"grid\" list",
                        p.name, high - low + 1));
    }
    std::vector<Value> out;
    for (std::int64_t v = low; v <= high; ++v) out.emplace_back(v);
    return out;
}

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
}

Value draw(const Param& p, double u) {  // u in [0, 1)
    switch (p.type) {
        case ParamType::Uniform:
            return std::min(p.low + u * (p.high - p.low), p.high);
        case ParamType::LogUniform: {
            const double a = std::log(p.low), b = std::log(p.high);
            return std::clamp(std::exp(a + u * (b - a)), p.low, p.high);
        }
        case ParamType::Int: {
            double x;
            if (p.log) {
                const double a = std::log(p.low - 0.5), b = std::log(p.high + 0.5);
                x = std::round(std::exp(a + u * (b - a)));
            } else {
                x = std::floor(p.low + u * (p.high - p.low + 1));
            }
            return static_cast<std::int64_t>(std::clamp(x, p.low, p.high));
        }
        case ParamType::Choice: {
            const auto n = p.values.size();
            return p.values[std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)))];
        }
    }
    return 0.0;
}

}  // namespace

GridSampler::GridSampler(SearchSpace space) : Sampler(std::move(space)) {
    for (const Param& p : this->space().params()) {
        axes_.push_back(grid_axis(p));
        const auto n = static_cast<std::int64_t>(axes_.back().size());
        if (size_ > kMaxGrid / n) {
            throw ValueError(fmt::format(
                "grid search: the grid passes 2^40 points at parameter '{}'; give shorter \"grid\" "
                "lists or use random search",
                p.name));
        }
        size_ *= n;
    }
}

Params GridSampler::sample(std::int64_t k) const {
    if (k < 0 || k >= size_) {
        throw ValueError(
            fmt::format("grid search: point {} is outside the grid of {} points", k, size_));
    }
    Params out;
    const auto& params = space().params();
    for (std::size_t i = params.size(); i-- > 0;) {  // the last parameter varies fastest
        const auto n = static_cast<std::int64_t>(axes_[i].size());
        out.emplace(params[i].name, axes_[i][static_cast<std::size_t>(k % n)]);
        k /= n;
    }
    return out;
}

RandomSampler::RandomSampler(SearchSpace space, std::uint64_t seed)
    : Sampler(std::move(space)), seed_(seed) {}

Params RandomSampler::sample(std::int64_t k) const {
    Params out;
    for (const Param& p : space().params()) {
        // random::uniform is in (0, 1]; 1 - it is in [0, 1)
        const double u = 1.0 - random::uniform(seed_, static_cast<std::uint64_t>(k), fnv1a(p.name));
        out.emplace(p.name, draw(p, u));
    }
    return out;
}

}  // namespace magmadnn::hpo
