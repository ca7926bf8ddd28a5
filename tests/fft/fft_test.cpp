// FFTW-backed transforms against a direct DFT in long double. Bound: ||X - X_ref||_2 /
// ||X_ref||_2 <= 10 eps max(1, log2 n), a loose multiple of FFT's O(eps log n) error.
#include "magmadnn/fft/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "magmadnn/core/error.h"
#include "test_util.h"

namespace magmadnn {
namespace {

using cld = std::complex<long double>;

template <typename T>
Tensor<std::complex<T>> random_complex(const Shape& s, std::uint32_t seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> d(-1, 1);
    Tensor<std::complex<T>> t(s, HOST);
    for (index_t i = 0; i < t.size(); ++i)
        t.data()[i] = {static_cast<T>(d(gen)), static_cast<T>(d(gen))};
    return t;
}

// Direct DFT along the last axis of a {rows, n} array.
std::vector<cld> dft_rows(const std::vector<cld>& x, index_t rows, index_t n, bool inverse) {
    std::vector<cld> y(x.size());
    const long double sign = inverse ? 1.0L : -1.0L;
    for (index_t r = 0; r < rows; ++r) {
        for (index_t k = 0; k < n; ++k) {
            cld s = 0;
            for (index_t j = 0; j < n; ++j) {
                const long double a = sign * 2.0L * std::numbers::pi_v<long double> *
                                      static_cast<long double>((j * k) % n) / n;
                s += x[r * n + j] * cld(std::cos(a), std::sin(a));
            }
            y[r * n + k] = inverse ? s / static_cast<long double>(n) : s;
        }
    }
    return y;
}

template <typename C>
std::vector<cld> to_ld(const Tensor<C>& t) {
    std::vector<cld> v(static_cast<std::size_t>(t.size()));
    const Tensor<C> h = t.to(HOST);
    for (index_t i = 0; i < t.size(); ++i) {
        if constexpr (std::is_floating_point_v<C>) {
            v[i] = cld(h.cdata()[i], 0);
        } else {
            v[i] = cld(h.cdata()[i].real(), h.cdata()[i].imag());
        }
    }
    return v;
}

double rel_err(const std::vector<cld>& a, const std::vector<cld>& ref) {
    long double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num += std::norm(a[i] - ref[i]);
        den += std::norm(ref[i]);
    }
    return static_cast<double>(std::sqrt(num / (den > 0 ? den : 1)));
}

template <typename T>
double bound(index_t n) {
    return 10.0 * std::numeric_limits<T>::epsilon() *
           std::max(1.0, std::log2(static_cast<double>(n)));
}

template <typename T>
class FftTest : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FftTest, Types);

TYPED_TEST(FftTest, ComplexForwardInverseAgainstDirectDft) {
    using T = TypeParam;
    for (index_t n : {1, 2, 12, 45, 64, 100}) {
        const index_t rows = 3;
        const auto x = random_complex<T>({rows, n}, static_cast<std::uint32_t>(n));
        const auto X = fft::fft(x);
        EXPECT_LT(rel_err(to_ld(X), dft_rows(to_ld(x), rows, n, false)), bound<T>(n)) << n;
        const auto y = fft::ifft(x);
        EXPECT_LT(rel_err(to_ld(y), dft_rows(to_ld(x), rows, n, true)), bound<T>(n)) << n;
        EXPECT_LT(rel_err(to_ld(fft::ifft(X)), to_ld(x)), 2 * bound<T>(n)) << n;
    }
}

TYPED_TEST(FftTest, RealTransformsAndHalfSpectrum) {
    using T = TypeParam;
    const index_t n = 30;
    const Tensor<T> x = test::random_tensor<T>({4, n}, 7);
    const auto full = fft::fft(x);
    const auto half = fft::rfft(x);
    ASSERT_EQ(half.shape(), (Shape{4, n / 2 + 1}));
    const auto ref = dft_rows(to_ld(x), 4, n, false);
    EXPECT_LT(rel_err(to_ld(full), ref), bound<T>(n));
    for (index_t r = 0; r < 4; ++r) {
        for (index_t k = 0; k <= n / 2; ++k) {
            EXPECT_LT(std::abs(to_ld(half)[r * (n / 2 + 1) + k] - ref[r * n + k]),
                      10 * bound<T>(n));
        }
    }
    const Tensor<T> back = fft::irfft(half, n);
    EXPECT_LT(rel_err(to_ld(back), to_ld(x)), 2 * bound<T>(n));
    EXPECT_THROW(fft::irfft(half, n + 3), ShapeError);
}

