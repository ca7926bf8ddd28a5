#include "fill.h"

#include <fmt/format.h>

#include <cmath>

#include "magmadnn/core/error.h"
#include "magmadnn/core/random.h"

namespace magmadnn::detail {

namespace {

double param(const Filler& f, std::size_t i, double fallback) {
    return i < f.params.size() ? f.params[i] : fallback;
}

// Fan-in and fan-out as Glorot and He define them: a 2-D weight {in, out} (x @ W); a
// convolution kernel {out_channels, in_channels, kh, kw, ...} counts its receptive field.
std::pair<double, double> fans(const Shape& shape) {
    if (shape.empty()) return {1.0, 1.0};
    if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
    if (shape.size() == 2) return {double(shape[0]), double(shape[1])};
    double receptive = 1.0;
    for (std::size_t i = 2; i < shape.size(); ++i) receptive *= double(shape[i]);
    return {double(shape[1]) * receptive, double(shape[0]) * receptive};
}

}  // namespace

std::vector<double> filler_values(const Filler& f, const Shape& shape) {
    const index_t n = numel(shape);
    std::vector<double> v(static_cast<std::size_t>(n), 0.0);
    const std::uint64_t seed = f.seed.value_or(global_seed());
    const bool random = f.type == UNIFORM || f.type == NORMAL || f.type == GLOROT || f.type == HE;
    // An explicit seed names one fixed stream; otherwise each filled tensor gets a fresh one.
    const std::uint64_t stream = random && !f.seed ? next_stream() : 0;

    auto require_2d = [&](const char* name) {
        if (shape.size() != 2) {
            throw ShapeError(
                fmt::format("{} filler needs a 2-D tensor, got shape {}", name, to_string(shape)));
        }
    };

    switch (f.type) {
        case NONE:
        case ZERO:
            break;
        case ONE:
            std::fill(v.begin(), v.end(), 1.0);
            break;
        case CONSTANT:
            if (f.params.empty()) {
                throw ValueError("CONSTANT filler needs its value: {CONSTANT, {value}}");
            }
            std::fill(v.begin(), v.end(), f.params[0]);
            break;
        case IDENTITY:
        case DIAGONAL: {
            require_2d(f.type == IDENTITY ? "IDENTITY" : "DIAGONAL");
            const index_t rows = shape[0], cols = shape[1], diag = std::min(rows, cols);
            if (f.type == DIAGONAL && f.params.size() != 1 &&
                static_cast<index_t>(f.params.size()) != diag) {
                throw ValueError(
                    fmt::format("DIAGONAL filler for shape {} needs 1 or {} values, got {}",
                                to_string(shape), diag, f.params.size()));
            }
            for (index_t i = 0; i < diag; ++i) {
                double d = 1.0;
                if (f.type == DIAGONAL) d = f.params.size() == 1 ? f.params[0] : f.params[i];
                v[static_cast<std::size_t>(i * cols + i)] = d;
            }
            break;
        }
        case UNIFORM: {
            const double lo = param(f, 0, 0.0), hi = param(f, 1, 1.0);
            if (!(hi >= lo)) {
                throw ValueError(
                    fmt::format("UNIFORM filler needs low <= high, got {{{}, {}}}", lo, hi));
            }
            for (index_t i = 0; i < n; ++i) {
                // uniform() is in (0, 1]; 1 - u maps it to [0, 1)
                v[i] = lo + (hi - lo) * (1.0 - random::uniform(seed, stream, i));
            }
            break;
        }
        case NORMAL:
        case GLOROT:
        case HE: {
            double mean = 0.0, stddev = 1.0;
            const auto [fan_in, fan_out] = fans(shape);
            if (f.type == NORMAL) {
                mean = param(f, 0, 0.0);
                stddev = param(f, 1, 1.0);
            } else if (f.type == GLOROT) {
                stddev = param(f, 0, 1.0) * std::sqrt(2.0 / (fan_in + fan_out));
            } else {
                stddev = param(f, 0, 1.0) * std::sqrt(2.0 / fan_in);
            }
            if (!(stddev >= 0.0)) {
                throw ValueError(fmt::format("NORMAL filler needs stddev >= 0, got {}", stddev));
            }
            for (index_t i = 0; i < n; ++i) v[i] = mean + stddev * random::normal(seed, stream, i);
            break;
        }
    }
    return v;
}

}  // namespace magmadnn::detail
