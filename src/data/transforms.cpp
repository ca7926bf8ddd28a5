// One-hot, standardization, scaling and the shuffled split. All run on the host; tensors in
// device memory go through a host copy.

#include "magmadnn/data/transforms.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>

#include "io/json_depth.h"
#include "magmadnn/core/error.h"
#include "magmadnn/data/split.h"

namespace magmadnn::data {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Uniform in [0, bound) without modulo bias (rejection on the top of the range).
std::uint64_t below(std::uint64_t bound, std::uint64_t& state) {
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
    std::uint64_t r;
    do {
        r = splitmix64(state);
    } while (r >= limit);
    return r % bound;
}

// Runs f on a host view of x, copying back when x lives on the device.
template <typename T, typename F>
void on_host(Tensor<T>& x, F&& f) {
    if (host_accessible(x.memory())) {
        f(x);
        return;
    }
    Tensor<T> host = x.to(HOST);
    f(host);
    x.copy_from(host);
}

}  // namespace

std::vector<index_t> permutation(index_t n, std::uint64_t seed) {
    std::vector<index_t> p(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i;
    std::uint64_t state = seed;
    for (index_t i = n - 1; i > 0; --i) {
        const auto j = static_cast<index_t>(below(static_cast<std::uint64_t>(i) + 1, state));
        std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
    }
    return p;
}

template <typename T>
Tensor<T> one_hot(const Tensor<std::int32_t>& labels, int num_classes) {
    if (labels.ndim() != 1) {
        throw ShapeError(fmt::format("one_hot: labels have shape {}, expected {{n}}",
                                     to_string(labels.shape())));
    }
    if (num_classes <= 0) {
        throw ValueError(
            fmt::format("one_hot: num_classes is {}, expected a positive count", num_classes));
    }
    const index_t n = labels.shape(0);
    const Tensor<std::int32_t> host = labels.to(HOST);
    const std::int32_t* lab = host.cdata();
    Tensor<T> out({n, num_classes}, HOST);
    T* dst = out.data();
    for (index_t i = 0; i < n; ++i) {
        if (lab[i] < 0 || lab[i] >= num_classes) {
            throw ValueError(fmt::format(
                "one_hot: label {} (at index {}) is outside [0, {}); check num_classes or the "
                "labels",
                lab[i], i, num_classes));
        }
        dst[i * num_classes + lab[i]] = T(1);
    }
    return out;
}

template <typename T>
void Standardizer<T>::fit(const Tensor<T>& x) {
    if (x.ndim() != 2 || x.shape(0) == 0) {
        throw ShapeError(
            fmt::format("Standardizer::fit: x has shape {}, expected {{n, features}} with n > 0",
                        to_string(x.shape())));
    }
    const index_t n = x.shape(0);
    const index_t f = x.shape(1);
    const Tensor<T> host = x.to(HOST);
    const T* p = host.cdata();
    std::vector<double> sum(static_cast<std::size_t>(f), 0.0);
    for (index_t i = 0; i < n; ++i) {
        for (index_t j = 0; j < f; ++j) sum[static_cast<std::size_t>(j)] += p[i * f + j];
    }
    std::vector<double> m(sum.size());
    for (std::size_t j = 0; j < m.size(); ++j) m[j] = sum[j] / static_cast<double>(n);
    std::vector<double> var(sum.size(), 0.0);  // two passes: no cancellation
    for (index_t i = 0; i < n; ++i) {
        for (index_t j = 0; j < f; ++j) {
            const double d = p[i * f + j] - m[static_cast<std::size_t>(j)];
            var[static_cast<std::size_t>(j)] += d * d;
        }
    }
    mean = Tensor<T>({f}, HOST);
    stddev = Tensor<T>({f}, HOST);
    for (index_t j = 0; j < f; ++j) {
        const auto k = static_cast<std::size_t>(j);
        const double s = std::sqrt(var[k] / static_cast<double>(n));
        mean.data()[j] = static_cast<T>(m[k]);
        stddev.data()[j] = static_cast<T>(s > 0.0 ? s : 1.0);
    }
}

template <typename T>
void Standardizer<T>::apply(Tensor<T>& x) const {
    if (mean.ndim() != 1 || mean.size() == 0) {
        throw ValueError("Standardizer::apply: not fitted; call fit(x) on the training data first");
    }
    const index_t f = mean.size();
    if (x.ndim() != 2 || x.shape(1) != f) {
        throw ShapeError(fmt::format(
            "Standardizer::apply: x has shape {}, expected {{n, {}}} (the fitted feature count)",
            to_string(x.shape()), f));
    }
    const T* m = mean.cdata();
    const T* s = stddev.cdata();
    on_host(x, [&](Tensor<T>& h) {
        T* p = h.data();
        const index_t n = h.shape(0);
        for (index_t i = 0; i < n; ++i) {
            for (index_t j = 0; j < f; ++j) p[i * f + j] = (p[i * f + j] - m[j]) / s[j];
        }
    });
}

template <typename T>
std::string Standardizer<T>::to_json() const {
    if (features() == 0) {
        throw ValueError(
            "Standardizer::to_json: not fitted; call fit(x) on the training data first");
    }
    std::vector<double> m, s;
    for (const T v : mean.to_vector()) m.push_back(static_cast<double>(v));
    for (const T v : stddev.to_vector()) s.push_back(static_cast<double>(v));
    return nlohmann::json{{"mean", m}, {"std", s}}.dump();
}

template <typename T>
Standardizer<T> Standardizer<T>::from_json(std::string_view text, std::string_view where) {
    const std::string what = fmt::format("{}: the standardizer ({})", where, metadata_key);
    const nlohmann::json j = io::detail::parse_json(text, what);
    auto column = [&](const char* key) {
        if (!j.is_object() || !j.contains(key) || !j.at(key).is_array() || j.at(key).empty()) {
            throw FormatError(fmt::format(
                "{}: expected {{\"mean\": [...], \"std\": [...]}} with non-empty arrays, got {}",
                what, j.dump().substr(0, 80)));
        }
        std::vector<T> out;
        for (const auto& v : j.at(key)) {
            const double d = v.is_number() ? v.get<double>() : std::nan("");
            if (!std::isfinite(d) || std::fabs(d) > double(std::numeric_limits<T>::max()) ||
                (std::string_view(key) == "std" && !(static_cast<T>(d) > 0))) {
                throw FormatError(fmt::format("{}: '{}' holds {}, expected finite numbers{}", what,
                                              key, v.dump().substr(0, 80),
                                              std::string_view(key) == "std" ? " above 0" : ""));
            }
            out.push_back(static_cast<T>(d));
        }
        return out;
    };
    const std::vector<T> m = column("mean"), s = column("std");
    if (m.size() != s.size()) {
        throw FormatError(
            fmt::format("{}: {} means but {} standard deviations; expected one of "
                        "each per feature",
                        what, m.size(), s.size()));
    }
    Standardizer out;
    const auto f = static_cast<index_t>(m.size());
    out.mean = Tensor<T>::from_vector(m, {f});
    out.stddev = Tensor<T>::from_vector(s, {f});
    return out;
}

template <typename T>
void scale(Tensor<T>& x, T factor) {
    on_host(x, [&](Tensor<T>& h) {
        T* p = h.data();
        for (index_t i = 0; i < h.size(); ++i) p[i] *= factor;
    });
}

template <typename T>
TrainValidation<T> train_validation_split(const Dataset<T>& dataset, double fraction,
                                          std::uint64_t seed) {
    const index_t n = dataset.x.ndim() == 0 ? 0 : dataset.x.shape(0);
    if (dataset.labels.ndim() != 1 || dataset.labels.shape(0) != n) {
        throw ShapeError(fmt::format(
            "train_validation_split: x has shape {} but labels {}; expected {{n, ...}} and {{n}}",
            to_string(dataset.x.shape()), to_string(dataset.labels.shape())));
    }
    if (!(fraction > 0.0 && fraction < 1.0)) {
        throw ValueError(fmt::format(
            "train_validation_split: fraction {} is outside (0, 1); pass the share of rows to "
            "hold out, e.g. 0.1",
            fraction));
    }
    const auto n_val = static_cast<index_t>(std::llround(static_cast<double>(n) * fraction));
    if (n_val == 0 || n_val == n) {
        throw ValueError(fmt::format(
            "train_validation_split: {} rows with fraction {} leave {} for validation and {} for "
            "training; both must be non-empty",
            n, fraction, n_val, n - n_val));
    }
    const std::vector<index_t> order = permutation(n, seed);
    const std::span<const index_t> rows(order);
    TrainValidation<T> out;
    out.train = subset(dataset, rows.first(static_cast<std::size_t>(n - n_val)));
    out.validation = subset(dataset, rows.subspan(static_cast<std::size_t>(n - n_val)));
    return out;
}

#define MAGMADNN_TRANSFORMS(T)                                       \
    template Tensor<T> one_hot<T>(const Tensor<std::int32_t>&, int); \
    template struct Standardizer<T>;                                 \
    template void scale<T>(Tensor<T>&, T);                           \
    template TrainValidation<T> train_validation_split<T>(const Dataset<T>&, double, std::uint64_t);
MAGMADNN_TRANSFORMS(float)
MAGMADNN_TRANSFORMS(double)

}  // namespace magmadnn::data