TYPED_TEST(FftTest, TwoDimensionalAndBatched) {
    using T = TypeParam;
    const index_t h = 6, w = 10;
    const auto x = random_complex<T>({2, h, w}, 9);
    const auto X = fft::fft2(x);
    // Reference: DFT along rows, then along columns (transpose, rows, transpose back).
    auto rows = dft_rows(to_ld(x), 2 * h, w, false);
    std::vector<cld> t(rows.size()), ref(rows.size());
    for (index_t b = 0; b < 2; ++b) {
        for (index_t i = 0; i < h; ++i) {
            for (index_t j = 0; j < w; ++j) t[b * h * w + j * h + i] = rows[b * h * w + i * w + j];
        }
    }
    const auto cols = dft_rows(t, 2 * w, h, false);
    for (index_t b = 0; b < 2; ++b) {
        for (index_t i = 0; i < h; ++i) {
            for (index_t j = 0; j < w; ++j)
                ref[b * h * w + i * w + j] = cols[b * h * w + j * h + i];
        }
    }
    EXPECT_LT(rel_err(to_ld(X), ref), bound<T>(h * w));
    EXPECT_LT(rel_err(to_ld(fft::ifft2(X)), to_ld(x)), 2 * bound<T>(h * w));
    const Tensor<T> img = test::random_tensor<T>({h, w}, 10);
    const auto R = fft::rfft2(img);
    ASSERT_EQ(R.shape(), (Shape{h, w / 2 + 1}));
    EXPECT_LT(rel_err(to_ld(fft::irfft2(R, w)), to_ld(img)), 2 * bound<T>(h * w));
    const auto F = fft::fft2(img);
    EXPECT_NEAR(std::abs(F.get({0, 0}) - R.get({0, 0})), 0.0, 10 * bound<T>(h * w) * h * w);
    EXPECT_THROW(fft::fft2(Tensor<std::complex<T>>({5}, HOST)), ShapeError);
}

TEST(FftPlans, CachedAndUnalignedViews) {
    fft::clear_plan_cache();
    const auto x = random_complex<float>({5, 16}, 11);
    fft::fft(x);
    const std::size_t after_first = fft::plan_cache_size();
    EXPECT_GE(after_first, 1u);
    fft::fft(x);
    EXPECT_EQ(fft::plan_cache_size(), after_first);  // reused
    // A view at an odd element offset (rows 1..4 of a {5, 15} tensor) is not 16-byte aligned.
    const auto y = random_complex<float>({5, 15}, 12);
    const auto v = y.slice(1, 4);
    EXPECT_LT(rel_err(to_ld(fft::fft(v)), dft_rows(to_ld(v), 3, 15, false)), bound<float>(15));
    fft::set_planning(fft::Planning::measure);
    EXPECT_LT(rel_err(to_ld(fft::fft(x)), dft_rows(to_ld(x), 5, 16, false)), bound<float>(16));
    fft::set_planning(fft::Planning::estimate);
}

TEST(FftGpu, MatchesHost) {
    MAGMADNN_SKIP_WITHOUT_GPU();
    const auto x = random_complex<double>({3, 8, 12}, 13);
    const auto d = fft::fft2(x.to(DEVICE));
    EXPECT_EQ(d.memory(), DEVICE);
    EXPECT_LT(rel_err(to_ld(d), to_ld(fft::fft2(x))), 1e-13);
    EXPECT_LT(rel_err(to_ld(fft::ifft(fft::fft(x.to(DEVICE)))), to_ld(x)), 1e-13);
    const Tensor<float> img = test::random_tensor<float>({16, 10}, 14);
    const auto r = fft::rfft2(img.to(DEVICE));
    EXPECT_LT(rel_err(to_ld(r), to_ld(fft::rfft2(img))), 1e-5);
    EXPECT_LT(rel_err(to_ld(fft::irfft2(r, 10)), to_ld(img)), 1e-5);
}

}  // namespace
}  // namespace magmadnn
