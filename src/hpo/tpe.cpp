// The TPE sampler: Parzen mixtures over the good and the bad results, one parameter at a time.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "magmadnn/core/random.h"
#include "magmadnn/hpo/sampler.h"

namespace magmadnn::hpo {

namespace {

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
}

// Uniform draws in (0, 1] for one parameter of one trial: a Philox stream keyed by (seed, k),
// counters from the parameter's name (as RandomSampler), offset so they never meet its draws.
class Draws {
  public:
    Draws(std::uint64_t seed, std::int64_t k, const std::string& name)
        : seed_(seed),
          k_(static_cast<std::uint64_t>(k)),
          base_(fnv1a(name) * 0x9E3779B97F4A7C15ull) {}
    double next() { return random::uniform(seed_, k_, base_ + ++i_); }
    double normal() {  // Box-Muller
        const double u = next(), v = next();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
    }

  private:
    std::uint64_t seed_, k_, base_, i_ = 0;
};

// Where a numeric parameter lives while estimated: log space for log parameters, and an int
// widened by half a step each side so that every integer has the same share.
struct Axis {
    double lo, hi;
    bool log;
};

Axis axis_of(const Param& p) {
    const bool log = p.type == ParamType::LogUniform || (p.type == ParamType::Int && p.log);
    double lo = p.low, hi = p.high;
    if (p.type == ParamType::Int) lo -= 0.5, hi += 0.5;
    return log ? Axis{std::log(lo), std::log(hi), true} : Axis{lo, hi, false};
}

double to_axis(const Axis& a, double x) { return a.log ? std::log(x) : x; }

Value from_axis(const Param& p, const Axis& a, double y) {
    const double x = a.log ? std::exp(y) : y;
    if (p.type == ParamType::Int) {
        return static_cast<std::int64_t>(std::clamp(std::round(x), p.low, p.high));
    }
    return std::clamp(x, p.low, p.high);
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// A mixture of Gaussians truncated to [lo, hi]: one per observation, one prior.
class Parzen {
  public:
    Parzen(const Axis& a, std::vector<double> points) : a_(a) {
        const double range = a.hi - a.lo;
        mu_ = std::move(points);
        mu_.push_back(0.5 * (a.lo + a.hi));  // the prior
        std::vector<std::size_t> order(mu_.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](auto x, auto y) { return mu_[x] < mu_[y]; });
        const double max_sigma = range;
        const double min_sigma = range / std::min(100.0, double(mu_.size()));
        sigma_.assign(mu_.size(), max_sigma);
        for (std::size_t r = 0; r < order.size(); ++r) {
            const double left = r > 0 ? mu_[order[r]] - mu_[order[r - 1]] : mu_[order[r]] - a.lo;
            const double right =
                r + 1 < order.size() ? mu_[order[r + 1]] - mu_[order[r]] : a.hi - mu_[order[r]];
            sigma_[order[r]] = std::clamp(std::max(left, right), min_sigma, max_sigma);
        }
        sigma_.back() = max_sigma;  // the prior spans the range
        for (std::size_t i = 0; i < mu_.size(); ++i) {
            mass_.push_back(normal_cdf((a.hi - mu_[i]) / sigma_[i]) -
                            normal_cdf((a.lo - mu_[i]) / sigma_[i]));
        }
    }

    double draw(Draws& d) const {
        const auto i =
            std::min(mu_.size() - 1, static_cast<std::size_t>(d.next() * double(mu_.size())));
        for (int tries = 0; tries < 64; ++tries) {  // rejection: the range holds >= 1/3 of it
            const double y = mu_[i] + sigma_[i] * d.normal();
            if (y >= a_.lo && y <= a_.hi) return y;
        }
        return std::clamp(mu_[i], a_.lo, a_.hi);
    }

    double log_density(double y) const {
        double sum = 0;
        for (std::size_t i = 0; i < mu_.size(); ++i) {
            const double z = (y - mu_[i]) / sigma_[i];
            sum += std::exp(-0.5 * z * z) / (sigma_[i] * mass_[i]);
        }
        return std::log(sum / double(mu_.size()) + 1e-300);
    }

  private:
    Axis a_;
    std::vector<double> mu_, sigma_, mass_;
};

// Choices: each value's weight is its count plus the prior's share (1 over the values).
std::vector<double> choice_weights(const Param& p, const std::vector<const Params*>& obs) {
    std::vector<double> w(p.values.size(), 1.0 / double(p.values.size()));
    for (const Params* o : obs) {
        const auto it = std::find(p.values.begin(), p.values.end(), o->at(p.name));
        if (it != p.values.end()) w[static_cast<std::size_t>(it - p.values.begin())] += 1;
    }
    double total = 0;
    for (double x : w) total += x;
    for (double& x : w) x /= total;
    return w;
}

}  // namespace

TpeSampler::TpeSampler(SearchSpace space, std::uint64_t seed, Options options)
    : Sampler(space), random_(std::move(space), seed), seed_(seed), options_(options) {}

Params TpeSampler::sample(std::int64_t k, const std::vector<Observation>& seen) const {
    // only results holding every parameter (a space that grew since: the others are ignored)
    std::vector<const Observation*> usable;
    for (const Observation& o : seen) {
        const bool whole =
            std::all_of(space().params().begin(), space().params().end(),
                        [&](const Param& p) { return o.params.count(p.name) > 0; }) &&
            std::isfinite(o.score);
        if (whole) usable.push_back(&o);
    }
    if (static_cast<int>(usable.size()) < options_.startup) return random_.sample(k);
    std::stable_sort(usable.begin(), usable.end(), [](const Observation* a, const Observation* b) {
        return a->resource != b->resource ? a->resource > b->resource : a->score > b->score;
    });
    const std::size_t n_good =
        std::min<std::size_t>(25, static_cast<std::size_t>(std::ceil(0.1 * double(usable.size()))));
    std::vector<const Params*> good, bad;
    for (std::size_t i = 0; i < usable.size(); ++i) {
        (i < n_good ? good : bad).push_back(&usable[i]->params);
    }
    Params out;
    for (const Param& p : space().params()) {
        Draws d(seed_, k, p.name);
        if (p.type == ParamType::Choice) {
            const std::vector<double> l = choice_weights(p, good), g = choice_weights(p, bad);
            std::size_t best = 0;
            double best_score = -HUGE_VAL;
            for (int c = 0; c < options_.candidates; ++c) {
                double u = d.next(), acc = 0;  // a draw from l
                std::size_t i = 0;
                for (; i + 1 < l.size(); ++i) {
                    acc += l[i];
                    if (u <= acc) break;
                }
                const double score = std::log(l[i]) - std::log(g[i]);
                if (score > best_score) best_score = score, best = i;
            }
            out.emplace(p.name, p.values[best]);
            continue;
        }
        const Axis a = axis_of(p);
        auto points = [&](const std::vector<const Params*>& obs) {
            std::vector<double> y;
            for (const Params* o : obs) y.push_back(to_axis(a, as_double(o->at(p.name))));
            return y;
        };
        const Parzen l(a, points(good)), g(a, points(bad));
        double best = l.draw(d), best_score = -HUGE_VAL;
        for (int c = 0; c < options_.candidates; ++c) {
            const double y = c == 0 ? best : l.draw(d);
            const double score = l.log_density(y) - g.log_density(y);
            if (score > best_score) best_score = score, best = y;
        }
        out.emplace(p.name, from_axis(p, a, best));
    }
    return out;
}

}  // namespace magmadnn::hpo
